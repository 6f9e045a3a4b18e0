"""The plain data that extraction returns (re-exported by :mod:`bimflow.ifc.extract`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class PropertyValue:
    """One effective property or quantity value of an element.

    ``value`` has the shape ``ifcopenshell.util.element.get_psets`` gives it: int,
    float, bool or str for single values, a list for enumerated and list values,
    a dict for bounded, table and complex values, None when unset. ``source`` is
    "own" (from the element's own set) or "type" (inherited from its type object);
    ``kind`` is "pset" or "qto". Records of elements of one type share the same
    PropertyValue objects for inherited values: treat them as read-only.
    """

    pset: str
    name: str
    value: Any
    unit: str | None
    value_type: str | None
    source: str
    kind: str


@dataclass(slots=True)
class ElementRecord:
    """One IfcProduct with everything the catalog and the data pack hold about it."""

    step_id: int
    guid: str
    ifc_class: str
    name: str | None
    description: str | None
    object_type: str | None
    predefined_type: str | None
    type_guid: str | None
    type_name: str | None
    type_class: str | None
    storey: str | None
    storey_guid: str | None
    materials: list[str]
    systems: list[str]
    classifications: list[str]
    has_geometry: bool
    properties: list[PropertyValue]
    # Sets that exist on the element (or its type) but hold no value: get_psets
    # reports them as empty dicts, and so does psets().
    empty_psets: tuple[str, ...] = field(default=())

    def psets(self) -> dict[str, dict[str, Any]]:
        """Property and quantity sets as ``ifcopenshell.util.element.get_psets`` gives
        them (type sets merged with the element's own, own wins), without "id" keys."""
        result: dict[str, dict[str, Any]] = {name: {} for name in self.empty_psets}
        for prop in self.properties:
            inner = result.get(prop.pset)
            if inner is None:
                inner = result[prop.pset] = {}
            inner[prop.name] = prop.value
        return result


@dataclass
class Extraction:
    """Everything read from one IFC file: header metadata, products, catalogs."""

    meta: dict[str, Any]
    elements: list[ElementRecord]
    # (guid, ifc_class, step_id) for every IfcRoot entity: types, sets, relationships too.
    entities: list[tuple[str, str, int]]
    # {guid, name, elevation (metres), element_count}
    storeys: list[dict[str, Any]]
    # {name, element_count}
    materials: list[dict[str, Any]]
    # {guid, name, ifc_class, element_count}
    systems: list[dict[str, Any]]
