"""bimflow.ifc.testing: the defect injectors other apps' tests rely on."""

from __future__ import annotations

import random
import re
import zipfile
from pathlib import Path

import ifcopenshell
import ifcopenshell.guid
import ifcopenshell.util.element
import pytest

from bimflow.ifc.testing import (
    api_building,
    duplicate_guid,
    invalidate_guid,
    is_valid_guid,
    random_guid,
    set_guid,
    truncate_file,
    write_zip,
)

GUID = re.compile(r"^[0-3][0-9A-Za-z_$]{21}$")


def test_set_and_duplicate_guid_survive_a_write(tmp_path: Path) -> None:
    model = api_building("IFC4", walls=2)
    first, second = model.by_type("IfcWall")
    set_guid(model, first.id(), "0123456789abcdefABCD_$")
    shared = duplicate_guid(model, first.id(), second.id())
    model.write(str(tmp_path / "dup.ifc"))
    reread = ifcopenshell.open(str(tmp_path / "dup.ifc"))
    guids = [w.GlobalId for w in reread.by_type("IfcWall")]
    assert guids == [shared, shared] == ["0123456789abcdefABCD_$"] * 2


@pytest.mark.parametrize("kind", ["length", "characters", "first_char", "empty"])
def test_invalidate_guid_breaks_it(kind: str) -> None:
    model = api_building("IFC4", walls=1)
    wall = model.by_type("IfcWall")[0]
    bad = invalidate_guid(model, wall.id(), kind=kind)
    assert wall.GlobalId == bad
    assert not GUID.match(bad)
    assert not is_valid_guid(bad)


def test_random_guid_is_valid_and_reproducible() -> None:
    guids = [random_guid(random.Random(5)) for _ in range(2)]
    assert guids[0] == guids[1]
    assert GUID.match(guids[0]) and is_valid_guid(guids[0])
    assert ifcopenshell.guid.compress(ifcopenshell.guid.expand(guids[0])) == guids[0]


def test_truncate_and_zip(tmp_path: Path) -> None:
    source = tmp_path / "a.ifc"
    source.write_bytes(b"x" * 100)
    assert truncate_file(source, tmp_path / "b.ifc", fraction=0.25).read_bytes() == b"x" * 25
    archive = write_zip(tmp_path / "z.ifczip", {"a.ifc": source, "n.txt": "hi", "b.bin": b"\x00"})
    with zipfile.ZipFile(archive) as opened:
        assert opened.read("a.ifc") == b"x" * 100 and opened.read("n.txt") == b"hi"


def test_api_building_has_what_it_promises() -> None:
    model = api_building("IFC4", walls=3)
    walls = model.by_type("IfcWall")
    assert len(walls) == 3
    for wall in walls:
        assert ifcopenshell.util.element.get_type(wall).Name == "WT-200"
        assert ifcopenshell.util.element.get_container(wall).Name == "Ground floor"
        assert [m.Name for m in ifcopenshell.util.element.get_materials(wall)] == ["Brick"]
        psets = ifcopenshell.util.element.get_psets(wall)
        assert psets["Pset_WallCommon"]["FireRating"] == "REI 60"
        assert "Length" in psets["Qto_WallBaseQuantities"]
