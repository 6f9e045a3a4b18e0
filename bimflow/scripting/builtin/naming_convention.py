"""Naming convention: a regular expression per IFC class (or `*`) on element names.

Works on the data pack. An element takes the rule of its own class, else of its nearest
superclass with a rule, else the `*` rule; elements no rule covers are counted, not
checked. With `check_types`, the rules also apply to the names of the elements' types
(each type once).
"""

META = {
    "slug": "naming-convention",
    "name": "Naming convention",
    "description": "Checks element names (and optionally type names) against a regular "
    "expression per IFC class or '*'. One finding per violation; per rule the checked, "
    "passed and failed names.",
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
                    "required": ["ifc_class", "pattern"],
                    "properties": {
                        "ifc_class": {"type": "string", "description": "e.g. IfcWall, or *"},
                        "pattern": {
                            "type": "string",
                            "description": "A regular expression the whole name must match.",
                        },
                        "severity": {"enum": ["error", "warning", "info"], "default": "warning"},
                    },
                },
            },
            "check_types": {
                "type": "boolean",
                "default": False,
                "description": "Also check the names of the elements' type objects.",
            },
            "skip_classes": {
                "type": "array",
                "items": {"type": "string"},
                "default": ["IfcOpeningElement"],
                "description": "Classes never checked by a '*' rule.",
            },
        },
    },
}

import re

import ifcopenshell.ifcopenshell_wrapper as wrapper


def schema_name():
    name = str(model_path)
    if name.lower().endswith(".ifc"):
        with open(name, "rb") as fh:
            head = fh.read(65536).decode("latin-1")
        found = re.search(r"FILE_SCHEMA\s*\(\s*\(\s*'([A-Za-z0-9_]+)'", head)
        if found:
            return found.group(1).upper()
    return model.schema


def schema_of(name):
    for candidate in (name, name.split("_")[0]):
        try:
            return wrapper.schema_by_name(candidate)
        except (RuntimeError, IndexError):
            continue
    return None


SCHEMA = schema_of(schema_name())
rules = {}
for index, rule in enumerate(params["rules"]):
    key = rule["ifc_class"].strip().lower()
    if key in rules:
        raise SystemExit(f"Two rules for {rule['ifc_class']}: give one pattern per class.")
    try:
        compiled = re.compile(rule["pattern"])
    except re.error as exc:
        raise SystemExit(f"The pattern for {rule['ifc_class']} is not valid: {exc}.")
    rules[key] = {**rule, "regex": compiled, "index": index}
skip = {c.lower() for c in params["skip_classes"]}
chosen = {}


def rule_for(ifc_class):
    """The rule of the class, of its nearest superclass, or '*' (None if none)."""
    lower = ifc_class.lower()
    if lower in chosen:
        return chosen[lower]
    found = rules.get(lower)
    if found is None and SCHEMA is not None:
        try:
            decl = SCHEMA.declaration_by_name(ifc_class).supertype()
        except (RuntimeError, IndexError):
            decl = None
        while decl is not None and found is None:
            found = rules.get(decl.name().lower())
            decl = decl.supertype()
    if found is None and lower not in skip:
        found = rules.get("*")
    chosen[lower] = found
    return found


stats = {
    r["index"]: {
        "ifc_class": r["ifc_class"],
        "pattern": r["pattern"],
        "checked": 0,
        "passed": 0,
        "failed": 0,
        "types_checked": 0,
        "types_failed": 0,
    }
    for r in rules.values()
}
unchecked = 0


def check(name, rule):
    return name is not None and bool(rule["regex"].fullmatch(name))


table = elements[["guid", "ifc_class", "name", "type_guid", "type_name", "type_class"]]
for row in table.itertuples(index=False):
    rule = rule_for(row.ifc_class)
    if rule is None:
        unchecked += 1
        continue
    name = row.name if isinstance(row.name, str) else None
    s = stats[rule["index"]]
    s["checked"] += 1
    if check(name, rule):
        s["passed"] += 1
        continue
    s["failed"] += 1
    shown = "has no name" if name is None else f"is named {name!r}"
    getattr(report, rule.get("severity", "warning"))(
        f"{row.ifc_class} {shown}, which does not match {rule['pattern']!r}.",
        guid=row.guid,
        rule=f"name:{rule['ifc_class']}",
        ifc_class=row.ifc_class,
        name=name,
        pattern=rule["pattern"],
        target="name",
    )

if params["check_types"]:
    types = table.dropna(subset=["type_guid"]).drop_duplicates("type_guid")
    for row in types.itertuples(index=False):
        rule = rule_for(row.ifc_class)  # the rule of the class the type is for
        if rule is None:
            continue
        name = row.type_name if isinstance(row.type_name, str) else None
        s = stats[rule["index"]]
        s["types_checked"] += 1
        if check(name, rule):
            continue
        s["types_failed"] += 1
        shown = "has no name" if name is None else f"is named {name!r}"
        getattr(report, rule.get("severity", "warning"))(
            f"Type {row.type_class} {shown}, which does not match {rule['pattern']!r}.",
            guid=row.type_guid,
            rule=f"type-name:{rule['ifc_class']}",
            ifc_class=row.type_class,
            name=name,
            pattern=rule["pattern"],
            target="type_name",
        )

out = [stats[r["index"]] for r in sorted(rules.values(), key=lambda r: r["index"])]
failed = sum(s["failed"] + s["types_failed"] for s in out)
result.update(
    status="fail" if failed else "pass",
    elements=int(len(table)),
    checked=sum(s["checked"] for s in out),
    not_covered=unchecked,
    failed=failed,
    rules=out,
)
for s in out:
    print(
        f"{s['ifc_class']} ~ {s['pattern']}: {s['checked']} names checked, {s['failed']} failed"
        + (
            f"; {s['types_checked']} type names, {s['types_failed']} failed"
            if params["check_types"]
            else ""
        )
    )
print(f"{unchecked} elements are not covered by any rule.")
