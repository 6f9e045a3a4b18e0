"""Level of development per IFC class, from geometry and property richness.

An element's score is 0.6 x (has geometry) + 0.4 x min(property count / 20, 1); a class's
mean score maps to LOD 100 (< 0.3), LOD 200 (< 0.6) or LOD 300+.
"""

META = {
    "slug": "lod-analyzer",
    "name": "LOD analyzer",
    "description": "Scores each element by geometry and property richness and rates each "
    "IFC class LOD 100, 200 or 300+. Writes lod.csv.",
    "category": "analysis",
    "parameters_schema": {"type": "object", "properties": {}},
}

counts = properties.groupby("guid").size()
table = elements[["guid", "ifc_class", "has_geometry"]].copy()
table["property_count"] = table["guid"].map(counts).fillna(0).astype(int)
table["score"] = 0.6 * table["has_geometry"].astype(float) + 0.4 * (
    table["property_count"] / 20
).clip(upper=1.0)


def lod(mean: float) -> str:
    return "LOD 100" if mean < 0.3 else "LOD 200" if mean < 0.6 else "LOD 300+"


rows = []
for ifc_class, group in table.groupby("ifc_class", sort=True):
    mean = float(group["score"].mean())
    rows.append(
        {
            "ifc_class": ifc_class,
            "count": int(len(group)),
            "with_geometry": int(group["has_geometry"].sum()),
            "with_properties": int((group["property_count"] > 0).sum()),
            "mean_score": round(mean, 4),
            "lod": lod(mean),
        }
    )

import pandas as pd

save_output("lod.csv", pd.DataFrame(rows))
result.update(classes=rows, elements=int(len(table)))
for r in rows:
    print(f"{r['ifc_class']}: {r['count']} elements, mean score {r['mean_score']:.2f}, {r['lod']}")
