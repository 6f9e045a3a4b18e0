"""Clash check between two selections of elements, with ifcopenshell's geometry tree.

Selection A is a set of IFC classes of this version; selection B a set of classes of this
version or of another version of the project (`b_version`). Modes:
- `hard`: B's surface penetrates A's (or the reverse) deeper than `tolerance` metres
  (ifcopenshell `clash_intersection_many`).
- `clearance`: the elements come closer than `tolerance` metres, touching and
  overlapping included (`clash_clearance_many`).
- `collision`: any overlap of the volumes, touching excluded (`clash_collision_many`).
Distances are metres. Writes clashes.csv and clashes.bcf (one topic per clash).
"""

META = {
    "slug": "clash-check",
    "name": "Clash check",
    "description": "Finds clashes between two selections of elements (IFC classes of "
    "this version, or of another version for B): hard clashes deeper than a tolerance, "
    "clearance violations, or collisions. A finding per clash naming both GUIDs and the "
    "distance; writes clashes.csv and clashes.bcf.",
    "category": "validation",
    "parameters_schema": {
        "type": "object",
        "required": ["a_classes", "b_classes"],
        "properties": {
            "a_classes": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "description": "Classes of selection A (subclasses included), e.g. "
                '["IfcWall", "IfcSlab"].',
            },
            "b_classes": {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "description": "Classes of selection B.",
            },
            "b_version": {
                "type": "integer",
                "format": "model-version",
                "description": "Take selection B from this version (of any model of the "
                "project) instead of this one.",
            },
            "mode": {"enum": ["hard", "clearance", "collision"], "default": "hard"},
            "tolerance": {
                "type": "number",
                "minimum": 0,
                "default": 0.002,
                "description": "Metres: the penetration a hard clash must exceed, or the "
                "clearance to keep.",
            },
            "bcf_version": {"enum": ["3.0", "2.1"], "default": "3.0"},
            "severity": {"enum": ["error", "warning", "info"], "default": "error"},
        },
    },
}

import csv
import io
import os
import time

import ifcopenshell.geom
import numpy as np

started = time.monotonic()
other = open_version(params["b_version"]) if params.get("b_version") else None
schema = model.schema  # the first use opens the model; `model` is then the file itself
file_a = model
file_b = other.model if other is not None else file_a


def select(ifc, classes):
    found = {}
    for name in classes:
        try:
            for element in ifc.by_type(name):
                if element.is_a("IfcProduct") and element.Representation is not None:
                    found[element.id()] = element
        except RuntimeError:
            print(f"{name} is not a class of {ifc.schema}; ignored.")
    return list(found.values())


set_a = select(file_a, params["a_classes"])
set_b = select(file_b, params["b_classes"])
print(f"Selection A: {len(set_a)} elements; selection B: {len(set_b)} elements"
      + (f" (from version {other.number} of {other.model_name})." if other else "."))  # fmt: skip

settings = ifcopenshell.geom.settings()
tree = ifcopenshell.geom.tree(backend="opencascade.trianglebvh")
files = [file_a] if file_b is file_a else [file_a, file_b]
shapes = 0
for ifc in files:
    include = list({e.id(): e for e in (set_a + set_b) if e.file == ifc}.values())
    if not include:
        continue
    iterator = ifcopenshell.geom.iterator(settings, ifc, 1, include=include)
    tree.add_iterator(iterator)
    shapes += len(include)
geometry_s = time.monotonic() - started

mode, tol = params["mode"], float(params["tolerance"])
if not set_a or not set_b:
    raw = []
elif mode == "hard":
    raw = tree.clash_intersection_many(set_a, set_b, tolerance=tol, check_all=True)
elif mode == "clearance":
    raw = tree.clash_clearance_many(set_a, set_b, clearance=tol, check_all=True)
else:
    raw = tree.clash_collision_many(set_a, set_b, allow_touching=True)

