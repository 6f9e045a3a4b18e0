"""BCF export: turn the findings of an execution into a BCF file (3.0, or 2.1).

One topic per finding, or one per rule (all the rule's elements in its viewpoint).
Components are the findings' GUIDs; each viewpoint looks at the centre of its elements'
geometry (bounding boxes, for up to `viewpoint_geometry_limit` elements; placements
beyond that, and for elements without geometry), as the result says.
"""

META = {
    "slug": "bcf-export",
    "name": "Export findings to BCF",
    "description": "Turns the findings of a finished execution (of this project) into "
    "findings.bcf: one topic per finding or per rule, the elements' GUIDs as components "
    "and a viewpoint centred on them.",
    "category": "export",
    "parameters_schema": {
        "type": "object",
        "required": ["execution"],
        "properties": {
            "execution": {
                "type": "integer",
                "format": "execution",
                "description": "The execution whose findings to export.",
            },
            "topics": {"enum": ["finding", "rule"], "default": "finding"},
            "bcf_version": {"enum": ["3.0", "2.1"], "default": "3.0"},
            "severities": {
                "type": "array",
                "items": {"enum": ["error", "warning", "info"]},
                "default": ["error", "warning", "info"],
            },
            "file_name": {
                "type": "string",
                "default": "findings.bcf",
                "pattern": r"^[^/\\]+\.bcf$",
            },
            "viewpoint_geometry_limit": {"type": "integer", "minimum": 0, "default": 500},
        },
    },
}

import json
import os

import numpy as np

with open(params["execution"], encoding="utf-8") as fh:
    source = json.load(fh)
run = source["execution"]
rows = [f for f in source["findings"] if f["severity"] in params["severities"]]
print(
    f"Execution {run['id']} ({run['script']}) on {run['model_name']} v{run['version_number']}: "
    f"{len(source['findings'])} findings, {len(rows)} with the chosen severities."
)

schema = model.schema  # the first use opens the model; `model` is then the file itself
known = set()
unknown = set()


def element(guid):
    try:
        found = model.by_guid(guid)
    except RuntimeError:
        unknown.add(guid)
        return None
    known.add(guid)
    return found


def centres(guids, limit):
    """guid -> (x, y, z) metres: geometry bounding-box centres for up to `limit` elements
    with a representation, placement origins for the rest."""
    import ifcopenshell.geom
    import ifcopenshell.util.placement
    import ifcopenshell.util.unit

    scale = ifcopenshell.util.unit.calculate_unit_scale(model)
    found, with_shape = {}, []
    for guid in guids:
        e = element(guid)
        if e is not None and getattr(e, "Representation", None) is not None:
            with_shape.append(e)
    if with_shape[:limit]:
        settings = ifcopenshell.geom.settings()
        settings.set("use-world-coords", True)
        try:
            iterator = ifcopenshell.geom.iterator(
                settings, model, 1, include=with_shape[:limit], geometry_library="manifold"
            )
            if iterator.initialize():
                while True:
                    shape = iterator.get()
                    verts = np.array(shape.geometry.verts).reshape(-1, 3)
                    if len(verts):
                        found[shape.guid] = ((verts.min(axis=0) + verts.max(axis=0)) / 2).tolist()
                    if not iterator.next():
                        break
        except Exception as exc:  # noqa: BLE001 - placements stand in, as the result says
            print(f"Geometry for viewpoints failed ({exc}); using placements.")
    from_geometry = len(found)
    for guid in guids:
        e = element(guid)
        if guid in found or e is None or getattr(e, "ObjectPlacement", None) is None:
            continue
        matrix = ifcopenshell.util.placement.get_local_placement(e.ObjectPlacement)
        found[guid] = (matrix[:3, 3] * scale).tolist()
    return found, from_geometry, len(found) - from_geometry


def finding_guids(f):
    guids = [f["guid"]] if f.get("guid") else []
    other = (f.get("details") or {}).get("other_guid")
    if isinstance(other, str) and other not in guids:
        guids.append(other)  # a clash names two elements
    return guids


if params["topics"] == "finding":
    topics = [
        {
            "title": (f"{f['rule'] or f['severity']}: {f['ifc_class'] or ''}".strip())[:250],
            "description": f["message"],
            "guids": finding_guids(f),
            "kind": f["severity"],
        }
        for f in rows
    ]
else:
    by_rule = {}
    for f in rows:
        by_rule.setdefault(f["rule"] or "(no rule)", []).append(f)
    topics = []
    for rule, group in sorted(by_rule.items()):
        guids = list(dict.fromkeys(g for f in group for g in finding_guids(f)))
        lines = [f"{len(group)} findings of rule {rule}:"] + [f["message"] for f in group[:50]]
        if len(group) > 50:
            lines.append(f"... and {len(group) - 50} more (all elements are components).")
        topics.append(
            {
                "title": f"{rule} ({len(group)} findings)"[:250],
                "description": "\n".join(lines),
                "guids": guids,
                "kind": max((f["severity"] for f in group), key=["info", "warning", "error"].index),
            }
        )

all_guids = list(dict.fromkeys(g for t in topics for g in t["guids"]))
where, from_geometry, from_placement = centres(all_guids, params["viewpoint_geometry_limit"])
if params["bcf_version"] == "2.1":
    from bcf.v2.bcfxml import BcfXml
else:
    from bcf.v3.bcfxml import BcfXml
bcf = BcfXml.create_new(f"{run['model_name']} v{run['version_number']}: {run['script_name']}")
for t in topics:
    topic = bcf.add_topic(t["title"], t["description"], "bimflow", t["kind"].capitalize(), "Open")
    points = [where[g] for g in t["guids"] if g in where]
    centre = np.mean(np.array(points), axis=0) if points else np.zeros(3)
    topic.add_viewpoint_from_point_and_guids(centre, *t["guids"])
bcf.save(os.path.join(str(output_dir), params["file_name"]))

result.update(
    file=params["file_name"],
    bcf_version=params["bcf_version"],
    source_execution=run["id"],
    source_script=run["script"],
    findings=len(source["findings"]),
    exported_findings=len(rows),
    topics=len(topics),
    topic_per=params["topics"],
    components=sum(len(t["guids"]) for t in topics),
    guids_not_in_model=sorted(unknown),
    viewpoints_from_geometry=from_geometry,
    viewpoints_from_placement=from_placement,
    topics_without_position=sum(1 for t in topics if not any(g in where for g in t["guids"])),
)
print(f"Wrote {params['file_name']}: {len(topics)} topics (BCF {params['bcf_version']}).")
if unknown:
    print(f"{len(unknown)} GUIDs of the findings are not in this version's model.")
