"""Script parameters: JSON Schema checks with defaults filled in, messages per field."""

from __future__ import annotations

import copy
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from bimflow.core.errors import ServiceError

# Formats bimflow gives a meaning to; other apps check their values (see `format_checkers`).
CUSTOM_FORMATS = ("project-file", "model-version", "execution")
format_checkers: dict[str, Any] = {}
# A model-version parameter with `"x-default": "previous"` and no value gets the run's
# model's previous ready version (see `_previous_version`).
PREVIOUS = "previous"


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
        if (
            fmt == "model-version"
            and value.get(key) is None
            and sub.get("x-default") == PREVIOUS
            and context
        ):
            value[key] = _previous_version(key, context)
        if fmt in format_checkers and key in value and value[key] is not None:
            value[key] = format_checkers[fmt](key, sub, value[key], context or {})
    return value


# Checkers of the custom formats: a value must name something of the run's own project.
# They raise ServiceError naming the parameter; the value they return is what is stored.


def _as_id(key: str, value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ServiceError(f"{key}: give the id of {what}, not {value!r}.", field="parameters")
    try:
        return int(value)
    except ValueError:
        raise ServiceError(f"{key}: give the id of {what}, not {value!r}.", field="parameters")


def _project_id(key: str, context: dict) -> int:
    project_id = context.get("project_id")
    if project_id is None:
        raise ServiceError(
            f"{key}: this parameter refers to a project's data, so it needs a run on a version.",
            field="parameters",
        )
    return int(project_id)


def check_project_file(key: str, sub: dict, value: Any, context: dict) -> int:
    from bimflow.projects.models import ProjectFile

    kind = sub.get("x-kind")
    what = f"an {kind.upper()} project file" if kind == "ids" else "a project file"
    if kind and kind not in ("ids",):
        what = f"a project file of kind {kind}"
    file_id = _as_id(key, value, what)
    file = ProjectFile.objects.filter(pk=file_id).only("project_id", "kind", "name").first()
    if file is None or file.project_id != _project_id(key, context):
        raise ServiceError(
            f"{key}: there is no project file {file_id} in this project; upload it to the "
            "project's files first.",
            field="parameters",
        )
    if kind and file.kind != kind:
        raise ServiceError(
            f"{key}: project file {file_id} ('{file.name}') is a {file.kind} file; "
            f"this parameter needs {what}.",
            field="parameters",
        )
    return file_id


def check_model_version(key: str, sub: dict, value: Any, context: dict) -> int:
    from bimflow.projects.models import ModelVersion, VersionStatus

    version_id = _as_id(key, value, "a model version")
    version = ModelVersion.objects.select_related("model").filter(pk=version_id).first()
    if version is None or version.model.project_id != _project_id(key, context):
        raise ServiceError(
            f"{key}: there is no model version {version_id} in this project.",
            field="parameters",
        )
    if version.status != VersionStatus.READY:
        raise ServiceError(
            f"{key}: version {version.number} of '{version.model.name}' is {version.status}; "
            "only ready versions can be used.",
            field="parameters",
        )
    return version_id


def check_execution(key: str, sub: dict, value: Any, context: dict) -> int:
    from bimflow.scripting.models import FINAL_STATUSES, Execution

    execution_id = _as_id(key, value, "an execution")
    execution = Execution.objects.filter(pk=execution_id).only("project_id", "status").first()
    if execution is None or execution.project_id != _project_id(key, context):
        raise ServiceError(
            f"{key}: there is no execution {execution_id} in this project.", field="parameters"
        )
    if execution.status not in FINAL_STATUSES:
        raise ServiceError(
            f"{key}: execution {execution_id} is still {execution.status}; "
            "wait until it has finished.",
            field="parameters",
        )
    return execution_id


def _previous_version(key: str, context: dict) -> int:
    from bimflow.projects.models import ModelVersion, VersionStatus

    current = context.get("version")
    if current is None:
        raise ServiceError(f"{key}: choose a model version.", field="parameters")
    previous = (
        ModelVersion.objects.filter(
            model_id=current.model_id, number__lt=current.number, status=VersionStatus.READY
        )
        .order_by("-number")
        .first()
    )
    if previous is None:
        raise ServiceError(
            f"{key}: version {current.number} of '{current.model.name}' has no earlier ready "
            "version; choose the version to compare to.",
            field="parameters",
        )
    return previous.pk


format_checkers.update(
    {
        "project-file": check_project_file,
        "model-version": check_model_version,
        "execution": check_execution,
    }
)