KIND = {0: "protrusion", 1: "pierce", 2: "collision", 3: "clearance"}
clashes, seen = [], set()
guids_a = {e.GlobalId for e in set_a}
for c in raw:
    a, b = c.a, c.b
    if a.GlobalId not in guids_a and b.GlobalId in guids_a:
        a, b = b, a  # the tree may report a pair the other way round
    if a.GlobalId == b.GlobalId:
        continue
    key = (a.GlobalId, b.GlobalId)
    if key in seen or (other is None and (b.GlobalId, a.GlobalId) in seen):
        continue  # the same pair once (within one version, A-B and B-A are one clash)
    seen.add(key)
    p1, p2 = np.array(list(c.p1)), np.array(list(c.p2))
    clashes.append(
        {
            "a_guid": a.GlobalId,
            "a_class": a.is_a(),
            "a_name": a.Name,
            "b_guid": b.GlobalId,
            "b_class": b.is_a(),
            "b_name": b.Name,
            "type": KIND.get(c.clash_type, str(c.clash_type)),
            "distance_m": round(float(c.distance), 6),
            "point": ((p1 + p2) / 2).round(4).tolist(),
        }
    )
clashes.sort(key=lambda r: (r["a_guid"], r["b_guid"]))

emit = getattr(report, params["severity"])
words = {"hard": "penetrates", "clearance": "is too close to", "collision": "collides with"}
for r in clashes:
    emit(
        f"{r['a_class']} '{r['a_name'] or ''}' {words[mode]} {r['b_class']} "
        f"'{r['b_name'] or ''}' ({r['type']}, distance {r['distance_m']:.3f} m).",
        guid=r["a_guid"],
        rule=f"clash:{mode}",
        ifc_class=r["a_class"],
        other_guid=r["b_guid"],
        other_class=r["b_class"],
        distance=r["distance_m"],
        clash_type=r["type"],
        point=r["point"],
    )

buffer = io.StringIO()
writer = csv.writer(buffer)
columns = ["a_guid", "a_class", "a_name", "b_guid", "b_class", "b_name", "type", "distance_m"]
writer.writerow(columns + ["x", "y", "z"])
for r in clashes:
    writer.writerow([r[c] for c in columns] + r["point"])
save_output("clashes.csv", buffer.getvalue())

if params["bcf_version"] == "2.1":
    from bcf.v2.bcfxml import BcfXml
else:
    from bcf.v3.bcfxml import BcfXml
bcf = BcfXml.create_new("Clash check")
for r in clashes:
    topic = bcf.add_topic(
        f"Clash: {r['a_class']} {r['a_name'] or ''} / {r['b_class']} {r['b_name'] or ''}"[:250],
        f"{r['type']} clash ({mode}), distance {r['distance_m']:.3f} m, at "
        f"{', '.join(f'{v:.2f}' for v in r['point'])}.",
        "bimflow",
        "Clash",
        "Open",
    )
    topic.add_viewpoint_from_point_and_guids(np.array(r["point"]), r["a_guid"], r["b_guid"])
bcf.save(os.path.join(str(output_dir), "clashes.bcf"))

result.update(
    mode=mode,
    tolerance_m=tol,
    selection_a={"classes": params["a_classes"], "elements": len(set_a)},
    selection_b={
        "classes": params["b_classes"],
        "elements": len(set_b),
        "version": other.id if other else None,
    },
    pairs_checked_upper_bound=len(set_a) * len(set_b),
    clashes=len(clashes),
    clashing_a=len({r["a_guid"] for r in clashes}),
    clashing_b=len({r["b_guid"] for r in clashes}),
    by_type={t: sum(r["type"] == t for r in clashes) for t in sorted({r["type"] for r in clashes})},
    pairs=[[r["a_guid"], r["b_guid"], r["distance_m"]] for r in clashes],
    seconds={"geometry": round(geometry_s, 2), "total": round(time.monotonic() - started, 2)},
)
print(f"{len(clashes)} clashes ({mode}, tolerance {tol} m) in {result['seconds']['total']} s.")
