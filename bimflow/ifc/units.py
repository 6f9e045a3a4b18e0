"""Short unit symbols ("mm", "m2", "W/(m2.K)") and the project's default units.

IFC stores a unit either on a property or quantity itself or, by default, in the
project's IfcUnitAssignment, keyed by unit type (LENGTHUNIT, ...). The measure
type of a value (IfcPositiveLengthMeasure) names its unit type. This module turns
both into the short strings people read in tables.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import ifcopenshell
import ifcopenshell.util.unit

_SI_SYMBOLS = {
    "METRE": "m",
    "SQUARE_METRE": "m2",
    "CUBIC_METRE": "m3",
    "GRAM": "g",
    "SECOND": "s",
    "AMPERE": "A",
    "KELVIN": "K",
    "MOLE": "mol",
    "CANDELA": "cd",
    "RADIAN": "rad",
    "STERADIAN": "sr",
    "HERTZ": "Hz",
    "NEWTON": "N",
    "PASCAL": "Pa",
    "JOULE": "J",
    "WATT": "W",
    "COULOMB": "C",
    "VOLT": "V",
    "FARAD": "F",
    "OHM": "Ω",
    "SIEMENS": "S",
    "WEBER": "Wb",
    "TESLA": "T",
    "HENRY": "H",
    "DEGREE_CELSIUS": "°C",
    "LUMEN": "lm",
    "LUX": "lx",
    "BECQUEREL": "Bq",
    "GRAY": "Gy",
    "SIEVERT": "Sv",
}


def unit_symbol(unit: ifcopenshell.entity_instance | None) -> str | None:
    """The short symbol of an IFC unit entity ("mm", "m2", "°", "EUR", "W/(m2.K)")."""
    if unit is None:
        return None
    cls = unit.is_a()
    if cls == "IfcSIUnit":
        name = (unit.Name or "").replace("METER", "METRE")
        base = _SI_SYMBOLS.get(name, name.lower())
        prefix = ifcopenshell.util.unit.prefix_symbols.get(unit.Prefix or "", "")
        return prefix + base
    if cls in ("IfcConversionBasedUnit", "IfcConversionBasedUnitWithOffset"):
        name = unit.Name or ""
        return ifcopenshell.util.unit.unit_symbols.get(name.lower(), name)
    if cls == "IfcContextDependentUnit":
        return unit.Name or None
    if cls == "IfcMonetaryUnit":
        return str(unit.Currency) if unit.Currency else None
    if cls == "IfcDerivedUnit":
        numerator: list[str] = []
        denominator: list[str] = []
        for element in unit.Elements or ():
            symbol = unit_symbol(element.Unit) or "?"
            exponent = abs(element.Exponent)
            if exponent != 1:
                symbol += str(exponent)
            (numerator if element.Exponent > 0 else denominator).append(symbol)
        text = ".".join(numerator) or "1"
        if len(denominator) == 1:
            text += "/" + denominator[0]
        elif denominator:
            text += "/(" + ".".join(denominator) + ")"
        return text
    return None


def unit_full_name(unit: ifcopenshell.entity_instance) -> str | None:
    """A readable name: "MILLIMETRE", "DEGREE", "EUR", or the user-defined type."""
    cls = unit.is_a()
    if cls == "IfcSIUnit":
        return (unit.Prefix or "") + (unit.Name or "")
    if cls == "IfcMonetaryUnit":
        return str(unit.Currency) if unit.Currency else None
    if cls == "IfcDerivedUnit":
        return getattr(unit, "UserDefinedType", None) or unit_symbol(unit)
    return getattr(unit, "Name", None)


def unit_type(unit: ifcopenshell.entity_instance) -> str | None:
    if unit.is_a("IfcMonetaryUnit"):
        return "MONETARYUNIT"
    return getattr(unit, "UnitType", None)


@lru_cache(maxsize=512)
def measure_unit_type(measure_class: str) -> str:
    """IfcPositiveLengthMeasure -> LENGTHUNIT (ifcopenshell's rule)."""
    return ifcopenshell.util.unit.get_measure_unit_type(measure_class)  # type: ignore[arg-type]


class ProjectUnits:
    """The project's default units, with symbols cached by unit type and entity id."""

    def __init__(self, model: ifcopenshell.file) -> None:
        self.model = model
        self.entries: list[dict[str, Any]] = []
        self._by_type: dict[str, str | None] = {}
        self._by_id: dict[int, str | None] = {}
        self._by_measure: dict[str, str | None] = {}
        projects = model.by_type("IfcProject")
        assignment = projects[0].UnitsInContext if projects else None
        units = list(assignment.Units or ()) if assignment is not None else []
        derived_by_dimension: dict[str, str | None] = {}
        for unit in units:
            symbol = unit_symbol(unit)
            kind = unit_type(unit)
            self.entries.append({"type": kind, "name": unit_full_name(unit), "symbol": symbol})
            # As ifcopenshell.util.unit.cache_units: a literal unit type always wins; a
            # derived unit without a literal match only fills a gap by its dimensions.
            if kind and kind not in self._by_type:
                self._by_type[kind] = symbol
            if unit.is_a("IfcDerivedUnit"):
                try:
                    dimension = ifcopenshell.util.unit.identify_unit_dimensions(unit)
                except (AttributeError, TypeError, KeyError):
                    dimension = None
                if dimension:
                    derived_by_dimension.setdefault(dimension, symbol)
        for dimension, symbol in derived_by_dimension.items():
            self._by_type.setdefault(dimension, symbol)

    def default_for_measure(self, measure_class: str | None) -> str | None:
        """The project's unit symbol for values of this measure type, or None."""
        if not measure_class:
            return None
        try:
            return self._by_measure[measure_class]
        except KeyError:
            pass
        if measure_class == "IfcMonetaryMeasure":
            symbol = self._by_type.get("MONETARYUNIT")
        else:
            symbol = self._by_type.get(measure_unit_type(measure_class))
        self._by_measure[measure_class] = symbol
        return symbol

    def symbol_of(self, unit_id: int) -> str | None:
        """The symbol of a unit entity given by step id (cached)."""
        try:
            return self._by_id[unit_id]
        except KeyError:
            symbol = unit_symbol(self.model.by_id(unit_id))
            self._by_id[unit_id] = symbol
            return symbol

    def length_scale(self) -> float:
        """Metres per project length unit (1.0 when the project has none)."""
        try:
            return float(ifcopenshell.util.unit.calculate_unit_scale(self.model))
        except (AttributeError, IndexError, TypeError, ValueError):
            return 1.0
