"""Helpers for tests (any app's): small models built with ifcopenshell.api, and ways
to inject defects (bad or duplicate GUIDs, truncated files, zips). No Django.

Oracles stay independent: these helpers build inputs, they never compute expected
answers with bimflow code.
"""

from __future__ import annotations

import os
import random
import re
import uuid
import zipfile
from pathlib import Path
from typing import Any, cast

import ifcopenshell
import ifcopenshell.api.aggregate
import ifcopenshell.api.context
import ifcopenshell.api.material
import ifcopenshell.api.project
import ifcopenshell.api.pset
import ifcopenshell.api.root
import ifcopenshell.api.spatial
import ifcopenshell.api.type
import ifcopenshell.api.unit
import ifcopenshell.guid

GUID_RE = re.compile(r"^[0-3][0-9A-Za-z_$]{21}$")


def is_valid_guid(guid: object) -> bool:
    """22 characters of the IFC base-64 alphabet, the first one 0-3."""
    return isinstance(guid, str) and GUID_RE.match(guid) is not None


def random_guid(rng: random.Random | None = None) -> str:
    """A valid IFC GUID, reproducible when given a seeded ``rng``."""
    bits = (rng or random.Random()).getrandbits(128)
    return str(ifcopenshell.guid.compress(uuid.UUID(int=bits, version=4).hex))


def set_guid(model: ifcopenshell.file, step_id: int, guid: str) -> None:
    """Set the GlobalId of entity ``#step_id``, valid or not (no checks: that is the point)."""
    model.by_id(step_id).GlobalId = guid


def duplicate_guid(model: ifcopenshell.file, source_step_id: int, target_step_id: int) -> str:
    """Give ``#target_step_id`` the GlobalId of ``#source_step_id``; returns that GUID."""
    guid = str(model.by_id(source_step_id).GlobalId)
    set_guid(model, target_step_id, guid)
    return guid


def invalidate_guid(model: ifcopenshell.file, step_id: int, *, kind: str = "length") -> str:
    """Break the GlobalId of ``#step_id`` in one way; returns the new value.

    ``kind``: "length" (21 characters), "characters" (a character outside the
    alphabet), "first_char" (first character above 3, so more than 128 bits),
    "empty" (an empty string).
    """
    guid = str(model.by_id(step_id).GlobalId)
    if kind == "length":
        bad = guid[:21]
    elif kind == "characters":
        bad = guid[:10] + "-" + guid[11:]
    elif kind == "first_char":
        bad = "Z" + guid[1:]
    elif kind == "empty":
        bad = ""
    else:
        raise ValueError(f"unknown kind {kind!r}")
    set_guid(model, step_id, bad)
    return bad


def truncate_file(source: str | Path, target: str | Path, *, fraction: float = 0.5) -> Path:
    """Copy the first ``fraction`` of ``source``'s bytes to ``target`` (a cut-off upload)."""
    data = Path(source).read_bytes()
    target = Path(target)
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


def write_zip(target: str | Path, members: dict[str, bytes | str | Path]) -> Path:
    """Write a zip with the given members (bytes, text, or a file to copy), deflated."""
    target = Path(target)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            if isinstance(content, Path):
                archive.write(content, arcname=name)
            else:
                archive.writestr(name, content)
    return target


def api_building(schema: str = "IFC4", *, walls: int = 2) -> ifcopenshell.file:
    """A small model built with ``ifcopenshell.api`` (IFC4 or IFC4X3): project, site,
    building, one storey, ``walls`` walls of one type with a layered material, a
    type property set, an own property set and a quantity set on each wall."""
    model = ifcopenshell.api.project.create_file(version=cast(Any, schema))
    ifcopenshell.api.root.create_entity(model, ifc_class="IfcProject", name="API project")
    units = [
        ifcopenshell.api.unit.add_si_unit(model, unit_type=unit_type)
        for unit_type in ("LENGTHUNIT", "AREAUNIT", "VOLUMEUNIT")
    ]
    ifcopenshell.api.unit.assign_unit(model, units=units)
    ifcopenshell.api.context.add_context(model, context_type="Model")
    site = ifcopenshell.api.root.create_entity(model, ifc_class="IfcSite", name="Site")
    building = ifcopenshell.api.root.create_entity(model, ifc_class="IfcBuilding", name="Building")
    storey = ifcopenshell.api.root.create_entity(
        model, ifc_class="IfcBuildingStorey", name="Ground floor"
    )
    project = model.by_type("IfcProject")[0]
    ifcopenshell.api.aggregate.assign_object(model, products=[site], relating_object=project)
    ifcopenshell.api.aggregate.assign_object(model, products=[building], relating_object=site)
    ifcopenshell.api.aggregate.assign_object(model, products=[storey], relating_object=building)

    wall_type = ifcopenshell.api.root.create_entity(
        model, ifc_class="IfcWallType", name="WT-200", predefined_type="SOLIDWALL"
    )
    type_pset = ifcopenshell.api.pset.add_pset(model, product=wall_type, name="Pset_WallCommon")
    ifcopenshell.api.pset.edit_pset(
        model, pset=type_pset, properties={"FireRating": "REI 60", "IsExternal": False}
    )
    brick = ifcopenshell.api.material.add_material(model, name="Brick")
    layers = ifcopenshell.api.material.add_material_set(
        model, name="Brick wall", set_type="IfcMaterialLayerSet"
    )
    layer = ifcopenshell.api.material.add_layer(model, layer_set=layers, material=brick)
    ifcopenshell.api.material.edit_layer(model, layer=layer, attributes={"LayerThickness": 0.2})
    ifcopenshell.api.material.assign_material(model, products=[wall_type], material=layers)

    created = []
    for index in range(walls):
        wall = ifcopenshell.api.root.create_entity(model, ifc_class="IfcWall", name=f"Wall {index}")
        own = ifcopenshell.api.pset.add_pset(model, product=wall, name="Pset_WallCommon")
        ifcopenshell.api.pset.edit_pset(model, pset=own, properties={"IsExternal": index % 2 == 0})
        qto = ifcopenshell.api.pset.add_qto(model, product=wall, name="Qto_WallBaseQuantities")
        ifcopenshell.api.pset.edit_qto(model, qto=qto, properties={"Length": 4.0 + index})
        created.append(wall)
    ifcopenshell.api.spatial.assign_container(model, products=created, relating_structure=storey)
    ifcopenshell.api.type.assign_type(model, related_objects=created, relating_type=wall_type)
    return model


def shared_data_dir() -> Path:
    """The folder of the real IFC models used by tests and benchmarks.

    ``BIMFLOW_TEST_DATA`` when set; else ``../shared/data`` beside the checkout; else
    ``/work/shared/data``, where this workplace keeps it, for a checkout cloned
    elsewhere (a CI clone in a temporary folder).
    """
    env = os.environ.get("BIMFLOW_TEST_DATA")
    if env:
        return Path(env)
    beside = Path(__file__).resolve().parents[3] / "shared" / "data"
    for candidate in (beside, Path("/work/shared/data")):
        if (candidate / "ifc").is_dir():
            return candidate
    return beside
