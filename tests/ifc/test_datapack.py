"""Data pack round trip: what read_datapack returns equals the model, read by ifcopenshell."""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path

import ifcopenshell
import ifcopenshell.util.element
import pandas as pd
import pytest
from ifc_oracles import IFC_DIR, needs_data, oracle_psets

from bimflow.ifc.datapack import FORMAT_VERSION, DataPackError, read_datapack, write_datapack
from bimflow.ifc.extract import extract


@pytest.fixture(scope="module")
def pack(generated_ifc4: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pack") / "version.bimflow-pack"
    write_datapack(path, extract(generated_ifc4))
    return path


def test_pack_is_a_stored_zip_with_meta_and_tables(pack: Path) -> None:
    with zipfile.ZipFile(pack) as archive:
        infos = {i.filename: i for i in archive.infolist()}
        manifest = json.loads(archive.read("meta.json"))
    assert set(infos) == {"meta.json", "elements.parquet", "properties.parquet", "entities.parquet"}
    assert {i.compress_type for i in infos.values()} == {zipfile.ZIP_STORED}
    assert manifest["format"] == "bimflow-datapack"
    assert manifest["format_version"] == FORMAT_VERSION
    assert not list(pack.parent.glob(".*.tmp"))


def test_elements_equal_the_model(pack: Path, generated_ifc4: Path) -> None:
    model = ifcopenshell.open(str(generated_ifc4))
    data = read_datapack(pack)
    elements = data.elements.set_index("step_id")
    products = model.by_type("IfcProduct")
    assert len(elements) == len(products)
    assert elements["ifc_class"].value_counts().to_dict() == {
        cls: sum(1 for p in products if p.is_a() == cls) for cls in {p.is_a() for p in products}
    }
    for product in products[::7]:
        row = elements.loc[product.id()]
        assert row["guid"] == product.GlobalId
        assert row["name"] == product.Name
        element_type = ifcopenshell.util.element.get_type(product)
        if element_type is None:
            assert pd.isna(row["type_guid"])
        else:
            assert row["type_name"] == element_type.Name
        names = [m.Name for m in ifcopenshell.util.element.get_materials(product)]
        assert row["materials"] == "; ".join(dict.fromkeys(names))
        assert bool(row["has_geometry"]) == (product.Representation is not None)
    assert list(data.elements.columns) == [
        "step_id", "guid", "ifc_class", "name", "description", "object_type", "predefined_type",
        "type_guid", "type_name", "type_class", "storey", "storey_guid", "materials", "systems",
        "classifications", "has_geometry",
    ]  # fmt: skip


def test_properties_equal_get_psets(pack: Path, generated_ifc4: Path) -> None:
    model = ifcopenshell.open(str(generated_ifc4))
    properties = read_datapack(pack).properties
    expected_rows = 0
    for product in model.by_type("IfcProduct"):
        expected_rows += sum(len(values) for values in oracle_psets(product).values())
    assert len(properties) == expected_rows

    grouped = properties.groupby("step_id")
    for product in model.by_type("IfcProduct")[::5]:
        psets = oracle_psets(product)
        if not psets:
            continue
        rows = grouped.get_group(product.id())
        assert set(rows["guid"]) == {product.GlobalId}
        assert set(rows["ifc_class"]) == {product.is_a()}
        for row in rows.itertuples():
            value = psets[row.pset][row.name]
            if isinstance(value, bool):
                assert row.value == str(value) and math.isnan(row.number)
            elif isinstance(value, (int, float)):
                assert row.number == pytest.approx(float(value))
                assert float(row.value) == pytest.approx(float(value))
            elif isinstance(value, str):
                assert row.value == value and math.isnan(row.number)
            elif isinstance(value, list):
                assert row.value == "; ".join(str(v) for v in value)


def test_entities_are_complete(pack: Path, generated_ifc4: Path) -> None:
    model = ifcopenshell.open(str(generated_ifc4))
    entities = read_datapack(pack).entities
    assert sorted(entities.itertuples(index=False, name=None)) == sorted(
        (e.GlobalId, e.is_a(), e.id()) for e in model.by_type("IfcRoot")
    )


def test_meta_and_catalogs_round_trip(pack: Path, generated_ifc4: Path) -> None:
    extraction = extract(generated_ifc4)
    data = read_datapack(pack)
    assert data.meta == json.loads(json.dumps(extraction.meta))
    assert data.storeys == extraction.storeys
    assert data.materials == extraction.materials
    assert data.systems == extraction.systems
    assert data.statistics["totals"]["elements"] == len(extraction.elements)
    assert data.manifest["tables"]["properties"]["rows"] == len(data.properties)


@needs_data
@pytest.mark.parametrize(
    "name", ["FEK-Leuningen en hekwerken.IFC", "WILLEMSEN-laagbouw dakpannen.ifc"]
)
def test_complex_and_bounded_values_become_text(tmp_path: Path, name: str) -> None:
    path = IFC_DIR / name
    extraction = extract(path)
    write_datapack(tmp_path / "pack", extraction)
    properties = read_datapack(tmp_path / "pack").properties
    assert len(properties) == sum(len(e.properties) for e in extraction.elements)
    dict_values = [
        v for e in extraction.elements for v in e.properties if isinstance(v.value, dict)
    ]
    assert dict_values
    texts = properties["value"].dropna()
    assert texts.str.startswith("{").sum() >= 1
    for text in texts[texts.str.startswith("{")].head(20):
        json.loads(text)


def test_columns_can_be_read_alone(pack: Path) -> None:
    table = read_datapack(pack).table("properties", columns=["name", "number"])
    assert table.column_names == ["name", "number"]


def test_bad_packs_raise(tmp_path: Path) -> None:
    with pytest.raises(DataPackError):
        read_datapack(tmp_path / "missing.pack")
    (tmp_path / "junk.pack").write_bytes(b"not a zip")
    with pytest.raises(DataPackError):
        read_datapack(tmp_path / "junk.pack")
    with zipfile.ZipFile(tmp_path / "future.pack", "w") as archive:
        archive.writestr(
            "meta.json", json.dumps({"format": "bimflow-datapack", "format_version": 99})
        )
    with pytest.raises(DataPackError, match="format 99"):
        read_datapack(tmp_path / "future.pack")


def test_failed_write_leaves_no_file(tmp_path: Path, generated_ifc4: Path) -> None:
    extraction = extract(generated_ifc4)
    extraction.meta["unserialisable"] = object()  # json's default= turns it into text
    write_datapack(tmp_path / "ok.pack", extraction)
    extraction.elements[0].properties = None  # type: ignore[assignment]
    with pytest.raises(TypeError):
        write_datapack(tmp_path / "broken.pack", extraction)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ok.pack"]
