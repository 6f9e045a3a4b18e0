"""IDS check: validate the version against an IDS file (a project file) with ifctester.

Per specification: applicable, passed and failed element counts and a status (`pass`,
`fail`, or `not applicable` when nothing was applicable and the specification allows
zero). One finding per failing element and requirement. The reports are built from
ifctester's results directly (its reporters cost more than the check on big models).
"""

META = {
    "slug": "ids-check",
    "name": "IDS check",
    "description": "Validates the model against an IDS file (information delivery "
    "specification) with ifctester: per specification the applicable, passed and failed "
    "elements, one finding per failing element and requirement. Writes ids-report.json, "
    ".html, .xlsx and .bcf.",
    "category": "validation",
    "parameters_schema": {
        "type": "object",
        "required": ["ids"],
        "properties": {
            "ids": {
                "type": "integer",
                "format": "project-file",
                "x-kind": "ids",
                "description": "The IDS file (a project file of kind ids).",
            },
            "reports": {
                "type": "array",
                "items": {"enum": ["json", "html", "xlsx", "bcf"]},
                "default": ["json", "html", "xlsx", "bcf"],
                "description": "Which reports to write.",
            },
            "bcf_topics": {
                "enum": ["specification", "finding"],
                "default": "specification",
                "description": "One BCF topic per failing specification (with all its "
                "failing elements) or one per finding (element and requirement).",
            },
            "bcf_version": {"enum": ["3.0", "2.1"], "default": "3.0"},
            "viewpoint_geometry_limit": {
                "type": "integer",
                "minimum": 0,
                "default": 500,
                "description": "BCF viewpoints are centred on the elements' geometry for "
                "up to this many elements, on their placements beyond (said in the result).",
            },
        },
    },
}

import html
import json
import os

from ifctester import ids as ids_lib

spec_file = ids_lib.open(params["ids"])
schema = model.schema  # the first use opens the model and rebinds the global to the file
spec_file.validate(model)


def describe(facet, kind):
    try:
        return facet.to_string(kind)
    except Exception:  # noqa: BLE001 - a facet ifctester cannot phrase is named by type
        return type(facet).__name__


def cardinality(spec):
    if spec.minOccurs != 0:
        return "required"
    return "prohibited" if spec.maxOccurs == 0 else "optional"


specs_out = []
findings = []  # rows for the reports; each was also reported as a finding
for index, spec in enumerate(spec_file.specifications):
    applicable = list(spec.applicable_entities)
    failed = spec.failed_entities
    card = cardinality(spec)
    if card == "prohibited":
        failed = set(applicable)
    n_app, n_fail = len(applicable), len(failed)
    if n_app == 0 and card != "required":
        status = "not applicable"
    else:
        status = "pass" if spec.status else "fail"
    requirements = []
    for facet in spec.requirements:
        text = describe(facet, "requirement")
        fails = facet.failures if card != "prohibited" else []
        requirements.append(
            {
                "facet": type(facet).__name__.lower(),
                "requirement": text,
                "checked": n_app if card != "prohibited" else 0,
                "passed": n_app - len(fails) if card != "prohibited" else 0,
                "failed": len(fails),
            }
        )
        for failure in fails:
            element = failure["element"] if isinstance(failure, dict) else failure.element
            reason = failure["reason"] if isinstance(failure, dict) else failure.reason
            guid = getattr(element, "GlobalId", None)
            row = {
                "specification": spec.name,
                "guid": guid,
                "ifc_class": element.is_a(),
                "name": getattr(element, "Name", None),
                "step_id": element.id(),
                "requirement": text,
                "actual": reason,
            }
            findings.append(row)
            report.error(
                f"{text}: {reason}",
                guid=guid,
                rule=spec.name,
                ifc_class=element.is_a(),
                requirement=text,
                actual=reason,
                facet=type(facet).__name__,
                step_id=element.id(),
            )
    if card == "prohibited":
        for element in applicable:
            guid = getattr(element, "GlobalId", None)
            text = "This specification prohibits such elements"
            findings.append(
                {
                    "specification": spec.name,
                    "guid": guid,
                    "ifc_class": element.is_a(),
                    "name": getattr(element, "Name", None),
                    "step_id": element.id(),
                    "requirement": text,
                    "actual": "the element is applicable",
                }
            )
            report.error(
                f"{text}, and this element is one.",
                guid=guid,
                rule=spec.name,
                ifc_class=element.is_a(),
                requirement=text,
                actual="applicable",
                step_id=element.id(),
            )
    if card == "required" and n_app == 0:
        report.error(
            "No element is applicable, but the specification requires at least one.",
            rule=spec.name,
        )
    specs_out.append(
        {
            "index": index,
            "name": spec.name,
            "description": spec.description,
            "instructions": spec.instructions,
            "ifc_versions": list(spec.ifcVersion or []),
            "cardinality": card,
            "applicability": [describe(f, "applicability") for f in spec.applicability],
            "applicable": n_app,
            "passed": n_app - n_fail,
            "failed": n_fail,
            "status": status,
            "requirements": requirements,
            "failed_guids": sorted(g for e in failed if (g := getattr(e, "GlobalId", None))),
        }
    )

