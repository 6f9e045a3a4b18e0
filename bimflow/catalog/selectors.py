"""Reading the catalog: element lists with filters, element details, version diffs."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from bimflow.catalog.models import Element

# `storey_guid=none` selects the elements outside any storey ("(no storey)" in statistics).
NO_STOREY_GUID = "none"
ORDERING_FIELDS = {"guid", "ifc_class", "name", "storey", "type_name", "step_id"}


def element_list(
    *,
    version_id: int,
    ifc_class: str | None = None,
    storey: str | None = None,
    storey_guid: str | None = None,
    search: str | None = None,
    has_pset: str | None = None,
    ordering: str | None = None,
) -> QuerySet[Element]:
    qs = Element.objects.filter(version_id=version_id)
    if ifc_class:
        classes = [c.strip() for c in ifc_class.split(",") if c.strip()]
        qs = qs.filter(ifc_class__in=classes)
    if storey:
        qs = qs.filter(storey=storey)
    if storey_guid == NO_STOREY_GUID:
        qs = qs.filter(storey_guid__isnull=True)
    elif storey_guid:
        qs = qs.filter(storey_guid=storey_guid)
    if search:
        qs = qs.filter(
            Q(name__icontains=search) | Q(guid__icontains=search) | Q(type_name__icontains=search)
        )
    if has_pset:
        qs = qs.filter(properties__has_key=has_pset)
    order = "step_id"
    if ordering and ordering.lstrip("-") in ORDERING_FIELDS:
        order = ordering
    return qs.order_by(order, "step_id") if order.lstrip("-") != "step_id" else qs.order_by(order)


def psets_of(properties: dict) -> dict[str, dict[str, Any]]:
    """`{set: {property: value}}`, the shape `ifcopenshell.util.element.get_psets` returns
    (without its `id` entries)."""
    return {
        pset: {name: p["v"] for name, p in entry["props"].items()}
        for pset, entry in properties.items()
    }


def property_rows(properties: dict) -> list[dict]:
    return [
        {
            "pset": pset,
            "name": name,
            "value": p["v"],
            "unit": p["u"],
            "value_type": p["t"],
            "source": p["s"],
            "kind": entry["kind"],
        }
        for pset, entry in properties.items()
        for name, p in entry["props"].items()
    ]


DIFF_FIELDS = ("ifc_class", "name", "type_name", "storey", "materials")


def version_diff(*, from_version_id: int, to_version_id: int) -> dict:
    """Elements added, removed and changed between two versions, matched by GUID.

    Compared: class, name, type name, storey, material names, and every property value.
    Geometry is not compared here.
    """

    def load(version_id: int) -> dict[str, dict]:
        rows = Element.objects.filter(version_id=version_id).values(
            "guid", *DIFF_FIELDS, "properties"
        )
        return {r["guid"]: r for r in rows}

    old, new = load(from_version_id), load(to_version_id)
    brief = lambda r: {"guid": r["guid"], "ifc_class": r["ifc_class"], "name": r["name"]}  # noqa: E731
    added = [brief(new[g]) for g in sorted(new.keys() - old.keys())]
    removed = [brief(old[g]) for g in sorted(old.keys() - new.keys())]
    changed = []
    for guid in sorted(old.keys() & new.keys()):
        a, b = old[guid], new[guid]
        changes = [{"field": f, "old": a[f], "new": b[f]} for f in DIFF_FIELDS if a[f] != b[f]]
        pa, pb = psets_of(a["properties"]), psets_of(b["properties"])
        for pset in sorted(pa.keys() | pb.keys()):
            va, vb = pa.get(pset, {}), pb.get(pset, {})
            for prop in sorted(va.keys() | vb.keys()):
                if va.get(prop) != vb.get(prop):
                    changes.append(
                        {"field": f"{pset}.{prop}", "old": va.get(prop), "new": vb.get(prop)}
                    )
        if changes:
            changed.append({**brief(b), "changes": changes})
    unchanged = len(old.keys() & new.keys()) - len(changed)
    return {
        "from": from_version_id,
        "to": to_version_id,
        "counts": {
            "added": len(added),
            "removed": len(removed),
            "changed": len(changed),
            "unchanged": unchanged,
        },
        "added": added,
        "removed": removed,
        "changed": changed,
    }
