"""extract() on every shared model (and generated ones) against ifcopenshell's own answers."""

from __future__ import annotations

import math
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import ifcopenshell
import ifcopenshell.util.classification
import ifcopenshell.util.element
import ifcopenshell.util.system
import pytest
from ifc_oracles import (
    MODELS,
    model_id,
    needs_data,
    open_plain,
    oracle_materials,
    oracle_psets,
    oracle_storey,
)

from bimflow.ifc.extract import Extraction, extract


@cache
def extracted(path: Path) -> tuple[Extraction, ifcopenshell.file]:
    return extract(path), open_plain(path)


def same(left: Any, right: Any) -> bool:
    """Equality, with NaN equal to NaN (a float property may be NaN)."""
    if isinstance(left, float) and isinstance(right, float):
        return left == right or (math.isnan(left) and math.isnan(right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right) and type(left) is type(right)


def classification_label(reference: ifcopenshell.entity_instance) -> str:
    if reference.is_a("IfcClassification"):
        return str(reference.Name or "")
    identification = getattr(reference, "Identification", None) or getattr(
        reference, "ItemReference", None
    )
    return " ".join(str(p) for p in (identification, reference.Name) if p)


def check_model(path: Path) -> None:
    extraction, model = extracted(path)
    util = ifcopenshell.util.element
    products = model.by_type("IfcProduct")
    by_id = {e.step_id: e for e in extraction.elements}

    assert Counter(e.ifc_class for e in extraction.elements) == Counter(p.is_a() for p in products)
    assert len(by_id) == len(products)
    assert sorted(extraction.entities) == sorted(
        (e.GlobalId, e.is_a(), e.id()) for e in model.by_type("IfcRoot")
    )

    for product in products:
        record = by_id[product.id()]
        context = f"{path.name} #{product.id()} {product.is_a()}"
        assert record.guid == product.GlobalId, context
        assert record.name == product.Name, context
        assert record.description == product.Description, context
        assert record.object_type == product.ObjectType, context
        assert record.predefined_type == util.get_predefined_type(product), context
        assert record.has_geometry == (product.Representation is not None), context
        assert same(record.psets(), oracle_psets(product)), context

        element_type = util.get_type(product)
        assert record.type_guid == (element_type.GlobalId if element_type else None), context
        assert record.type_name == (element_type.Name if element_type else None), context
        assert record.type_class == (element_type.is_a() if element_type else None), context

        storey = oracle_storey(product)
        assert record.storey_guid == (storey.GlobalId if storey else None), context
        assert record.storey == (storey.Name if storey else None), context

        assert record.materials == oracle_materials(product), context
        assert record.systems == [
            s.Name for s in ifcopenshell.util.system.get_element_systems(product)
        ], context
        references = ifcopenshell.util.classification.get_references(product)
        assert record.classifications == sorted({classification_label(r) for r in references})

        for value in record.properties:
            assert value.source in ("own", "type") and value.kind in ("pset", "qto"), context

    assert extraction.meta["counts"] == {
        "products": len(products),
        "entities": len(model.by_type("IfcRoot")),
        "property_values": sum(len(e.properties) for e in extraction.elements),
        "types": len(model.by_type("IfcTypeObject")),
    }
    assert extraction.meta["schema"] == model.schema


@needs_data
@pytest.mark.parametrize("path", MODELS, ids=model_id)
def test_shared_model_matches_ifcopenshell(path: Path) -> None:
    check_model(path)


def test_generated_ifc4_matches_ifcopenshell(generated_ifc4: Path) -> None:
    check_model(generated_ifc4)


def test_generated_ifc2x3_matches_ifcopenshell(generated_ifc2x3: Path) -> None:
    check_model(generated_ifc2x3)


@needs_data
@pytest.mark.parametrize("path", MODELS, ids=model_id)
def test_property_source_marks_inherited_values(path: Path) -> None:
    extraction, model = extracted(path)
    util = ifcopenshell.util.element
    for record in extraction.elements:
        own = util.get_psets(model.by_id(record.step_id), should_inherit=False)
        for value in record.properties:
            is_own = value.pset in own and value.name in own[value.pset]
            assert value.source == ("own" if is_own else "type"), (record.step_id, value)
            kind_of_set = model.by_id(own[value.pset]["id"]).is_a() if is_own else None
            if kind_of_set is not None:
                assert value.kind == ("qto" if kind_of_set == "IfcElementQuantity" else "pset")


@needs_data
def test_catalogs_count_elements() -> None:
    path = next(p for p in MODELS if p.name == "AC20-FZK-Haus.ifc")
    extraction, model = extracted(path)
    storeys = {s["guid"]: s for s in extraction.storeys}
    assert set(storeys) == {s.GlobalId for s in model.by_type("IfcBuildingStorey")}
    for guid, storey in storeys.items():
        assert storey["element_count"] == sum(
            1 for e in extraction.elements if e.storey_guid == guid
        )
    assert [s["elevation"] for s in extraction.storeys] == sorted(
        s["elevation"] for s in extraction.storeys
    )
    counts = Counter(name for e in extraction.elements for name in e.materials)
    assert {m["name"]: m["element_count"] for m in extraction.materials} == dict(counts)
