"""Read property and quantity set definitions into PropertyValue lists, fast.

The shapes follow ``ifcopenshell.util.element.get_property_definition`` exactly
(that is what ``get_psets`` returns), but the common cases (single, enumerated and
list values, simple quantities) are read from one C++ ``get_info(recursive=True)``
call per set instead of one Python attribute access per value, which is where most
of the extraction time goes. Rare kinds (bounded, table and complex values,
complex quantities, IFC4 pre-defined sets such as IfcDoorLiningProperties) go
through the ifcopenshell utility functions themselves, so their shape is theirs.
"""

from __future__ import annotations

import sys
from typing import Any

import ifcopenshell
import ifcopenshell.util.element

from bimflow.ifc.records import PropertyValue
from bimflow.ifc.units import ProjectUnits

_SIMPLE_PROPERTY = "IfcPropertySingleValue"
_LIST_PROPERTIES = ("IfcPropertyEnumeratedValue", "IfcPropertyListValue")
_UTIL_PROPERTIES = ("IfcPropertyBoundedValue", "IfcPropertyTableValue", "IfcComplexProperty")

# (pset name or None, values by property name, kind)
DefinitionValues = tuple[str | None, dict[str, PropertyValue], str]


class PropertyReader:
    """Turns set definitions into ``{name: PropertyValue}``, caching per definition."""

    def __init__(self, model: ifcopenshell.file, units: ProjectUnits) -> None:
        self.model = model
        self.units = units
        self.schema = ifcopenshell.schema_by_name(model.schema_identifier)
        self._cache: dict[tuple[int, str], DefinitionValues] = {}
        self._quantity_attr: dict[str, tuple[str, str] | None] = {}
        self._declared_types: dict[tuple[str, int], str | None] = {}

    def read(self, definition: ifcopenshell.entity_instance, source: str) -> DefinitionValues:
        """Values of one IfcPropertySetDefinition, as get_property_definition reads it."""
        key = (definition.id(), source)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        cls = definition.is_a()
        if cls == "IfcPropertySet":
            info = definition.get_info(recursive=True)
            name = _intern(info["Name"])
            result: DefinitionValues = (
                name,
                self._properties(info["HasProperties"] or (), name, source),
                "pset",
            )
        elif cls == "IfcElementQuantity":
            info = definition.get_info(recursive=True)
            name = _intern(info["Name"])
            result = (name, self._quantities(info["Quantities"] or (), name, source), "qto")
        else:
            result = self._predefined(definition, cls, source)
        self._cache[key] = result
        return result

    # -- property sets -------------------------------------------------------------

    def _properties(
        self, items: tuple[dict[str, Any], ...], pset: str | None, source: str
    ) -> dict[str, PropertyValue]:
        units = self.units
        values: dict[str, PropertyValue] = {}
        for item in items:
            cls = item["type"]
            name = _intern(item["Name"])
            unit: str | None
            if cls == _SIMPLE_PROPERTY:
                nominal = item["NominalValue"]
                if nominal is None:
                    value = None
                    value_type = None
                else:
                    value = nominal["wrappedValue"]
                    value_type = nominal["type"]
                unit_info = item["Unit"]
                if unit_info is not None:
                    unit = units.symbol_of(unit_info["id"])
                else:
                    unit = units.default_for_measure(value_type)
            elif cls in _LIST_PROPERTIES:
                listed = item["EnumerationValues" if cls == _LIST_PROPERTIES[0] else "ListValues"]
                value = [v["wrappedValue"] for v in listed] if listed else None
                value_type = listed[0]["type"] if listed else None
                unit = self._list_unit(item, cls, value_type)
            elif cls in _UTIL_PROPERTIES:
                entity = self.model.by_id(item["id"])
                value = ifcopenshell.util.element.get_properties([entity])[item["Name"]]
                value_type, unit = self._util_property_type(entity, cls)
            else:
                # get_properties skips other kinds (IfcPropertyReferenceValue): so do we.
                continue
            values[name] = PropertyValue(pset, name, value, unit, value_type, source, "pset")  # type: ignore[arg-type]
        return values

    def _list_unit(self, item: dict[str, Any], cls: str, value_type: str | None) -> str | None:
        unit_info = item.get("Unit")
        if unit_info is not None:
            return self.units.symbol_of(unit_info["id"])
        if cls == "IfcPropertyEnumeratedValue" and item.get("EnumerationReference"):
            reference = item["EnumerationReference"]
            if reference.get("Unit") is not None:
                return self.units.symbol_of(reference["Unit"]["id"])
        return self.units.default_for_measure(value_type)

    def _util_property_type(
        self, entity: ifcopenshell.entity_instance, cls: str
    ) -> tuple[str | None, str | None]:
        if cls != "IfcPropertyBoundedValue":
            return None, None
        bound = (
            entity.UpperBoundValue
            or entity.LowerBoundValue
            or getattr(entity, "SetPointValue", None)
        )
        value_type = bound.is_a() if bound is not None else None
        if entity.Unit is not None:
            return value_type, self.units.symbol_of(entity.Unit.id())
        return value_type, self.units.default_for_measure(value_type)

    # -- quantity sets -------------------------------------------------------------

    def _quantities(
        self, items: tuple[dict[str, Any], ...], pset: str | None, source: str
    ) -> dict[str, PropertyValue]:
        units = self.units
        values: dict[str, PropertyValue] = {}
        for item in items:
            cls = item["type"]
            name = _intern(item["Name"])
            simple = self._quantity_attr.get(cls, False)
            if simple is False:
                simple = self._simple_quantity(cls)
            if simple is not None:
                attr, measure = simple
                value = item[attr]
                unit_info = item["Unit"]
                if unit_info is not None:
                    unit = units.symbol_of(unit_info["id"])
                else:
                    unit = units.default_for_measure(measure)
                values[name] = PropertyValue(pset, name, value, unit, measure, source, "qto")  # type: ignore[arg-type]
            elif cls == "IfcPhysicalComplexQuantity":
                entity = self.model.by_id(item["id"])
                value = ifcopenshell.util.element.get_quantities([entity])[item["Name"]]
                values[name] = PropertyValue(pset, name, value, None, None, source, "qto")  # type: ignore[arg-type]
        return values

    def _simple_quantity(self, cls: str) -> tuple[str, str] | None:
        declaration = self.schema.declaration_by_name(cls)
        result: tuple[str, str] | None = None
        if _is_subtype(declaration, "IfcPhysicalSimpleQuantity"):
            attribute = declaration.attribute_by_index(3)
            measure = attribute.type_of_attribute().declared_type().name()
            result = (attribute.name(), measure)
        self._quantity_attr[cls] = result
        return result

    # -- other set definitions (IfcDoorLiningProperties, ...) -------------------------

    def _predefined(
        self, definition: ifcopenshell.entity_instance, cls: str, source: str
    ) -> DefinitionValues:
        name = _intern(definition.Name)
        values: dict[str, PropertyValue] = {}
        for index in range(4, len(definition)):
            value = definition[index]
            if value is None:
                continue
            attribute = _intern(definition.attribute_name(index))
            value_type = self._declared_type(cls, index)
            unit = self.units.default_for_measure(value_type) if value_type else None
            values[attribute] = PropertyValue(name, attribute, value, unit, value_type, source, "pset")  # type: ignore[arg-type]
        return (name, values, "pset")

    def _declared_type(self, cls: str, index: int) -> str | None:
        key = (cls, index)
        if key not in self._declared_types:
            kind = self.schema.declaration_by_name(cls).attribute_by_index(index).type_of_attribute()
            name: str | None = None
            if hasattr(kind, "declared_type"):
                name = kind.declared_type().name()
            self._declared_types[key] = name
        return self._declared_types[key]


def _is_subtype(declaration: Any, supertype: str) -> bool:
    while declaration is not None:
        if declaration.name() == supertype:
            return True
        declaration = declaration.supertype()
    return False


def _intern(text: Any) -> Any:
    return sys.intern(text) if isinstance(text, str) else text
