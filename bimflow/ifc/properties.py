"""Read property and quantity set definitions into PropertyValue dicts, fast.

The shapes follow ``ifcopenshell.util.element.get_property_definition`` exactly
(that is what ``get_psets`` returns), but the common cases (single, enumerated and
list values, simple quantities) are read from one C++ ``get_info(recursive=True)``
call per property instead of several Python attribute accesses, which is where
most of the extraction time goes. Rare kinds (bounded, table and complex values,
complex quantities, IFC4 pre-defined sets such as IfcDoorLiningProperties) go
through the ifcopenshell utility functions themselves, so their shape is theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ifcopenshell
import ifcopenshell.util.element
from ifcopenshell import ifcopenshell_wrapper

from bimflow.ifc.records import PropertyValue
from bimflow.ifc.units import ProjectUnits

_SIMPLE_PROPERTY = "IfcPropertySingleValue"
_LIST_PROPERTIES = ("IfcPropertyEnumeratedValue", "IfcPropertyListValue")
_UTIL_PROPERTIES = ("IfcPropertyBoundedValue", "IfcPropertyTableValue", "IfcComplexProperty")
_MISSING: Any = object()
_get_info = getattr(
    ifcopenshell_wrapper,
    "get_info_cpp",
    lambda entity, _recursive, _ids: entity.get_info(recursive=True),
)

# Set names are optional in IFC, and get_psets keys a nameless set by None: keep that,
# so the constructor is called untyped here.
_value: Callable[..., PropertyValue] = PropertyValue

# (pset name or None, values by property name, kind)
DefinitionValues = tuple[str | None, dict[str, PropertyValue], str]


class PropertyReader:
    """Turns set definitions into ``{name: PropertyValue}``.

    Identical values are shared: one PropertyValue object stands for every
    occurrence of the same (set, name, value, unit, type, source) in the file. Real
    models repeat values a lot (BERNTS-Staalconstructie: 30,624 values, 2,931
    distinct), so this cuts the extraction's memory several times over. Sets of type
    objects, and sets several elements share, are read once.
    """

    def __init__(self, model: ifcopenshell.file, units: ProjectUnits) -> None:
        self.model = model
        self.units = units
        self.schema: Any = ifcopenshell.schema_by_name(model.schema_identifier)
        self._cache: dict[tuple[int, str], DefinitionValues] = {}
        self._shared: dict[tuple[Any, ...], PropertyValue] = {}
        self._strings: dict[str, str] = {}
        self._measure_units: dict[str | None, str | None] = {}
        self._quantity_attr: dict[str, tuple[str, str] | None] = {}
        self._declared_types: dict[tuple[str, int], str | None] = {}

    def read(self, definition: ifcopenshell.entity_instance, source: str) -> DefinitionValues:
        """Values of one IfcPropertySetDefinition, as get_property_definition reads it.

        ``source`` is "own", "type" (a type object's set, cached) or "shared" (an
        own set several elements use: cached, values marked "own").
        """
        if source == "own":
            return self._read(definition, source)
        key = (definition.id(), source)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self._read(
                definition, "type" if source == "type" else "own"
            )
        return cached

    def release(self) -> None:
        """Drop the lookup tables (the values themselves live on in the records)."""
        self._cache.clear()
        self._shared.clear()
        self._strings.clear()

    def _read(self, definition: ifcopenshell.entity_instance, source: str) -> DefinitionValues:
        cls = definition.is_a()
        # One C++ get_info per property, not per set: a set's OwnerHistory would be
        # expanded into nested dicts every time (measured 1.7x slower per set).
        if cls == "IfcPropertySet":
            name = self._string(definition.get_argument(2))
            items = [_get_info(p, True, True) for p in definition.get_argument(4) or ()]
            return (name, self._properties(items, name, source), "pset")
        if cls == "IfcElementQuantity":
            name = self._string(definition.get_argument(2))
            items = [_get_info(q, True, True) for q in definition.get_argument(5) or ()]
            return (name, self._quantities(items, name, source), "qto")
        return self._predefined(definition, cls, source)

    def _string(self, text: Any) -> Any:
        if text.__class__ is not str:
            return text
        return self._strings.setdefault(text, text)

    def _unit_for(self, measure: str | None) -> str | None:
        unit = self.units.default_for_measure(measure)
        self._measure_units[measure] = unit
        return unit

    # -- property sets -------------------------------------------------------------

    def _properties(
        self, items: list[dict[str, Any]], pset: str | None, source: str
    ) -> dict[str, PropertyValue]:
        # The hot loop of the whole extraction: lookups hoisted, sharing inlined.
        units = self.units
        measure_units = self._measure_units
        strings = self._strings
        shared = self._shared
        values: dict[str, PropertyValue] = {}
        for item in items:
            cls = item["type"]
            name = item["Name"]
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
                    unit = measure_units.get(value_type, _MISSING)
                    if unit is _MISSING:
                        unit = self._unit_for(value_type)
                # The value's class is in the key: True == 1 == 1.0 must stay apart.
                key: tuple[Any, ...] | None = (
                    pset, name, value_type, value.__class__, value, unit, source
                )  # fmt: skip
                try:
                    found = shared.get(key)  # type: ignore[arg-type]
                except TypeError:  # an unhashable value: not shared
                    found = None
                    key = None
                if found is None:
                    name = strings.setdefault(name, name)
                    if value.__class__ is str:
                        value = strings.setdefault(value, value)
                    found = _value(pset, name, value, unit, value_type, source, "pset")
                    if key is not None:
                        shared[key] = found
                values[name] = found
                continue
            name = strings.setdefault(name, name)
            if cls in _LIST_PROPERTIES:
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
            values[name] = _value(pset, name, value, unit, value_type, source, "pset")
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
        self, items: list[dict[str, Any]], pset: str | None, source: str
    ) -> dict[str, PropertyValue]:
        units = self.units
        measure_units = self._measure_units
        strings = self._strings
        shared = self._shared
        known = self._quantity_attr
        values: dict[str, PropertyValue] = {}
        for item in items:
            cls = item["type"]
            name = item["Name"]
            simple = known[cls] if cls in known else self._simple_quantity(cls)
            if simple is not None:
                attr, measure = simple
                value = item[attr]
                unit_info = item["Unit"]
                if unit_info is not None:
                    unit = units.symbol_of(unit_info["id"])
                else:
                    unit = measure_units.get(measure, _MISSING)
                    if unit is _MISSING:
                        unit = self._unit_for(measure)
                key = (pset, name, measure, value.__class__, value, unit, source)
                found = shared.get(key)
                if found is None:
                    name = strings.setdefault(name, name)
                    found = shared[key] = _value(pset, name, value, unit, measure, source, "qto")
                values[name] = found
            elif cls == "IfcPhysicalComplexQuantity":
                name = strings.setdefault(name, name)
                entity = self.model.by_id(item["id"])
                value = ifcopenshell.util.element.get_quantities([entity])[item["Name"]]
                values[name] = _value(pset, name, value, None, None, source, "qto")
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
        name = self._string(definition.Name)
        values: dict[str, PropertyValue] = {}
        for index in range(4, len(definition)):
            value = definition[index]
            if value is None:
                continue
            attribute = self._string(definition.attribute_name(index))
            value_type = self._declared_type(cls, index)
            unit = self.units.default_for_measure(value_type) if value_type else None
            values[attribute] = _value(name, attribute, value, unit, value_type, source, "pset")
        return (name, values, "pset")

    def _declared_type(self, cls: str, index: int) -> str | None:
        key = (cls, index)
        if key not in self._declared_types:
            kind = (
                self.schema.declaration_by_name(cls).attribute_by_index(index).type_of_attribute()
            )
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
