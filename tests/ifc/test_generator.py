"""The synthetic building generator: exact size, determinism, valid IFC, every field used."""

from __future__ import annotations

import hashlib
import itertools
import re
from pathlib import Path

import ifcopenshell
import ifcopenshell.guid
import ifcopenshell.util.classification
import ifcopenshell.util.element
import ifcopenshell.util.placement
import ifcopenshell.util.system
import ifcopenshell.validate
import pytest
from ifc_oracles import oracle_psets

from bimflow.ifc.generator import generate_building, main, storey_count

GUID = re.compile(r"^[0-3][0-9A-Za-z_$]{21}$")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("products", [3, 4, 20, 21, 22, 137, 1000])
def test_exactly_the_requested_number_of_products(tmp_path: Path, products: int) -> None:
    summary = generate_building(tmp_path / "b.ifc", products=products, seed=1)
    model = ifcopenshell.open(str(tmp_path / "b.ifc"))
    assert len(model.by_type("IfcProduct")) == products == summary["products"]
    assert len(model.by_type("IfcBuildingStorey")) == storey_count(products) == summary["storeys"]
    assert len(model.by_type("IfcSite")) == len(model.by_type("IfcBuilding")) == 1


def test_too_small_or_unknown_schema_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 3"):
        generate_building(tmp_path / "b.ifc", products=2)
    with pytest.raises(ValueError, match="schema"):
        generate_building(tmp_path / "b.ifc", products=10, schema="IFC5")


@pytest.mark.parametrize("schema", ["IFC4", "IFC2X3"])
def test_same_seed_same_bytes_other_seed_other_content(tmp_path: Path, schema: str) -> None:
    first = tmp_path / "one" / "b.ifc"
    second = tmp_path / "two" / "b.ifc"
    other = tmp_path / "three" / "b.ifc"
    generate_building(first, products=300, seed=7, schema=schema)
    generate_building(second, products=300, seed=7, schema=schema)
    generate_building(other, products=300, seed=8, schema=schema)
    assert digest(first) == digest(second)
    assert digest(first) != digest(other)


def test_guids_are_valid_and_unique(generated_ifc4: Path, generated_ifc2x3: Path) -> None:
    for path in (generated_ifc4, generated_ifc2x3):
        model = ifcopenshell.open(str(path))
        guids = [e.GlobalId for e in model.by_type("IfcRoot")]
        assert len(guids) == len(set(guids))
        for guid in guids:
            assert GUID.match(guid), guid
            assert ifcopenshell.guid.compress(ifcopenshell.guid.expand(guid)) == guid


@pytest.mark.parametrize("schema", ["IFC4", "IFC2X3", "IFC4X3"])
def test_small_building_validates(tmp_path: Path, schema: str) -> None:
    path = tmp_path / "b.ifc"
    generate_building(path, products=60, seed=2, schema=schema)
    model = ifcopenshell.open(str(path))
    logger = ifcopenshell.validate.json_logger()
    ifcopenshell.validate.validate(model, logger, express_rules=True)
    assert logger.statements == []


def test_every_catalog_field_is_used(generated_ifc4: Path) -> None:
    model = ifcopenshell.open(str(generated_ifc4))
    util = ifcopenshell.util.element
    products = model.by_type("IfcProduct")
    assert any(p.Name for p in products)
    assert any(p.Description for p in products)
    assert any(p.ObjectType for p in products)
    assert any(util.get_predefined_type(p) == "Edge beam" for p in products)
    assert any(util.get_type(p) for p in products)
    assert any(util.get_container(p) for p in products)
    assert any(len(util.get_materials(p)) > 1 for p in products)
    assert any(ifcopenshell.util.system.get_element_systems(p) for p in products)
    assert any(ifcopenshell.util.classification.get_references(p) for p in products)
    assert any(p.Representation for p in products)
    assert model.by_type("IfcMapConversion") and model.by_type("IfcSite")[0].RefLatitude
    kinds = {prop.is_a() for prop in model.by_type("IfcProperty")}
    assert {"IfcPropertySingleValue", "IfcPropertyEnumeratedValue", "IfcPropertyListValue",
            "IfcPropertyBoundedValue"} <= kinds  # fmt: skip
    wall = next(p for p in products if p.is_a() == "IfcWall")
    psets = oracle_psets(wall)
    assert {"Pset_WallCommon", "Qto_WallBaseQuantities", "bimflow_Identity"} <= set(psets)
    assert {"IsExternal", "LoadBearing", "FireRating", "Reference"} <= set(psets["Pset_WallCommon"])
    assert {"Length", "Height", "Width", "NetSideArea", "NetVolume"} <= set(
        psets["Qto_WallBaseQuantities"]
    )
    for cls in ("IfcWall", "IfcSlab", "IfcColumn", "IfcBeam", "IfcDoor", "IfcWindow", "IfcSpace",
                "IfcOpeningElement", "IfcPipeSegment"):  # fmt: skip
        assert model.by_type(cls), cls
    for cls in ("IfcWallType", "IfcSlabType", "IfcColumnType", "IfcBeamType", "IfcDoorType",
                "IfcWindowType", "IfcSpaceType", "IfcPipeSegmentType"):  # fmt: skip
        assert model.by_type(cls), cls
    layer_sets = model.by_type("IfcMaterialLayerSet")
    assert layer_sets and model.by_type("IfcMaterialConstituentSet")


