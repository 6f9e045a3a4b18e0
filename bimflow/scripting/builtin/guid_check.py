"""GUID check: every rooted entity's GlobalId must be valid and unique.

An IFC GlobalId is 22 characters of the alphabet 0-9, A-Z, a-z, _ and $, whose first
character is 0-3 (128 bits in base 64). Checks every IfcRoot entity (products, types,
property sets, relationships...), not only products.
"""

META = {
    "slug": "guid-check",
    "name": "GUID check",
    "description": "Every rooted entity (not only products) must have a valid, unique "
    "IFC GlobalId: 22 characters of 0-9A-Za-z_$ starting with 0-3.",
    "category": "validation",
    "parameters_schema": {
        "type": "object",
        "properties": {
            "max_findings_per_guid": {
                "type": "integer",
                "minimum": 1,
                "default": 1000,
                "description": "For a GUID used very many times, report at most this many "
                "of its entities (the counts stay complete).",
            }
        },
    },
}

import re

VALID = re.compile(r"^[0-3][0-9A-Za-z_$]{21}$")

guids = entities["guid"].fillna("")
valid = guids.str.match(VALID)
invalid = entities[~valid]
for row in invalid.itertuples():
    report.error(
        f"{row.ifc_class} #{row.step_id} has an invalid GlobalId {row.guid!r}.",
        guid=row.guid or None,
        rule="guid-format",
        ifc_class=row.ifc_class,
        step_id=int(row.step_id),
    )

counts = guids.value_counts()
repeated = counts[counts > 1]
dupes = entities[guids.isin(repeated.index)].sort_values(["guid", "step_id"])
limit = params["max_findings_per_guid"]
for guid, group in dupes.groupby("guid", sort=True):
    ids = [int(s) for s in group["step_id"]]
    for i, row in enumerate(group.itertuples()):
        if i >= limit:
            print(f"GUID {guid!r} is used {len(group)} times; listed the first {limit}.")
            break
        others = [f"#{s}" for s in ids if s != row.step_id]
        report.error(
            f"{row.ifc_class} #{row.step_id} shares its GlobalId {guid!r} with "
            f"{len(others)} other entit{'y' if len(others) == 1 else 'ies'}: "
            f"{', '.join(others[:20])}{' ...' if len(others) > 20 else ''}.",
            guid=guid,
            rule="guid-duplicate",
            ifc_class=row.ifc_class,
            step_id=int(row.step_id),
            others=others,
        )

total = len(entities)
result.update(
    status="PASS" if len(invalid) == 0 and len(repeated) == 0 else "FAIL",
    total=total,
    unique=int(guids.nunique()),
    duplicates=int(len(dupes)),
    duplicate_guids=int(len(repeated)),
    invalid=int(len(invalid)),
)
print(
    f"Checked {total} rooted entities: {result['invalid']} invalid GlobalIds, "
    f"{result['duplicate_guids']} GlobalIds used more than once ({result['duplicates']} entities)."
)
