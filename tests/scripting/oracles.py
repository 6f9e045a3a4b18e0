"""Independent oracles for the built-in scripts, computed with ifcopenshell and a regex
directly (never with bimflow code)."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

import ifcopenshell
import ifcopenshell.util.element

GUID = re.compile(r"^[0-3][0-9A-Za-z_$]{21}$")


def open_model(path: Path, tmp_path: Path) -> ifcopenshell.file:
    """Open an .ifc, or the .ifc inside an .ifczip, with ifcopenshell."""
    if path.suffix.lower() == ".ifczip":
        with zipfile.ZipFile(path) as zf:
            member = next(n for n in zf.namelist() if n.lower().endswith(".ifc"))
            target = tmp_path / f"oracle-{path.stem}.ifc"
            target.write_bytes(zf.read(member))
        return ifcopenshell.open(str(target))
    return ifcopenshell.open(str(path))


def guid_findings(model: ifcopenshell.file) -> tuple[Counter, dict]:
    """(multiset of (guid, rule, step id), the expected result counts)."""
    roots = model.by_type("IfcRoot")
    guids = [e.GlobalId or "" for e in roots]
    counts = Counter(guids)
    findings: Counter = Counter()
    invalid = 0
    for entity, guid in zip(roots, guids, strict=True):
        if not GUID.match(guid):
            invalid += 1
            findings[(guid or None, "guid-format", entity.id())] += 1
        if counts[guid] > 1:
            findings[(guid, "guid-duplicate", entity.id())] += 1
    repeated = {g for g, n in counts.items() if n > 1}
    result = {
        "status": "PASS" if invalid == 0 and not repeated else "FAIL",
        "total": len(roots),
        "unique": len(counts),
        "duplicates": sum(counts[g] for g in repeated),
        "duplicate_guids": len(repeated),
        "invalid": invalid,
    }
    return findings, result


def scalar_psets(product) -> dict[str, str]:
    """'Pset.Property' -> text of each scalar property value (as str() writes it)."""
    cells = {}
    for pset, props in ifcopenshell.util.element.get_psets(product).items():
        for name, value in props.items():
            if name == "id" or value is None or not isinstance(value, (str, int, float, bool)):
                continue
            cells[f"{pset}.{name}"] = str(value)
    return cells


def property_count(product) -> int:
    """How many property and quantity values get_psets gives a product."""
    return sum(
        len([k for k in props if k != "id"])
        for props in ifcopenshell.util.element.get_psets(product).values()
    )


def lod_by_class(model: ifcopenshell.file) -> dict[str, dict]:
    """The LOD formula of the issue, per IFC class of the products."""
    groups: dict[str, list[tuple[bool, int]]] = {}
    for product in model.by_type("IfcProduct"):
        geometry = product.Representation is not None
        groups.setdefault(product.is_a(), []).append((geometry, property_count(product)))
    out = {}
    for ifc_class, rows in groups.items():
        scores = [0.6 * geometry + 0.4 * min(n / 20, 1.0) for geometry, n in rows]
        mean = sum(scores) / len(scores)
        out[ifc_class] = {
            "count": len(rows),
            "with_geometry": sum(1 for geometry, _ in rows if geometry),
            "with_properties": sum(1 for _, n in rows if n > 0),
            "mean_score": mean,
            "lod": "LOD 100" if mean < 0.3 else "LOD 200" if mean < 0.6 else "LOD 300+",
        }
    return out
