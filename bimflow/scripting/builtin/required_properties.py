"""Required properties: rules {ifc_class, pset, property, required, pattern, allowed_values}.

Works on the data pack (no IFC parsing). A rule applies to the elements of its class and
its subclasses (as `model.by_type` counts them; `"*"` is every element); type properties
count for their occurrences. Per rule: applicable, present, missing, passed, failed.
"""

META = {
    "slug": "required-properties",
    "name": "Required properties",
    "description": "Checks that elements have the properties the rules require, with "
    "values matching a pattern or a list of allowed values. One finding per missing or "
    "invalid value; per rule the applicable, passed and failed elements.",
    "category": "validation",
    "parameters_schema": {
        "type": "object",
        "required": ["rules"],
        "properties": {
            "rules": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["ifc_class", "pset", "property"],
                    "properties": {
                        "ifc_class": {"type": "string", "description": "e.g. IfcWall, or *"},
                        "pset": {"type": "string", "description": "e.g. Pset_WallCommon"},
                        "property": {"type": "string", "description": "e.g. FireRating"},
                        "required": {"type": "boolean", "default": True},
                        "pattern": {
                            "type": "string",
                            "description": "A regular expression the whole value must match.",
                        },
                        "allowed_values": {
                            "type": "array",
                            "items": {"type": ["string", "number", "boolean"]},
                        },
                        "severity": {"enum": ["error", "warning", "info"], "default": "error"},
                    },
                },
            },
            "subclasses": {
                "type": "boolean",
                "default": True,
                "description": "A rule on IfcWall also applies to IfcWallStandardCase etc.",
            },
        },
    },
}

import re

import ifcopenshell.ifcopenshell_wrapper as wrapper
import pandas as pd


def schema_name():
    """The file's schema from its header, without parsing the model."""
    name = str(model_path)
    if name.lower().endswith(".ifc"):
        with open(name, "rb") as fh:
            head = fh.read(65536).decode("latin-1")
        found = re.search(r"FILE_SCHEMA\s*\(\s*\(\s*'([A-Za-z0-9_]+)'", head)
        if found:
            return found.group(1).upper()
    return model.schema


def schema_of(name):
    for candidate in (name, name.split("_")[0], "IFC4" if name.startswith("IFC4") else name):
        try:
            return wrapper.schema_by_name(candidate)
        except (RuntimeError, IndexError):
            continue
    return None


SCHEMA = schema_of(schema_name())


def classes_of(ifc_class, subclasses):
    """The class names a rule on `ifc_class` covers, or None for every class."""
    if ifc_class.strip() == "*":
        return None
    if not subclasses or SCHEMA is None:
        return {ifc_class.lower()}
    try:
        decl = SCHEMA.declaration_by_name(ifc_class)
    except (RuntimeError, IndexError):
        return {ifc_class.lower()}
    names, todo = set(), [decl]
    while todo:
        d = todo.pop()
        names.add(d.name().lower())
        todo.extend(d.subtypes())
    return names


def text(value):
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return str(value)


def allowed_match(values, numbers, allowed):
    """Each value is allowed when its text is in the list, or its number equals one."""
    texts = {text(a) for a in allowed}
    nums = {float(a) for a in allowed if isinstance(a, int | float) and not isinstance(a, bool)}
    ok = values.isin(texts)
    if nums:
        ok = ok | numbers.isin(nums)
    return ok


lower_class = elements["ifc_class"].str.lower()
props = properties[["guid", "pset", "name", "value", "number"]]
rules_out = []
for rule in params["rules"]:
    label = rule.get("id") or f"{rule['ifc_class']}.{rule['pset']}.{rule['property']}"
    classes = classes_of(rule["ifc_class"], params["subclasses"])
    scope = elements if classes is None else elements[lower_class.isin(classes)]
    scope = scope[["guid", "ifc_class", "name"]]
    values = props[(props["pset"] == rule["pset"]) & (props["name"] == rule["property"])]
    values = values.drop_duplicates("guid")
    merged = scope.merge(values[["guid", "value", "number"]], on="guid", how="left", indicator=True)
    present = merged["_merge"] == "both"
    vtext = merged["value"].astype(object).where(merged["value"].notna(), "").map(str)
    has_value = present & merged["value"].notna() & (vtext != "")
    problem = pd.Series(False, index=merged.index)
    reason = pd.Series("", index=merged.index, dtype=object)
    required = rule.get("required", True)
    if required:
        missing = ~present
        problem = problem | missing
        reason = reason.mask(missing, "missing")
        empty = present & ~has_value
        problem = problem | empty
        reason = reason.mask(empty, "no value")
    checked_values = has_value
    if rule.get("pattern"):
        regex = re.compile(rule["pattern"])
        bad = checked_values & ~vtext.map(lambda v, rx=regex: bool(rx.fullmatch(v)))
        problem = problem | bad
        reason = reason.mask(bad, "pattern")
    if rule.get("allowed_values") is not None:
        bad = checked_values & ~allowed_match(vtext, merged["number"], rule["allowed_values"])
        problem = problem | bad
        reason = reason.mask(bad & (reason != "pattern"), "not allowed")
    severity = rule.get("severity", "error")
    emit = getattr(report, severity)
    where = f"{rule['pset']}.{rule['property']}"
    bad_rows = merged[problem].assign(reason=reason[problem])
    for row in bad_rows.itertuples(index=False):
        value = row.value if isinstance(row.value, str) else None
        messages = {
            "missing": f"{where} is missing.",
            "no value": f"{where} has no value.",
            "pattern": f"{where} = {value!r} does not match the pattern {rule.get('pattern')!r}.",
            "not allowed": f"{where} = {value!r} is not one of the allowed values "
            f"({', '.join(text(a) for a in rule.get('allowed_values') or [])}).",
        }
        emit(
            f"{row.ifc_class} '{row.name or ''}': {messages[row.reason]}",
            guid=row.guid,
            rule=label,
            ifc_class=row.ifc_class,
            problem=row.reason,
            pset=rule["pset"],
            property=rule["property"],
            value=value,
        )
    counts = bad_rows["reason"].value_counts().to_dict() if len(bad_rows) else {}
    n_app = int(len(merged))
    n_fail = int(problem.sum())
    rules_out.append(
        {
            "rule": label,
            "ifc_class": rule["ifc_class"],
            "pset": rule["pset"],
            "property": rule["property"],
            "required": required,
            "pattern": rule.get("pattern"),
            "allowed_values": rule.get("allowed_values"),
            "applicable": n_app,
            "present": int(present.sum()),
            "missing": int((~present).sum()),
            "passed": n_app - n_fail,
            "failed": n_fail,
            "failed_by_reason": {str(k): int(v) for k, v in counts.items()},
            "status": "not applicable" if n_app == 0 else ("fail" if n_fail else "pass"),
        }
    )

result.update(
    status="fail" if any(r["failed"] for r in rules_out) else "pass",
    elements=int(len(elements)),
    rules=rules_out,
    failed=sum(r["failed"] for r in rules_out),
)
for r in rules_out:
    print(
        f"{r['rule']}: {r['applicable']} applicable, {r['passed']} passed, {r['failed']} failed"
        + (f" ({r['failed_by_reason']})" if r["failed"] else "")
    )