info = spec_file.info or {}
counts = {
    "specifications": len(specs_out),
    "passed": sum(s["status"] == "pass" for s in specs_out),
    "failed": sum(s["status"] == "fail" for s in specs_out),
    "not_applicable": sum(s["status"] == "not applicable" for s in specs_out),
    "applicable": sum(s["applicable"] for s in specs_out),
    "applicable_passed": sum(s["passed"] for s in specs_out),
    "applicable_failed": sum(s["failed"] for s in specs_out),
    "failures": len(findings),
}
summary = [{k: v for k, v in s.items() if k != "failed_guids"} for s in specs_out]
result.update(
    ids={"title": info.get("title"), "file": os.path.basename(params["ids"])},
    schema=model.schema,
    status="fail" if counts["failed"] else "pass",
    counts=counts,
    specifications=summary,
)
wanted = set(params["reports"])

if "json" in wanted:
    save_output(
        "ids-report.json",
        {**{k: v for k, v in result.items()}, "failures": findings},
    )

if "html" in wanted:
    esc = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>IDS report</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;"
        "margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
        ".pass{color:#14702b}.fail{color:#b3261e}.na{color:#666}</style></head><body>",
        f"<h1>IDS report: {esc(str(info.get('title') or ''))}</h1>",
        f"<p>{counts['specifications']} specifications: {counts['passed']} passed, "
        f"{counts['failed']} failed, {counts['not_applicable']} not applicable. "
        f"{counts['failures']} failures.</p>",
        "<table><tr><th>Specification</th><th>Applicability</th><th>Applicable</th>"
        "<th>Passed</th><th>Failed</th><th>Status</th></tr>",
    ]
    for s in specs_out:
        css = {"pass": "pass", "fail": "fail"}.get(s["status"], "na")
        parts.append(
            f"<tr><td>{esc(s['name'])}</td><td>{esc('; '.join(s['applicability']))}</td>"
            f"<td>{s['applicable']}</td><td>{s['passed']}</td><td>{s['failed']}</td>"
            f"<td class='{css}'>{esc(s['status'])}</td></tr>"
        )
    parts.append("</table>")
    by_spec = {}
    for row in findings:
        by_spec.setdefault(row["specification"], []).append(row)
    for s in specs_out:
        parts.append(f"<h2>{esc(s['name'])}</h2><ul>")
        for r in s["requirements"]:
            parts.append(
                f"<li>{esc(r['requirement'])}: {r['passed']} of {r['checked']} passed</li>"
            )
        parts.append("</ul>")
        rows = by_spec.get(s["name"], [])
        if rows:
            parts.append(
                "<table><tr><th>GUID</th><th>Class</th><th>Name</th><th>Requirement</th>"
                "<th>Actual</th></tr>"
            )
            parts.extend(
                f"<tr><td>{esc(str(r['guid']))}</td><td>{esc(r['ifc_class'])}</td>"
                f"<td>{esc(str(r['name'] or ''))}</td><td>{esc(r['requirement'])}</td>"
                f"<td>{esc(str(r['actual']))}</td></tr>"
                for r in rows
            )
            parts.append("</table>")
    parts.append("</body></html>")
    save_output("ids-report.html", "".join(parts))

if "xlsx" in wanted:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Specifications")
    sheet.append(
        ["Specification", "Cardinality", "Applicability", "Applicable", "Passed"]
        + ["Failed", "Status"]
    )
    for s in specs_out:
        sheet.append(
            [s["name"], s["cardinality"], "; ".join(s["applicability"]), s["applicable"]]
            + [s["passed"], s["failed"], s["status"]]
        )
    sheet = book.create_sheet("Requirements")
    sheet.append(["Specification", "Facet", "Requirement", "Checked", "Passed", "Failed"])
    for s in specs_out:
        for r in s["requirements"]:
            sheet.append(
                [s["name"], r["facet"], r["requirement"], r["checked"], r["passed"], r["failed"]]
            )
    columns = ["specification", "guid", "ifc_class", "name", "requirement", "actual"]
    per_sheet = 1_000_000  # Excel holds 1,048,576 rows a sheet: more go to the next sheet
    for start in range(0, max(len(findings), 1), per_sheet):
        title = "Failures" if start == 0 else f"Failures {start // per_sheet + 1}"
        sheet = book.create_sheet(title)
        sheet.append([c.replace("_", " ").capitalize() for c in columns])
        for row in findings[start : start + per_sheet]:
            sheet.append([None if row[c] is None else str(row[c]) for c in columns])
    book.save(os.path.join(str(output_dir), "ids-report.xlsx"))

