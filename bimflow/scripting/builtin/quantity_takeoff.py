"""Quantity take-off: count, length, area and volume summed by class, type and storey.

Quantities come from the elements' quantity sets (Qto_*, IfcElementQuantity) in the data
pack, converted to metres; where an element with geometry has none, they are computed
from its geometry (and the result says for how many). Writes quantities.xlsx.

Which quantity counts (the first one present, in this order):
- length: Length, NetLength, GrossLength
- area: NetArea, NetSideArea, NetFloorArea, GrossArea, GrossSideArea, GrossFloorArea, Area
- volume: NetVolume, GrossVolume, Volume
From geometry: volume of the closed mesh; area the footprint (slabs, spaces, roofs,
coverings, plates) or the largest side; length (linear elements only: walls, beams,
columns, members, piles, segments, railings) the longest bounding-box edge.
"""

META = {
    "slug": "quantity-takeoff",
    "name": "Quantity take-off",
    "description": "Sums count, length, area and volume by class, type and storey, from "
    "quantity sets, falling back to geometry where they are absent (and saying so). "
    "Writes quantities.xlsx and quantities-elements.csv.",
    "category": "analysis",
    "parameters_schema": {
        "type": "object",
        "properties": {
            "ifc_classes": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Only these classes (exact names); all products by default.",
            },
            "skip_classes": {
                "type": "array",
                "items": {"type": "string"},
                "default": [
                    "IfcOpeningElement",
                    "IfcSite",
                    "IfcBuilding",
                    "IfcBuildingStorey",
                    "IfcAnnotation",
                    "IfcGrid",
                    "IfcVirtualElement",
                ],
            },
            "geometry_fallback": {
                "type": "boolean",
                "default": True,
                "description": "Compute missing quantities from geometry.",
            },
            "geometry_limit": {
                "type": "integer",
                "minimum": 0,
                "default": 5000,
                "description": "At most this many elements get quantities from geometry; "
                "the others stay without (counted in the result).",
            },
        },
    },
}

import os

import numpy as np
import pandas as pd

LENGTH = ["Length", "NetLength", "GrossLength"]
AREA = ["NetArea", "NetSideArea", "NetFloorArea", "GrossArea", "GrossSideArea"]
AREA += ["GrossFloorArea", "Area"]
VOLUME = ["NetVolume", "GrossVolume", "Volume"]
SCALE = {
    "length": {"m": 1.0, "mm": 1e-3, "cm": 1e-2, "dm": 1e-1, "km": 1e3, "ft": 0.3048,
               "in": 0.0254},
    "area": {"m2": 1.0, "mm2": 1e-6, "cm2": 1e-4, "dm2": 1e-2, "ft2": 0.09290304,
             "in2": 0.00064516},
    "volume": {"m3": 1.0, "mm3": 1e-9, "cm3": 1e-6, "dm3": 1e-3, "l": 1e-3, "ft3": 0.028316846592,
               "in3": 1.6387064e-5},
}  # fmt: skip
FOOTPRINT = {"IfcSlab", "IfcSpace", "IfcRoof", "IfcCovering", "IfcPlate"}
# Only linear elements get a length from geometry (a slab's or a door's "length" means little).
LINEAR = {"IfcBeam", "IfcColumn", "IfcMember", "IfcWall", "IfcWallStandardCase", "IfcPile"}
LINEAR |= {"IfcPipeSegment", "IfcDuctSegment", "IfcCableCarrierSegment", "IfcCableSegment"}
LINEAR |= {"IfcRailing", "IfcFlowSegment"}

table = elements[["guid", "ifc_class", "type_name", "storey", "has_geometry"]].copy()
if params.get("ifc_classes"):
    table = table[table["ifc_class"].isin(params["ifc_classes"])]
table = table[~table["ifc_class"].isin(params["skip_classes"])].reset_index(drop=True)

qto = properties[(properties["kind"] == "qto") & properties["number"].notna()]
qto = qto[qto["guid"].isin(table["guid"])][["guid", "pset", "name", "number", "unit"]]
unknown_units = set()


def pick(kind, names):
    """guid -> (value in SI, 'Qto.Name') for the first quantity present by priority."""
    rows = qto[qto["name"].isin(names)].copy()
    if rows.empty:
        return pd.DataFrame(columns=["guid", kind, f"{kind}_source"]).set_index("guid")
    rows["rank"] = rows["name"].map({n: i for i, n in enumerate(names)})
    units = rows["unit"].astype(object).where(rows["unit"].notna(), None)
    scale = units.map(lambda u: SCALE[kind].get(u, 1.0) if u else 1.0)
    for u in units.dropna().unique():
        if u not in SCALE[kind]:
            unknown_units.add(f"{kind}: {u}")
    rows[kind] = rows["number"].astype(float) * scale.astype(float)
    rows[f"{kind}_source"] = "qto " + rows["pset"] + "." + rows["name"]
    rows = rows.sort_values(["guid", "rank"]).drop_duplicates("guid")
    return rows.set_index("guid")[[kind, f"{kind}_source"]]