def test_summary_counts_property_values(tmp_path: Path) -> None:
    summary = generate_building(tmp_path / "b.ifc", products=250, seed=4)
    model = ifcopenshell.open(str(tmp_path / "b.ifc"))
    expected = sum(
        len(values) for p in model.by_type("IfcProduct") for values in oracle_psets(p).values()
    )
    assert summary["property_values"] == expected


def boxes(
    model: ifcopenshell.file, classes: tuple[str, ...]
) -> list[tuple[str, tuple[float, ...]]]:
    """World-space axis-aligned boxes of extruded rectangles, from placements and profiles."""
    found = []
    for cls in classes:
        for product in model.by_type(cls):
            matrix = ifcopenshell.util.placement.get_local_placement(product.ObjectPlacement)
            solid = product.Representation.Representations[0].Items[0]
            profile = solid.SweptArea
            x, y, z = (float(v) for v in matrix[:3, 3])
            cx, cy = profile.Position.Location.Coordinates
            x0, y0 = x + cx - profile.XDim / 2, y + cy - profile.YDim / 2
            found.append(
                (
                    f"{cls} #{product.id()}",
                    (x0, y0, z, x0 + profile.XDim, y0 + profile.YDim, z + solid.Depth),
                )
            )
    return found


def test_solid_elements_do_not_overlap(generated_ifc4: Path) -> None:
    model = ifcopenshell.open(str(generated_ifc4))
    solids = boxes(
        model, ("IfcWall", "IfcSlab", "IfcColumn", "IfcBeam", "IfcSpace", "IfcPipeSegment")
    )
    assert len(solids) > 100
    eps = 1e-6
    for (a, box_a), (b, box_b) in itertools.combinations(solids, 2):
        overlap = all(
            min(box_a[i + 3], box_b[i + 3]) - max(box_a[i], box_b[i]) > eps for i in range(3)
        )
        assert not overlap, (a, box_a, b, box_b)


def test_doors_and_windows_sit_inside_their_openings(generated_ifc4: Path) -> None:
    model = ifcopenshell.open(str(generated_ifc4))
    located = dict(boxes(model, ("IfcDoor", "IfcWindow", "IfcOpeningElement")))
    for filling in model.by_type("IfcDoor") + model.by_type("IfcWindow"):
        opening = filling.FillsVoids[0].RelatingOpeningElement
        inner = located[f"{filling.is_a()} #{filling.id()}"]
        outer = located[f"IfcOpeningElement #{opening.id()}"]
        assert all(
            outer[i] <= inner[i] + 1e-6 and inner[i + 3] <= outer[i + 3] + 1e-6 for i in range(3)
        )


def test_cli_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.ifc"
    assert main([str(out), "--products", "50", "--seed", "5", "--schema", "IFC2X3"]) == 0
    assert len(ifcopenshell.open(str(out)).by_type("IfcProduct")) == 50
    assert "50 products" in capsys.readouterr().out


@pytest.mark.slow
def test_twenty_thousand_products(tmp_path: Path) -> None:
    summary = generate_building(tmp_path / "big.ifc", products=20_000, seed=0)
    model = ifcopenshell.open(str(tmp_path / "big.ifc"))
    assert len(model.by_type("IfcProduct")) == 20_000 == summary["products"]
    guids = [e.GlobalId for e in model.by_type("IfcRoot")]
    assert len(guids) == len(set(guids))
