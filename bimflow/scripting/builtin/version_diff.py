"""Version diff: what changed between this version and another one, element by element.

Elements are matched by GlobalId. Compared per element: class, name, type (name), storey,
materials and every property and quantity value (as the data pack holds them, type
values included); optionally the placement (world position, to the millimetre). Not
compared: the shape itself, relationships other than those above, and entities that are
not products.
"""

META = {
    "slug": "version-diff",
    "name": "Version diff",
    "description": "Compares this version with another (by default the model's previous "
    "version) by GUID: elements added, removed and changed (class, name, type, storey, "
    "materials, property values, optionally placement), each change old -> new. Writes "
    "diff.xlsx.",
    "category": "analysis",
    "parameters_schema": {
        "type": "object",
        "properties": {
            "compare_to": {
                "type": "integer",
                "format": "model-version",
                "x-default": "previous",
                "description": "The version to compare with (the old one); by default the "
                "previous version of this model.",
            },
            "compare_properties": {"type": "boolean", "default": True},
            "compare_placement": {
                "type": "boolean",
                "default": False,
                "description": "Also report elements whose world position moved by more "
                "than 1 mm (opens both IFC files).",
            },
            "findings": {
                "enum": ["all", "changed", "none"],
                "default": "all",
                "description": "Which elements get a finding: added, removed and changed "
                "(all), only changed ones, or none (the counts and diff.xlsx stay complete).",
            },
        },
    },
}

import os

import pandas as pd
from openpyxl import Workbook

old = open_version(params["compare_to"])
FIELDS = {"ifc_class": "class", "name": "name", "type_name": "type", "storey": "storey"}
FIELDS["materials"] = "materials"


def prepared(frame):
    frame = frame[["guid", *FIELDS]]
    duplicates = int(frame["guid"].duplicated().sum())
    return frame.drop_duplicates("guid").set_index("guid"), duplicates


new_el, new_dupes = prepared(elements)
old_el, old_dupes = prepared(old.elements)
added = new_el.index.difference(old_el.index)
removed = old_el.index.difference(new_el.index)
common = new_el.index.intersection(old_el.index)


def norm(series):
    """Missing (None, NaN, NA) and empty text are all 'no value'."""
    return series.astype(object).map(lambda v: None if v is None or v == "" or pd.isna(v) else v)


changes = []  # guid, field, old, new
a, b = old_el.loc[common], new_el.loc[common]
for column, label in FIELDS.items():
    before, after = norm(a[column]), norm(b[column])
    differs = before.ne(after) & ~(before.isna() & after.isna())
    for guid in differs[differs].index:
        changes.append((guid, label, before[guid], after[guid]))

if params["compare_properties"]:
    keys = ["guid", "pset", "name"]

    def props(frame):
        frame = frame[frame["guid"].isin(common)][[*keys, "value"]]
        return frame.drop_duplicates(keys)

    merged = props(old.properties).merge(
        props(properties), on=keys, how="outer", suffixes=("_old", "_new"), indicator=True
    )
    vo, vn = norm(merged["value_old"]), norm(merged["value_new"])
    differs = (merged["_merge"] != "both") | (vo.ne(vn) & ~(vo.isna() & vn.isna()))
    for row, o, n in zip(merged[differs].itertuples(index=False), vo[differs], vn[differs],
                         strict=True):  # fmt: skip
        changes.append((row.guid, f"{row.pset}.{row.name}", o, n))

placement_checked = 0
if params["compare_placement"]:
    import ifcopenshell.util.placement
    import ifcopenshell.util.unit
    import numpy as np

    def position(ifc, guid, scale):
        element = ifc.by_guid(guid)
        if getattr(element, "ObjectPlacement", None) is None:
            return None
        matrix = ifcopenshell.util.placement.get_local_placement(element.ObjectPlacement)
        return matrix[:3, 3] * scale

    old_scale = ifcopenshell.util.unit.calculate_unit_scale(old.model)
    new_scale = ifcopenshell.util.unit.calculate_unit_scale(model)
    for guid in common:
        p_old, p_new = position(old.model, guid, old_scale), position(model, guid, new_scale)
        placement_checked += 1
        if p_old is None and p_new is None:
            continue
        if p_old is None or p_new is None or np.abs(p_old - p_new).max() > 0.001:
            fmt = lambda p: None if p is None else ", ".join(f"{c:.3f}" for c in p)  # noqa: E731
            changes.append((guid, "placement (m)", fmt(p_old), fmt(p_new)))


