"""Oracles and model lists for bimflow.ifc tests (imported by the test modules).

Expected answers in these tests come from ifcopenshell itself (by_type and the
``ifcopenshell.util`` functions), never from bimflow code.
"""

from __future__ import annotations

from pathlib import Path

import ifcopenshell
import ifcopenshell.util.element
import pytest

from bimflow.ifc.testing import shared_data_dir

DATA = shared_data_dir()
IFC_DIR = DATA / "ifc"
LFS_POINTER = "V_L_Constructief.ifc"


def shared_models() -> list[Path]:
    if not IFC_DIR.is_dir():
        return []
    return sorted(
        p
        for p in IFC_DIR.iterdir()
        if p.suffix.lower() in (".ifc", ".ifczip") and p.name != LFS_POINTER
    )


MODELS = shared_models()


def model_id(path: Path) -> str:
    return path.name


# Skips on a laptop without the shared models, fails under CI=true (tests/conftest.py).
needs_data = pytest.mark.usefixtures("shared_data")


def open_plain(path: Path) -> ifcopenshell.file:
    """The oracle's own way to open a model (ifcopenshell unpacks .ifczip itself)."""
    return ifcopenshell.open(str(path))


def oracle_psets(element: ifcopenshell.entity_instance) -> dict:
    psets = ifcopenshell.util.element.get_psets(element)
    for values in psets.values():
        values.pop("id", None)
    return psets


def oracle_storey(element: ifcopenshell.entity_instance) -> ifcopenshell.entity_instance | None:
    """get_container walked up aggregates to a storey; spatial elements (which have
    no container) start from their parent, so a space gets its storey."""
    util = ifcopenshell.util.element
    spatial = (
        "IfcSpatialStructureElement" if element.file.schema == "IFC2X3" else "IfcSpatialElement"
    )
    container = util.get_container(element)
    if container is None and element.is_a(spatial):
        container = util.get_parent(element)
    while container is not None and not container.is_a("IfcBuildingStorey"):
        container = util.get_aggregate(container)
    return container


def oracle_materials(element: ifcopenshell.entity_instance) -> list[str]:
    names: list[str] = []
    for material in ifcopenshell.util.element.get_materials(element):
        if material is not None and material.Name and material.Name not in names:
            names.append(material.Name)
    return names