if "bcf" in wanted:
    import numpy as np

    def centres(guids, limit):
        """guid -> (x, y, z) in metres: geometry bounding-box centres for up to `limit`
        elements with a representation, placement origins for the rest."""
        if not guids:
            return {}, 0, 0
        import ifcopenshell.geom
        import ifcopenshell.util.placement
        import ifcopenshell.util.unit

        scale = ifcopenshell.util.unit.calculate_unit_scale(model)
        found, elements = {}, []
        for guid in guids:
            try:
                element = model.by_guid(guid)
            except RuntimeError:
                continue
            if getattr(element, "Representation", None) is not None:
                elements.append(element)
        geometry = elements[:limit]
        if geometry:
            settings = ifcopenshell.geom.settings()
            settings.set("use-world-coords", True)
            try:
                iterator = ifcopenshell.geom.iterator(
                    settings, model, 1, include=geometry, geometry_library="manifold"
                )
                if iterator.initialize():
                    while True:
                        shape = iterator.get()
                        verts = np.array(shape.geometry.verts).reshape(-1, 3)
                        if len(verts):
                            lo, hi = verts.min(axis=0), verts.max(axis=0)
                            found[shape.guid] = ((lo + hi) / 2).tolist()
                        if not iterator.next():
                            break
            except Exception as exc:  # noqa: BLE001 - fall back to placements, said below
                print(f"Geometry for viewpoints failed ({exc}); using placements.")
        placed = 0
        for guid in guids:
            if guid in found:
                continue
            try:
                element = model.by_guid(guid)
            except RuntimeError:
                continue
            if getattr(element, "ObjectPlacement", None) is not None:
                matrix = ifcopenshell.util.placement.get_local_placement(element.ObjectPlacement)
                found[guid] = (matrix[:3, 3] * scale).tolist()
                placed += 1
        return found, len(found) - placed, placed

    if params["bcf_topics"] == "finding":
        topics = [
            {
                "title": f"{r['specification']}: {r['ifc_class']} {r['name'] or ''}".strip(),
                "description": f"{r['requirement']}: {r['actual']}",
                "guids": [r["guid"]] if r["guid"] else [],
            }
            for r in findings
        ]
    else:
        topics = [
            {
                "title": f"{s['name']}: {s['failed']} of {s['applicable']} elements fail",
                "description": "; ".join(
                    f"{r['requirement']} ({r['failed']} failed)"
                    for r in s["requirements"]
                    if r["failed"]
                )
                or "; ".join(s["applicability"]),
                "guids": s["failed_guids"],
            }
            for s in specs_out
            if s["status"] == "fail"
        ]
    all_guids = sorted({g for t in topics for g in t["guids"]})
    where, from_geometry, from_placement = centres(all_guids, params["viewpoint_geometry_limit"])
    if params["bcf_version"] == "2.1":
        from bcf.v2.bcfxml import BcfXml
    else:
        from bcf.v3.bcfxml import BcfXml
    bcf = BcfXml.create_new(str(info.get("title") or "IDS check"))
    for t in topics:
        handler = bcf.add_topic(t["title"][:250], t["description"], "bimflow", "Issue", "Open")
        points = [where[g] for g in t["guids"] if g in where]
        centre = np.mean(np.array(points), axis=0) if points else np.zeros(3)
        handler.add_viewpoint_from_point_and_guids(centre, *t["guids"])
    bcf.save(os.path.join(str(output_dir), "ids-report.bcf"))
    result["bcf"] = {
        "version": params["bcf_version"],
        "topics": len(topics),
        "topic_per": params["bcf_topics"],
        "viewpoints_from_geometry": from_geometry,
        "viewpoints_from_placement": from_placement,
        "elements_without_position": len(all_guids) - from_geometry - from_placement,
    }

print(
    f"{counts['specifications']} specifications: {counts['passed']} passed, "
    f"{counts['failed']} failed, {counts['not_applicable']} not applicable; "
    f"{counts['applicable']} applicable checks, {counts['failures']} failures."
)
print(json.dumps({"counts": counts}))
