"""The rules extract() decides itself: storeys, units, metadata, progress, sets."""

from __future__ import annotations

from pathlib import Path

import ifcopenshell
import ifcopenshell.api.aggregate
import ifcopenshell.api.pset
import ifcopenshell.api.root
import ifcopenshell.api.spatial
import ifcopenshell.guid
import ifcopenshell.util.element
import ifcopenshell.util.unit
import pytest
from ifc_oracles import IFC_DIR, needs_data

from bimflow.ifc.errors import IfcReadError
from bimflow.ifc.extract import extract
from bimflow.ifc.testing import api_building


def by_name(extraction, name):  # type: ignore[no-untyped-def]
    return next(e for e in extraction.elements if e.name == name)


def test_storey_rule_for_spaces_storeys_and_buildings() -> None:
    model = api_building("IFC4", walls=1)
    storey = model.by_type("IfcBuildingStorey")[0]
    building = model.by_type("IfcBuilding")[0]
    space = ifcopenshell.api.root.create_entity(model, ifc_class="IfcSpace", name="Room")
    ifcopenshell.api.aggregate.assign_object(model, products=[space], relating_object=storey)
    chair = ifcopenshell.api.root.create_entity(model, ifc_class="IfcFurniture", name="Chair")
    ifcopenshell.api.spatial.assign_container(model, products=[chair], relating_structure=space)
    lobby = ifcopenshell.api.root.create_entity(model, ifc_class="IfcFurniture", name="Lobby bench")
    ifcopenshell.api.spatial.assign_container(model, products=[lobby], relating_structure=building)
    loose = ifcopenshell.api.root.create_entity(model, ifc_class="IfcFurniture", name="Loose")

    extraction = extract(model)
    assert by_name(extraction, "Room").storey == "Ground floor"  # aggregated into the storey
    assert by_name(extraction, "Chair").storey == "Ground floor"  # contained in the space
    assert by_name(extraction, "Lobby bench").storey is None  # contained in the building
    assert by_name(extraction, "Loose").storey is None  # not in the spatial structure
    assert by_name(extraction, "Ground floor").storey is None  # a storey has no storey
    assert by_name(extraction, "Wall 0").storey_guid == storey.GlobalId
    assert ifcopenshell.util.element.get_container(loose) is None


def test_openings_get_the_storey_of_their_wall(generated_ifc4: Path) -> None:
    extraction = extract(generated_ifc4)
    model = ifcopenshell.open(str(generated_ifc4))
    records = {e.step_id: e for e in extraction.elements}
    openings = model.by_type("IfcOpeningElement")
    assert openings
    for opening in openings:
        wall = opening.VoidsElements[0].RelatingBuildingElement
        assert records[opening.id()].storey == records[wall.id()].storey is not None


def test_empty_property_sets_are_kept_like_get_psets() -> None:
    model = api_building("IFC4", walls=1)
    wall = model.by_type("IfcWall")[0]
    ifcopenshell.api.pset.add_pset(model, product=wall, name="Pset_Empty")
    record = by_name(extract(model), "Wall 0")
    assert record.psets()["Pset_Empty"] == {}
    assert "Pset_Empty" in record.empty_psets
    assert record.psets()["Pset_WallCommon"] == {"FireRating": "REI 60", "IsExternal": True}


def test_own_values_override_type_values_and_are_marked() -> None:
    record = by_name(extract(api_building("IFC4", walls=2)), "Wall 1")
    values = {(v.pset, v.name): v for v in record.properties}
    assert values[("Pset_WallCommon", "IsExternal")].value is False
    assert values[("Pset_WallCommon", "IsExternal")].source == "own"
    assert values[("Pset_WallCommon", "FireRating")].source == "type"
    assert values[("Qto_WallBaseQuantities", "Length")].kind == "qto"
    assert values[("Qto_WallBaseQuantities", "Length")].unit == "m"


def test_values_units_and_types_in_generated_building(generated_ifc4: Path) -> None:
    extraction = extract(generated_ifc4)
    model = ifcopenshell.open(str(generated_ifc4))
    wall = next(e for e in extraction.elements if e.ifc_class == "IfcWall")
    values = {(v.pset, v.name): v for v in wall.properties}

    length = values[("Qto_WallBaseQuantities", "Length")]
    assert isinstance(length.value, float) and length.value_type == "IfcLengthMeasure"
    quantity = next(
        q
        for q in model.by_type("IfcQuantityLength")
        if q.Name == "Length" and q.LengthValue == length.value
    )
    expected = ifcopenshell.util.unit.get_property_unit(quantity, model)
    assert length.unit == ifcopenshell.util.unit.get_unit_symbol(expected) == "mm"
    assert values[("Qto_WallBaseQuantities", "NetSideArea")].unit == "m2"
    assert values[("Qto_WallBaseQuantities", "NetVolume")].unit == "m3"
    assert values[("Pset_WallCommon", "IsExternal")].value is True
    assert values[("Pset_WallCommon", "IsExternal")].unit is None
    assert values[("Pset_WallCommon", "Status")].value in (["NEW"], ["EXISTING"])
    assert values[("bimflow_Identity", "Cost")].unit == "EUR"
    external = next(e for e in extraction.elements if e.type_name == "WT-EXT 200 Brick cavity")
    transmittance = {(v.pset, v.name): v for v in external.properties}[
        ("Pset_WallCommon", "ThermalTransmittance")
    ]
    assert transmittance.unit == "W/(m2.K)" and transmittance.source == "type"

    space = next(e for e in extraction.elements if e.ifc_class == "IfcSpace")
    occupancy = space.psets()["bimflow_Occupancy"]
    assert isinstance(occupancy["Occupants"], int)
    assert occupancy["Uses"] in (["Office"], ["Office", "Meeting"])
    assert occupancy["DesignTemperature"]["type"] == "IfcPropertyBoundedValue"
    bounded = {(v.pset, v.name): v for v in space.properties}[
        ("bimflow_Occupancy", "DesignTemperature")
    ]
    assert bounded.unit == "°C" and bounded.value_type == "IfcThermodynamicTemperatureMeasure"


