"""Statistics of one extraction, precomputed at ingest for the Statistics tab.

Plain JSON-serialisable dicts. Elements without a storey are counted under
``"(no storey)"`` (``NO_STOREY``), listed after the storeys, which come in building
order (by elevation), each with its guid so that storeys sharing a name stay apart.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from bimflow.ifc.records import Extraction

NO_STOREY = "(no storey)"


def statistics(extraction: Extraction) -> dict[str, Any]:
    """Totals, counts by class and storey, property set coverage, materials, systems."""
    elements = extraction.elements
    by_class: Counter[str] = Counter()
    by_storey: Counter[str | None] = Counter()
    set_counts: Counter[tuple[str, str]] = Counter()
    set_kinds: dict[str, str] = {}
    with_geometry = 0
    property_values = 0
    for element in elements:
        cls = element.ifc_class
        by_class[cls] += 1
        by_storey[element.storey_guid] += 1
        with_geometry += element.has_geometry
        properties = element.properties
        property_values += len(properties)
        names = {p.pset for p in properties}
        for prop in properties:
            if prop.pset not in set_kinds:
                set_kinds[prop.pset] = prop.kind
        names.update(element.empty_psets)
        for name in names:
            set_counts[(cls, name)] += 1

    storeys = []
    for storey in extraction.storeys:
        storeys.append(
            {
                "storey": storey["name"],
                "storey_guid": storey["guid"],
                "elevation": storey["elevation"],
                "count": by_storey.get(storey["guid"], 0),
            }
        )
    if by_storey.get(None):
        storeys.append(
            {"storey": NO_STOREY, "storey_guid": None, "elevation": None, "count": by_storey[None]}
        )

    coverage: list[dict[str, Any]] = [
        {
            "ifc_class": cls,
            "pset": name,
            "kind": set_kinds.get(name, "pset"),
            "count": count,
            "share": count / by_class[cls],
        }
        for (cls, name), count in set_counts.items()
    ]
    coverage.sort(key=lambda row: (row["ifc_class"], -row["count"], str(row["pset"])))

    return {
        "totals": {
            "elements": len(elements),
            "classes": len(by_class),
            "storeys": len(extraction.storeys),
            "property_values": property_values,
            "materials": len(extraction.materials),
            "systems": len(extraction.systems),
            "with_geometry": with_geometry,
        },
        "by_class": [
            {"ifc_class": cls, "count": count}
            for cls, count in sorted(by_class.items(), key=lambda item: (-item[1], item[0]))
        ],
        "by_storey": storeys,
        "property_coverage": coverage,
        "materials": [
            {"name": m["name"], "count": m["element_count"]} for m in extraction.materials
        ],
        "systems": [
            {
                "name": s["name"],
                "guid": s["guid"],
                "ifc_class": s["ifc_class"],
                "count": s["element_count"],
            }
            for s in extraction.systems
        ],
    }
