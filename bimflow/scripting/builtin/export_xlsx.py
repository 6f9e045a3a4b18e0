"""Export the elements as an Excel workbook: one sheet per class, or one sheet.

Like export-csv (GUID, class, name, type, storey, materials and property values as
'Pset.Property' columns), with filters. A sheet holds at most 1,000,000 rows; more
continue on the next sheet ("IfcWall (2)"), never dropped.
"""

META = {
    "slug": "export-xlsx",
    "name": "Export to Excel",
    "description": "Writes elements.xlsx: one sheet per IFC class (or one sheet), one row "
    "per element with GUID, class, name, type, storey, materials and, optionally, property "
    "values; filter by class, storey, material or name.",
    "category": "export",
    "parameters_schema": {
        "type": "object",
        "properties": {
            "one_sheet": {
                "type": "boolean",
                "default": False,
                "description": "All elements on one sheet instead of one sheet per class.",
            },
            "include_properties": {"type": "boolean", "default": True},
            "properties": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Only these property columns, as 'Pset.Property'.",
            },
            "ifc_classes": {"type": "array", "items": {"type": "string"}},
            "storeys": {"type": "array", "items": {"type": "string"}},
            "material_contains": {"type": "string"},
            "name_contains": {"type": "string"},
            "file_name": {
                "type": "string",
                "default": "elements.xlsx",
                "pattern": r"^[^/\\]+\.xlsx$",
            },
        },
    },
}

import os
import re

import pandas as pd
from openpyxl import Workbook

table = elements[
    ["guid", "ifc_class", "name", "type_name", "storey", "materials", "classifications"]
].rename(columns={"ifc_class": "class", "type_name": "type"})
filters = []
if params.get("ifc_classes"):
    table = table[table["class"].isin(params["ifc_classes"])]
    filters.append(f"class in {params['ifc_classes']}")
if params.get("storeys"):
    table = table[table["storey"].isin(params["storeys"])]
    filters.append(f"storey in {params['storeys']}")
if params.get("material_contains"):
    table = table[table["materials"].str.contains(params["material_contains"], regex=False)]
    filters.append(f"material contains {params['material_contains']!r}")
if params.get("name_contains"):
    table = table[
        table["name"].fillna("").str.contains(params["name_contains"], regex=False, case=False)
    ]
    filters.append(f"name contains {params['name_contains']!r}")

columns = []
if params["include_properties"] and len(table):
    props = properties[properties["guid"].isin(table["guid"])]
    column = props["pset"] + "." + props["name"]
    if params.get("properties"):
        keep = column.isin(set(params["properties"]))
        props, column = props[keep], column[keep]
    if len(props):
        wide = (
            props.assign(column=column)
            .drop_duplicates(["guid", "column"])
            .pivot(index="guid", columns="column", values="value")
        )
        columns = sorted(wide.columns)
        table = table.merge(wide[columns], how="left", left_on="guid", right_index=True)
for name in params.get("properties") or []:
    if name not in table.columns:
        table[name] = None
        columns.append(name)

LIMIT = 1_000_000
book = Workbook(write_only=True)
sheets = []
used = set()


def sheet_title(base):
    base = re.sub(r"[\[\]:*?/\\]", "_", base)[:28] or "Sheet"
    title, n = base, 2
    while title.lower() in used:
        title, n = f"{base[:25]} ({n})", n + 1
    used.add(title.lower())
    return title


def write(base, frame):
    # Drop property columns that are empty for every row of this sheet.
    frame = frame.dropna(axis=1, how="all") if not params.get("properties") else frame
    for start in range(0, max(len(frame), 1), LIMIT):
        part = frame.iloc[start : start + LIMIT]
        title = sheet_title(base if start == 0 else f"{base} ({start // LIMIT + 1})")
        sheet = book.create_sheet(title)
        sheet.append(list(part.columns))
        for row in part.itertuples(index=False):
            sheet.append([None if pd.isna(v) else v for v in row])
        sheets.append({"sheet": title, "rows": int(len(part)), "columns": len(part.columns)})


table = table.sort_values(["class", "storey", "name"], na_position="last")
if params["one_sheet"]:
    write("Elements", table)
else:
    for ifc_class, frame in table.groupby("class", sort=True):
        write(ifc_class, frame)
    if not len(table):
        write("Elements", table)

book.save(os.path.join(str(output_dir), params["file_name"]))
result.update(
    file=params["file_name"],
    rows=int(len(table)),
    elements_in_model=int(len(elements)),
    filters=filters,
    property_columns=len(columns),
    sheets=sheets,
)
print(f"Wrote {params['file_name']}: {len(table)} rows on {len(sheets)} sheets.")
