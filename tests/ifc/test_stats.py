"""statistics(): counts that agree with the model as ifcopenshell reads it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import ifcopenshell
from ifc_oracles import oracle_psets, oracle_storey

from bimflow.ifc.extract import extract
from bimflow.ifc.stats import NO_STOREY, statistics
from bimflow.ifc.testing import api_building


def test_statistics_of_generated_building(generated_ifc4: Path) -> None:
    model = ifcopenshell.open(str(generated_ifc4))
    products = model.by_type("IfcProduct")
    stats = statistics(extract(generated_ifc4))
    json.dumps(stats)

    classes = Counter(p.is_a() for p in products)
    assert stats["by_class"] == [
        {"ifc_class": cls, "count": count}
        for cls, count in sorted(classes.items(), key=lambda item: (-item[1], item[0]))
    ]
    totals = stats["totals"]
    assert totals["elements"] == len(products)
    assert totals["classes"] == len(classes)
    assert totals["storeys"] == len(model.by_type("IfcBuildingStorey"))
    assert totals["with_geometry"] == sum(p.Representation is not None for p in products)
    assert totals["property_values"] == sum(
        len(values) for p in products for values in oracle_psets(p).values()
    )

    storeys = Counter(oracle_storey(p).GlobalId if oracle_storey(p) else None for p in products)
    by_storey = {row["storey_guid"]: row["count"] for row in stats["by_storey"]}
    assert by_storey == dict(storeys)
    assert stats["by_storey"][-1]["storey"] == NO_STOREY  # site, building, the storeys

    walls = [p for p in products if p.is_a() == "IfcWall"]
    coverage = {(row["ifc_class"], row["pset"]): row for row in stats["property_coverage"]}
    row = coverage[("IfcWall", "Qto_WallBaseQuantities")]
    assert row["count"] == len(walls) and row["share"] == 1.0 and row["kind"] == "qto"
    spaces = [p for p in products if p.is_a() == "IfcSpace"]
    assert coverage[("IfcSpace", "bimflow_Occupancy")]["count"] == len(spaces)
    assert {m["name"] for m in stats["materials"]} >= {"Brick", "Concrete C30/37", "Glass"}
    assert {s["name"] for s in stats["systems"]} == {"Heating supply", "Domestic cold water"}


def test_partial_coverage_share() -> None:
    model = api_building("IFC4", walls=2)
    import ifcopenshell.api.pset

    wall = model.by_type("IfcWall")[0]
    pset = ifcopenshell.api.pset.add_pset(model, product=wall, name="Custom")
    ifcopenshell.api.pset.edit_pset(model, pset=pset, properties={"Note": "x"})
    rows = {(r["ifc_class"], r["pset"]): r for r in statistics(extract(model))["property_coverage"]}
    assert rows[("IfcWall", "Custom")]["share"] == 0.5
    assert rows[("IfcWall", "Pset_WallCommon")]["share"] == 1.0