def test_userdefined_and_inherited_classification(generated_ifc4: Path) -> None:
    extraction = extract(generated_ifc4)
    edge_beams = [e for e in extraction.elements if e.type_name == "BE-300x400 Edge beam"]
    assert edge_beams and {e.predefined_type for e in edge_beams} == {"Edge beam"}
    doors = [e for e in extraction.elements if e.ifc_class == "IfcDoor"]
    fire_exits = [d for d in doors if d.psets()["Pset_DoorCommon"]["FireExit"]]
    assert fire_exits and len(fire_exits) < len(doors)
    for door in doors:
        expected = "32.32" if door in fire_exits else "32.31"
        assert [c.split()[0] for c in door.classifications] == [expected]
    pipes = [e for e in extraction.elements if e.ifc_class == "IfcPipeSegment"]
    assert {tuple(p.systems) for p in pipes} == {("Heating supply",), ("Domestic cold water",)}
    assert {s["name"]: s["element_count"] for s in extraction.systems} == {
        "Heating supply": sum(p.systems == ["Heating supply"] for p in pipes),
        "Domestic cold water": sum(p.systems == ["Domestic cold water"] for p in pipes),
    }


@needs_data
def test_meta_of_fzk_haus() -> None:
    path = IFC_DIR / "AC20-FZK-Haus.ifc"
    meta = extract(path).meta
    model = ifcopenshell.open(str(path))
    header = model.header.file_name
    assert meta["schema"] == "IFC4"
    assert meta["file_name"] == header.name
    assert meta["time_stamp"] == "2016-12-21T17:54:06"
    assert meta["author"] == "Architect"
    assert meta["organization"] == "Building Designer Office"
    assert meta["originating_system"] == header.originating_system
    assert meta["preprocessor_version"] == header.preprocessor_version
    assert meta["authorization"] == "The authorising person"
    assert meta["view_definition"].startswith("ViewDefinition [")
    assert meta["application"] == "ARCHICAD-64 20.0.0"
    assert meta["project"]["name"] == model.by_type("IfcProject")[0].Name
    assert meta["building"]["name"] == "FZK-Haus"
    site = model.by_type("IfcSite")[0]
    degrees, minutes, seconds, millionths = site.RefLatitude
    assert meta["site"]["latitude"] == pytest.approx(
        degrees + minutes / 60 + seconds / 3600 + millionths / 3.6e9
    )
    assert 8 < meta["site"]["longitude"] < 9
    assert meta["georeferencing"]["method"] == "IfcSite"
    units = {u["type"]: u["symbol"] for u in meta["units"]}
    assert units["LENGTHUNIT"] == "m" and units["AREAUNIT"] == "m2"
    assert units["PLANEANGLEUNIT"] == "°" and units["MONETARYUNIT"] == "EUR"


@needs_data
def test_meta_georeferencing_of_ifc4x3_map_conversion() -> None:
    meta = extract(IFC_DIR / "ifc4x3-linear-placement-of-signal.ifc").meta
    assert meta["schema"] == "IFC4X3"
    georeferencing = meta["georeferencing"]
    assert georeferencing["method"] == "IfcMapConversion"
    assert georeferencing["crs"]["name"] == "EPSG:3065"
    assert meta["building"] is None


def test_progress_is_monotonic_bounded_and_complete(generated_ifc4: Path) -> None:
    calls: list[float] = []
    extract(generated_ifc4, progress=calls.append)
    assert 2 <= len(calls) <= 101
    assert calls[0] == 0.0 and calls[-1] == 1.0
    assert calls == sorted(calls)


def test_unreadable_path_raises_read_error(tmp_path: Path) -> None:
    path = tmp_path / "letter.ifc"
    path.write_text("Dear coordinator,")
    with pytest.raises(IfcReadError, match="This is not an IFC file"):
        extract(path)


def test_model_without_project_or_storeys_still_extracts() -> None:
    model = ifcopenshell.file(schema="IFC4")
    wall = model.create_entity("IfcWall", GlobalId=ifcopenshell.guid.new(), Name="Lonely")
    extraction = extract(model)
    assert [e.guid for e in extraction.elements] == [wall.GlobalId]
    assert extraction.elements[0].storey is None and extraction.elements[0].psets() == {}
    assert extraction.meta["project"] is None and extraction.meta["units"] == []
    assert extraction.storeys == [] and extraction.entities == [
        (wall.GlobalId, "IfcWall", wall.id())
    ]
