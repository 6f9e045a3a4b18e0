"""Export the elements as CSV, with their property values as columns."""

META = {
    "slug": "export-csv",
    "name": "Export to CSV",
    "description": "Writes elements.csv: one row per element with GUID, class, name, type, "
    "storey and, optionally, property values as 'Pset.Property' columns.",
    "category": "export",
    "parameters_schema": {
        "type": "object",
        "properties": {
            "include_properties": {
                "type": "boolean",
                "default": True,
                "description": "Add a column per property (Pset.Property).",
            },
            "ifc_class": {
                "type": "string",
                "description": "Only elements of this IFC class (e.g. IfcWall).",
            },
            "properties": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Only these property columns, as 'Pset.Property'.",
            },
        },
    },
}

table = elements[["guid", "ifc_class", "name", "type_name", "storey"]].rename(
    columns={"ifc_class": "class", "type_name": "type"}
)
if params.get("ifc_class"):
    table = table[table["class"] == params["ifc_class"]]

columns = []
if params["include_properties"]:
    props = properties[properties["guid"].isin(table["guid"])]
    column = props["pset"] + "." + props["name"]
    if params.get("properties"):
        wanted = set(params["properties"])
        props, column = props[column.isin(wanted)], column[column.isin(wanted)]
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

save_output("elements.csv", table)
result.update(rows=int(len(table)), property_columns=len(columns), columns=list(table.columns))
print(f"Wrote elements.csv: {len(table)} rows, {len(columns)} property columns.")