for kind, names in (("length", LENGTH), ("area", AREA), ("volume", VOLUME)):
    table = table.join(pick(kind, names), on="guid")

geometry_done = geometry_failed = geometry_skipped = 0
linear = table["ifc_class"].isin(LINEAR)
need = table[
    table["has_geometry"]
    & (table["volume"].isna() | table["area"].isna() | (table["length"].isna() & linear))
]
if params["geometry_fallback"] and len(need):
    import ifcopenshell.geom
    import ifcopenshell.util.shape

    todo = need.iloc[: params["geometry_limit"]]
    geometry_skipped = len(need) - len(todo)
    wanted = []
    for guid in todo["guid"]:
        try:
            wanted.append(model.by_guid(guid))
        except RuntimeError:
            geometry_failed += 1
    settings = ifcopenshell.geom.settings()
    settings.set("use-world-coords", True)
    computed = {}
    if wanted:
        iterator = ifcopenshell.geom.iterator(settings, model, 1, include=wanted)
        if iterator.initialize():
            while True:
                shape = iterator.get()
                geometry = shape.geometry
                verts = np.array(geometry.verts).reshape(-1, 3)
                if len(verts):
                    extent = verts.max(axis=0) - verts.min(axis=0)
                    element = model.by_id(shape.id)
                    if element.is_a() in FOOTPRINT:
                        area = ifcopenshell.util.shape.get_footprint_area(geometry)
                    else:
                        area = ifcopenshell.util.shape.get_max_side_area(geometry)
                    computed[shape.guid] = (
                        float(extent.max()),
                        float(area),
                        float(ifcopenshell.util.shape.get_volume(geometry)),
                    )
                if not iterator.next():
                    break
    for i in todo.index:
        guid = table.at[i, "guid"]
        if guid not in computed:
            geometry_failed += 1
            continue
        geometry_done += 1
        for kind, value in zip(("length", "area", "volume"), computed[guid], strict=True):
            if kind == "length" and not linear.at[i]:
                continue
            if pd.isna(table.at[i, kind]):
                table.at[i, kind] = value
                table.at[i, f"{kind}_source"] = "geometry"
elif len(need):
    geometry_skipped = len(need)

for kind in ("length", "area", "volume"):
    table[f"{kind}_source"] = table[f"{kind}_source"].fillna("none")


table["volume_from_geometry"] = (table["volume_source"] == "geometry").astype(int)


def grouped(by):
    frame = table.assign(**{by: table[by].fillna("(none)")})
    out = frame.groupby(by, sort=True).agg(
        count=("guid", "size"),
        length_m=("length", "sum"),
        area_m2=("area", "sum"),
        volume_m3=("volume", "sum"),
        with_length=("length", "count"),
        with_area=("area", "count"),
        with_volume=("volume", "count"),
        volume_from_geometry=("volume_from_geometry", "sum"),
    )
    return out.reset_index()


groups = {"By class": grouped("ifc_class"), "By type": grouped("type_name")}
groups["By storey"] = grouped("storey")
sources = {
    kind: {
        "from_quantity_sets": int(table[f"{kind}_source"].str.startswith("qto").sum()),
        "from_geometry": int((table[f"{kind}_source"] == "geometry").sum()),
        "missing": int((table[f"{kind}_source"] == "none").sum()),
    }
    for kind in ("length", "area", "volume")
}

from openpyxl import Workbook

book = Workbook(write_only=True)
for title, frame in groups.items():
    sheet = book.create_sheet(title)
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append([v.item() if hasattr(v, "item") else v for v in row])
book.save(os.path.join(str(output_dir), "quantities.xlsx"))
# One row per element with each value's source: CSV, since a 50,000-row sheet would
# cost more than the take-off itself.
columns = ["guid", "ifc_class", "type_name", "storey", "length", "area", "volume"]
columns += ["length_source", "area_source", "volume_source"]
save_output("quantities-elements.csv", table[columns])


def records(frame):
    return [
        {k: (v.item() if hasattr(v, "item") else v) for k, v in r.items()}
        for r in frame.round(6).to_dict("records")
    ]


result.update(
    elements=int(len(table)),
    totals={
        "count": int(len(table)),
        "length_m": round(float(table["length"].sum()), 6),
        "area_m2": round(float(table["area"].sum()), 6),
        "volume_m3": round(float(table["volume"].sum()), 6),
    },
    sources=sources,
    geometry={
        "computed": geometry_done,
        "failed": geometry_failed,
        "skipped": geometry_skipped,
        "fallback": params["geometry_fallback"],
    },
    unknown_units=sorted(unknown_units),
    by_class=records(groups["By class"]),
    by_type=records(groups["By type"]),
    by_storey=records(groups["By storey"]),
    sheets={title: int(len(frame)) for title, frame in groups.items()},
    element_rows=int(len(table)),
)
print(
    f"{len(table)} elements: volume from quantity sets for {sources['volume']['from_quantity_sets']}, "
    f"from geometry for {sources['volume']['from_geometry']}, missing for "
    f"{sources['volume']['missing']}."
)
if geometry_skipped:
    print(f"{geometry_skipped} elements were not measured from geometry (limit or setting).")