def clean(value):
    """JSON-safe: NaN is no value; numpy scalars become Python ones."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


change_frame = pd.DataFrame(changes, columns=["guid", "field", "old", "new"], dtype=object)
change_frame = change_frame.sort_values(["guid", "field"], kind="stable")
changed = change_frame["guid"].unique()
by_field = change_frame["field"].value_counts()
by_kind = {
    "attributes": int(change_frame["field"].isin(FIELDS.values()).sum()),
    "placement": int((change_frame["field"] == "placement (m)").sum()),
}
by_kind["properties"] = len(change_frame) - by_kind["attributes"] - by_kind["placement"]

mode = params["findings"]
if mode == "all":
    for guid in added:
        row = new_el.loc[guid]
        report.info(
            f"Added: {row.ifc_class} '{row['name'] or ''}'.",
            guid=guid, rule="added", ifc_class=row.ifc_class,
        )  # fmt: skip
    for guid in removed:
        row = old_el.loc[guid]
        report.warning(
            f"Removed: {row.ifc_class} '{row['name'] or ''}' (was in version {old.number}).",
            guid=guid, rule="removed", ifc_class=row.ifc_class,
        )  # fmt: skip
if mode in ("all", "changed"):
    for guid, group in change_frame.groupby("guid", sort=True):
        row = new_el.loc[guid]
        listed = [
            {"field": f, "old": clean(o), "new": clean(n)}
            for f, o, n in zip(group["field"], group["old"], group["new"], strict=True)
        ]
        text = "; ".join(f"{c['field']}: {c['old']!r} -> {c['new']!r}" for c in listed[:10])
        more = f" (and {len(listed) - 10} more)" if len(listed) > 10 else ""
        report.info(
            f"Changed {row.ifc_class} '{row['name'] or ''}': {text}{more}.",
            guid=guid, rule="changed", ifc_class=row.ifc_class, changes=listed,
        )  # fmt: skip


def listing(index, frame):
    part = frame.loc[index].reset_index()
    return part.rename(columns=FIELDS)


book = Workbook(write_only=True)
sheet = book.create_sheet("Summary")
counts = {
    "old_version": old.id,
    "old_version_number": old.number,
    "old_elements": int(len(old_el)),
    "new_elements": int(len(new_el)),
    "added": int(len(added)),
    "removed": int(len(removed)),
    "changed": int(len(changed)),
    "unchanged": int(len(common) - len(changed)),
    "changes": int(len(change_frame)),
}
for key, value in counts.items():
    sheet.append([key, value])
for title, frame in (("Added", listing(added, new_el)), ("Removed", listing(removed, old_el))):
    sheet = book.create_sheet(title)
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([None if pd.isna(v) else v for v in row])
sheet = book.create_sheet("Changed")
names = new_el["name"]
classes = new_el["ifc_class"]
sheet.append(["guid", "class", "name", "field", "old", "new"])
for row in change_frame.itertuples(index=False):
    name = names.get(row.guid)
    sheet.append(
        [row.guid, classes.get(row.guid), None if pd.isna(name) else name, row.field]
        + [None if clean(v) is None else str(v) for v in (row.old, row.new)]
    )
book.save(os.path.join(str(output_dir), "diff.xlsx"))

result.update(
    counts,
    compared=list(FIELDS.values())
    + (["property values"] if params["compare_properties"] else [])
    + (["placement"] if params["compare_placement"] else []),
    placement_checked=placement_checked,
    changes_by_kind=by_kind,
    changes_by_field={str(k): int(v) for k, v in by_field.head(50).items()},
    changes_by_field_total=int(len(by_field)),
    duplicate_guids_ignored={"old": old_dupes, "new": new_dupes},
    added_guids=sorted(added.tolist()),
    removed_guids=sorted(removed.tolist()),
    changed_guids=sorted(changed.tolist()),
)
print(
    f"Compared with version {old.number} of {old.model_name}: {counts['added']} added, "
    f"{counts['removed']} removed, {counts['changed']} changed ({counts['changes']} changes), "
    f"{counts['unchanged']} unchanged."
)
