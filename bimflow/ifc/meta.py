"""Header and project metadata of an IFC file (the version's "Metadata" tab)."""

from __future__ import annotations

import re
from typing import Any

import ifcopenshell

from bimflow.ifc.units import ProjectUnits

_VIEW_RE = re.compile(r"ViewDefinition\s*\[([^\]]*)\]", re.IGNORECASE)


def read_meta(model: ifcopenshell.file, units: ProjectUnits) -> dict[str, Any]:
    """Schema, header fields, authoring application, project/site/building, units and
    georeferencing. Elevations are in metres, latitude/longitude in decimal degrees."""
    header = _header(model)
    meta: dict[str, Any] = {
        "schema": model.schema,
        "schema_identifier": model.schema_identifier,
        **header,
        "application": _application(model, header.get("originating_system")),
    }
    scale = units.length_scale()
    meta["project"] = _named(_first(model, "IfcProject"))
    meta["site"] = _site(_first(model, "IfcSite"), scale)
    meta["building"] = _named(_first(model, "IfcBuilding"))
    meta["units"] = units.entries
    meta["georeferencing"] = _georeferencing(model, meta["site"], scale)
    return meta


def _first(model: ifcopenshell.file, cls: str) -> ifcopenshell.entity_instance | None:
    try:
        found = model.by_type(cls)
    except RuntimeError:
        return None
    return min(found, key=lambda e: e.id()) if found else None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (tuple, list)):
        parts = [str(v) for v in value if v not in (None, "")]
        return "; ".join(parts) if parts else None
    text = str(value)
    return text if text else None


def _header(model: ifcopenshell.file) -> dict[str, Any]:
    header = model.header
    name = header.file_name
    description = header.file_description
    descriptions = [str(d) for d in (description.description or ())]
    views = [m.group(1).strip() for d in descriptions for m in [_VIEW_RE.search(d)] if m]
    view = next((d for d in descriptions if _VIEW_RE.search(d)), None)
    return {
        "file_name": _text(name.name),
        "time_stamp": _text(name.time_stamp),
        "author": _text(name.author),
        "organization": _text(name.organization),
        "preprocessor_version": _text(name.preprocessor_version),
        "originating_system": _text(name.originating_system),
        "authorization": _text(name.authorization),
        "file_description": descriptions,
        "view_definition": view,
        "views": [v.strip() for part in views for v in part.split(",") if v.strip()],
        "implementation_level": _text(description.implementation_level),
    }


def _application(model: ifcopenshell.file, originating_system: str | None) -> str | None:
    project = _first(model, "IfcProject")
    application = None
    history = getattr(project, "OwnerHistory", None) if project is not None else None
    if history is not None:
        application = history.OwningApplication
    if application is None:
        applications = model.by_type("IfcApplication")
        application = applications[0] if applications else None
    if application is not None:
        name = application.ApplicationFullName or application.ApplicationIdentifier
        version = application.Version
        if name and version and version not in name:
            return f"{name} {version}"
        if name:
            return str(name)
    return originating_system


def _named(entity: ifcopenshell.entity_instance | None) -> dict[str, Any] | None:
    if entity is None:
        return None
    return {
        "guid": entity.GlobalId,
        "name": entity.Name,
        "long_name": getattr(entity, "LongName", None),
        "description": entity.Description,
    }


def _degrees(value: Any) -> float | None:
    """IfcCompoundPlaneAngleMeasure (degrees, minutes, seconds, millionths) to decimal."""
    if not value:
        return None
    parts = list(value) + [0] * (4 - len(value))
    degrees, minutes, seconds, millionths = (float(p) for p in parts[:4])
    return degrees + minutes / 60 + seconds / 3600 + millionths / 3.6e9


def _site(site: ifcopenshell.entity_instance | None, scale: float) -> dict[str, Any] | None:
    named = _named(site)
    if site is None or named is None:
        return named
    named["latitude"] = _degrees(site.RefLatitude)
    named["longitude"] = _degrees(site.RefLongitude)
    named["elevation"] = site.RefElevation * scale if site.RefElevation is not None else None
    named["land_title_number"] = site.LandTitleNumber
    return named


def _georeferencing(
    model: ifcopenshell.file, site: dict[str, Any] | None, scale: float
) -> dict[str, Any] | None:
    if model.schema != "IFC2X3":
        conversions = model.by_type("IfcMapConversion")
        if conversions:
            conversion = conversions[0]
            crs = conversion.TargetCRS
            result: dict[str, Any] = {
                "method": conversion.is_a(),
                "eastings": conversion.Eastings,
                "northings": conversion.Northings,
                "orthogonal_height": conversion.OrthogonalHeight,
                "x_axis_abscissa": conversion.XAxisAbscissa,
                "x_axis_ordinate": conversion.XAxisOrdinate,
                "scale": conversion.Scale,
                "crs": None,
            }
            if crs is not None:
                result["crs"] = {
                    "ifc_class": crs.is_a(),
                    "name": crs.Name,
                    "description": crs.Description,
                    "geodetic_datum": getattr(crs, "GeodeticDatum", None),
                    "vertical_datum": getattr(crs, "VerticalDatum", None),
                    "map_projection": getattr(crs, "MapProjection", None),
                    "map_zone": getattr(crs, "MapZone", None),
                    "map_unit": _unit_name(getattr(crs, "MapUnit", None)),
                }
            return result
    if site and site.get("latitude") is not None and site.get("longitude") is not None:
        return {
            "method": "IfcSite",
            "latitude": site["latitude"],
            "longitude": site["longitude"],
            "elevation": site.get("elevation"),
        }
    return None


def _unit_name(unit: ifcopenshell.entity_instance | None) -> str | None:
    if unit is None:
        return None
    if unit.is_a("IfcSIUnit"):
        return (unit.Prefix or "") + (unit.Name or "")
    return getattr(unit, "Name", None)
