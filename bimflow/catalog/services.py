"""Storing a version's extraction in the catalog tables."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from django.db import transaction

from bimflow.catalog.models import Element, Material, Storey, System
from bimflow.ifc.extract import ElementRecord, Extraction
from bimflow.projects.models import ModelVersion

BATCH = 2000


def jsonable(value: Any) -> Any:
    """A property value as JSON: tuples become lists, non-finite floats become strings
    (PostgreSQL's JSON rejects NaN), anything exotic its text form."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def element_properties_json(record: ElementRecord) -> dict:
    """The element's property and quantity sets in the catalog's JSON shape (see Element)."""
    sets: dict[str, dict] = {}
    for p in record.properties:
        entry = sets.get(p.pset)
        if entry is None:
            entry = sets[p.pset] = {"kind": p.kind, "props": {}}
        entry["props"][p.name] = {
            "v": jsonable(p.value),
            "u": p.unit,
            "t": p.value_type,
            "s": p.source,
        }
    return sets


def catalog_clear(*, version_id: int) -> None:
    """Remove every catalog row of a version (before a re-ingest, or when deleting it)."""
    for model in (Element, Storey, Material, System):
        model.objects.filter(version_id=version_id).delete()


def catalog_store(
    *,
    version: ModelVersion,
    extraction: Extraction,
    progress: Callable[[float], None] | None = None,
) -> None:
    """Replace the version's catalog rows with `extraction`, in one transaction, so a
    failure leaves the catalog as it was."""
    total = max(len(extraction.elements), 1)
    with transaction.atomic():
        catalog_clear(version_id=version.pk)
        batch: list[Element] = []
        for i, r in enumerate(extraction.elements, 1):
            batch.append(
                Element(
                    version_id=version.pk,
                    step_id=r.step_id,
                    guid=r.guid,
                    ifc_class=r.ifc_class,
                    name=r.name,
                    description=r.description,
                    object_type=r.object_type,
                    predefined_type=r.predefined_type,
                    type_guid=r.type_guid,
                    type_name=r.type_name,
                    type_class=r.type_class,
                    storey=r.storey,
                    storey_guid=r.storey_guid,
                    materials=r.materials,
                    systems=r.systems,
                    classifications=r.classifications,
                    has_geometry=r.has_geometry,
                    properties=element_properties_json(r),
                )
            )
            if len(batch) >= BATCH:
                Element.objects.bulk_create(batch)
                batch = []
                if progress:
                    progress(i / total)
        if batch:
            Element.objects.bulk_create(batch)
        Storey.objects.bulk_create(
            Storey(
                version_id=version.pk,
                guid=s["guid"],
                name=s.get("name"),
                elevation=s.get("elevation"),
                element_count=s.get("element_count", 0),
            )
            for s in extraction.storeys
        )
        Material.objects.bulk_create(
            Material(version_id=version.pk, name=m["name"], element_count=m["element_count"])
            for m in extraction.materials
        )
        System.objects.bulk_create(
            System(
                version_id=version.pk,
                guid=s["guid"],
                name=s.get("name"),
                ifc_class=s["ifc_class"],
                element_count=s.get("element_count", 0),
            )
            for s in extraction.systems
        )
    if progress:
        progress(1.0)
