"""Script parameters: JSON Schema checks with defaults filled in, messages per field."""

from __future__ import annotations

import copy
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from bimflow.core.errors import ServiceError

# Formats bimflow gives a meaning to; other apps check their values (see `format_checkers`).
CUSTOM_FORMATS = ("project-file", "model-version")
format_checkers: dict[str, Any] = {}


def schema_check(schema: Any) -> None:
    """Raise ServiceError unless `schema` is a usable JSON Schema for parameters."""
    if schema in (None, {}):
        return
    if not isinstance(schema, dict):
        raise ServiceError(
            "The parameters schema must be a JSON object.", field="parameters_schema"
        )
    if schema.get("type", "object") != "object":
        raise ServiceError(
            'The parameters schema must describe an object ("type": "object").',
            field="parameters_schema",
        )
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path) or "(top)"
        raise ServiceError(
            f"The parameters schema is not valid JSON Schema at {where}: {exc.message}",
            field="parameters_schema",
        )


def _fill_defaults(schema: dict, value: Any) -> Any:
    if not isinstance(schema, dict):
        return value
    if isinstance(value, dict) and isinstance(schema.get("properties"), dict):
        for key, sub in schema["properties"].items():
            if key not in value and isinstance(sub, dict) and "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
            if key in value:
                value[key] = _fill_defaults(sub, value[key])
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        value = [_fill_defaults(schema["items"], v) for v in value]
    return value


def params_validate(schema: dict | None, params: Any, *, context: dict | None = None) -> dict:
    """Return `params` with defaults filled in, or raise ServiceError naming the field."""
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise ServiceError("Parameters must be a JSON object.", field="parameters")
    schema = schema or {"type": "object"}
    value = _fill_defaults(schema, copy.deepcopy(params))
    errors = sorted(Draft202012Validator(schema).iter_errors(value), key=lambda e: list(e.path))
    if errors:
        messages = []
        for err in errors[:20]:
            where = ".".join(str(p) for p in err.absolute_path)
            if err.validator == "required":
                messages.append(err.message.replace("is a required property", "is required"))
            else:
                messages.append(f"{where or 'parameters'}: {err.message}")
        raise ServiceError("; ".join(messages), field="parameters")
    for key, sub in (schema.get("properties") or {}).items():
        fmt = sub.get("format") if isinstance(sub, dict) else None
        if fmt in format_checkers and key in value and value[key] is not None:
            value[key] = format_checkers[fmt](key, sub, value[key], context or {})
    return value
