"""version-diff, clash-check, quantity-takeoff, export-xlsx and bcf-export through the
API and a real worker, each against an oracle computed here with ifcopenshell/openpyxl."""

from __future__ import annotations

import ifcopenshell
import ifcopenshell.api
import ifcopenshell.util.element
import numpy as np
import openpyxl
import pytest

from tests.builtins.test_ids_check import read_bcf
from tests.conftest import shared_model

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
run = ifcopenshell.api.run


def product_guids(path):
    return {e.GlobalId for e in ifcopenshell.open(str(path)).by_type("IfcProduct")}


def test_version_diff_on_geelen_v1_v2_v3_equals_the_guid_oracle(workspace):
    paths = [shared_model(f"GEELEN-Breedplaat V{n}.ifc") for n in (1, 2, 3)]
    ids = [workspace.upload_version(p, model="GEELEN-Breedplaat") for p in paths]
    workspace.wait_ready(*ids)
    for old, new, vid in ((paths[0], paths[1], ids[1]), (paths[1], paths[2], ids[2])):
        body = workspace.run("version-diff", vid, {})  # compares with the previous version
        result = body["result"]
        assert result["old_version"] == ids[ids.index(vid) - 1]
        before, after = product_guids(old), product_guids(new)
        assert result["added_guids"] == sorted(after - before)
        assert result["removed_guids"] == sorted(before - after)
        assert result["added"] + result["changed"] + result["unchanged"] == len(after)
        book = openpyxl.load_workbook(workspace.fetch(body["id"], "diff.xlsx"), read_only=True)
        assert len(list(book["Added"].iter_rows())) - 1 == result["added"]
        assert len(list(book["Removed"].iter_rows())) - 1 == result["removed"]
        assert len(list(book["Changed"].iter_rows())) - 1 == result["changes"]


def test_version_diff_reports_exactly_the_changes_made(workspace, tmp_path):
    from bimflow.ifc.generator import generate_building

    v1 = tmp_path / "Block.ifc"
    generate_building(v1, products=80, seed=3)
    model = ifcopenshell.open(str(v1))
    walls, beams = model.by_type("IfcWall"), model.by_type("IfcBeam")
    renamed, annotated, removed = walls[0], walls[1], beams[0]
    expected_changes = {
        (renamed.GlobalId, "name", renamed.Name, "Renamed wall"),
        (annotated.GlobalId, "Bimflow_Test.Note", None, "checked"),
    }
    removed_guid = removed.GlobalId
    renamed.Name = "Renamed wall"
    pset = run("pset.add_pset", model, product=annotated, name="Bimflow_Test")
    run("pset.edit_pset", model, pset=pset, properties={"Note": "checked"})
    run("root.remove_product", model, product=removed)
    added = run("root.create_entity", model, ifc_class="IfcColumn", name="New column")
    storey = model.by_type("IfcBuildingStorey")[0]
    run("spatial.assign_container", model, products=[added], relating_structure=storey)
    v2 = tmp_path / "v2" / "Block.ifc"
    v2.parent.mkdir()
    model.write(str(v2))

    first = workspace.version(v1, model="Block")
    second = workspace.version(v2, model="Block")
    body = workspace.run("version-diff", second, {"compare_to": first})
    result = body["result"]
    assert result["added_guids"] == [added.GlobalId]
    assert result["removed_guids"] == [removed_guid]
    findings = workspace.findings(body["id"])
    changes = {
        (f["guid"], c["field"], c["old"], c["new"])
        for f in findings
        if f["rule"] == "changed"
        for c in f["details"]["changes"]
    }
    assert changes == expected_changes
    assert {(f["rule"], f["guid"]) for f in findings if f["rule"] != "changed"} == {
        ("added", added.GlobalId),
        ("removed", removed_guid),
    }


def clash_building(path):
    """Walls (A) and beams/columns (B) with known clashes; returns (clashing, clear)."""
    f = run("project.create_file", version="IFC4")
    project = run("root.create_entity", f, ifc_class="IfcProject", name="Clashes")
    run("unit.assign_unit", f)
    model_ctx = run("context.add_context", f, context_type="Model")
    body = run(
        "context.add_context",
        f,
        context_type="Model",
        context_identifier="Body",
        target_view="MODEL_VIEW",
        parent=model_ctx,
    )
    storey = run("root.create_entity", f, ifc_class="IfcBuildingStorey", name="Level 0")
    run("aggregate.assign_object", f, products=[storey], relating_object=project)

    def box(cls, name, x, y, z, lx, ly, lz):
        e = run("root.create_entity", f, ifc_class=cls, name=name)
        rep = run(
            "geometry.add_wall_representation",
            f,
            context=body,
            length=lx,
            height=lz,
            thickness=ly,
        )
        run("geometry.assign_representation", f, product=e, representation=rep)
        matrix = np.eye(4)
        matrix[:3, 3] = [x, y, z]
        run("geometry.edit_object_placement", f, product=e, matrix=matrix, is_si=True)
        run("spatial.assign_container", f, products=[e], relating_structure=storey)
        return e

    clashing, clear = set(), set()
    for bay in range(3):  # three bays, each with the same situations 10 m apart
        ox = bay * 10.0
        wall = box("IfcWall", f"W{bay}", ox, 0, 0, 4, 0.2, 3)
        for name, cls, dims, hits in (
            ("pierces", "IfcBeam", (ox + 1, -0.4, 1.2, 0.3, 1.0, 0.4), True),
            ("corner", "IfcBeam", (ox + 3.8, 0.1, 2.8, 1, 1, 1), True),
            ("column", "IfcColumn", (ox - 0.1, -0.1, 0.5, 0.3, 0.3, 2), True),
            ("gap 5 cm", "IfcBeam", (ox, 0.25, 1, 4, 0.3, 0.3), False),
            ("1 mm deep", "IfcBeam", (ox + 1, 0.199, 1, 1, 0.3, 0.3), False),
            ("far", "IfcBeam", (ox + 6, 5, 0, 1, 1, 1), False),
        ):
            other = box(cls, f"{name} {bay}", *dims)
            (clashing if hits else clear).add((wall.GlobalId, other.GlobalId))
    f.write(str(path))
    return clashing, clear


def test_clash_check_finds_exactly_the_intersecting_pairs(workspace, tmp_path):
    path = tmp_path / "Clashes.ifc"
    clashing, clear = clash_building(path)
    vid = workspace.version(path)
    body = workspace.run(
        "clash-check",
        vid,
        {"a_classes": ["IfcWall"], "b_classes": ["IfcBeam", "IfcColumn"], "tolerance": 0.002},
    )
    result = body["result"]
    assert {(a, b) for a, b, _d in result["pairs"]} == clashing
    assert result["selection_a"]["elements"] == 3 and result["selection_b"]["elements"] == 18
    findings = workspace.findings(body["id"])
    assert {(f["guid"], f["details"]["other_guid"]) for f in findings} == clashing
    assert all(f["details"]["distance"] > 0.002 for f in findings)
    rows = workspace.fetch(body["id"], "clashes.csv").read_text().splitlines()
    assert len(rows) - 1 == len(clashing)
    topics = read_bcf(workspace.fetch(body["id"], "clashes.bcf"), "3.0", path)
    assert sorted(tuple(g) for _t, g in topics) == sorted(tuple(sorted(p)) for p in clashing)

    # Clearance: the 5 cm gap is too close for 10 cm, and the far beams stay clear.
    body = workspace.run(
        "clash-check",
        vid,
        {"a_classes": ["IfcWall"], "b_classes": ["IfcBeam"], "mode": "clearance",
         "tolerance": 0.1, "bcf_version": "2.1"},
    )  # fmt: skip
    pairs = {(a, b) for a, b, _d in body["result"]["pairs"]}
    model = ifcopenshell.open(str(path))
    names = {(model.by_guid(a).Name, model.by_guid(b).Name) for a, b in pairs}
    assert {("W0", "gap 5 cm 0"), ("W0", "1 mm deep 0")} <= names
    assert not any(b.startswith("far") for _a, b in names)


def test_clash_check_against_another_version(workspace, tmp_path):
    path = tmp_path / "Clashes.ifc"
    clashing, _clear = clash_building(path)
    structure = workspace.version(path, model="Structure")
    services = workspace.version(path, model="Services")
    body = workspace.run(
        "clash-check",
        structure,
        {"a_classes": ["IfcWall"], "b_classes": ["IfcBeam", "IfcColumn"], "b_version": services},
    )
    assert body["result"]["selection_b"]["version"] == services
    assert {(a, b) for a, b, _d in body["result"]["pairs"]} == clashing


def test_quantities_and_xlsx_exports_hold_what_the_result_claims(workspace, tmp_path):
    from bimflow.ifc.generator import generate_building

    path = tmp_path / "Block.ifc"
    generate_building(path, products=120, seed=1)
    model = ifcopenshell.open(str(path))
    vid = workspace.version(path)

    # Oracle: NetVolume of every wall from its quantity set (mm3 -> m3 by the file's units).
    volumes = {}
    for wall in model.by_type("IfcWall"):
        qto = ifcopenshell.util.element.get_psets(wall, qtos_only=True)
        volumes[wall.GlobalId] = qto["Qto_WallBaseQuantities"]["NetVolume"]
    body = workspace.run("quantity-takeoff", vid, {"geometry_fallback": False})
    by_class = {r["ifc_class"]: r for r in body["result"]["by_class"]}
    assert by_class["IfcWall"]["count"] == len(volumes)
    assert by_class["IfcWall"]["volume_m3"] == pytest.approx(sum(volumes.values()), rel=1e-6)
    book = openpyxl.load_workbook(workspace.fetch(body["id"], "quantities.xlsx"), read_only=True)
    for title, rows in body["result"]["sheets"].items():
        assert len(list(book[title].iter_rows())) - 1 == rows
    import csv

    with open(workspace.fetch(body["id"], "quantities-elements.csv"), newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == body["result"]["element_rows"]
    walls = {r["guid"]: float(r["volume"]) for r in rows if r["ifc_class"] == "IfcWall"}
    assert walls == pytest.approx(volumes)

    body = workspace.run("export-xlsx", vid, {"ifc_classes": ["IfcWall", "IfcSlab"]})
    book = openpyxl.load_workbook(workspace.fetch(body["id"], "elements.xlsx"), read_only=True)
    expected = {
        cls: sorted(e.GlobalId for e in model.by_type(cls) if e.is_a() == cls)
        for cls in ("IfcWall", "IfcSlab")
    }
    assert sorted(book.sheetnames) == sorted(expected)
    assert sum(s["rows"] for s in body["result"]["sheets"]) == body["result"]["rows"]
    for cls, guids in expected.items():
        rows = list(book[cls].iter_rows(values_only=True))
        assert sorted(r[0] for r in rows[1:]) == guids
        assert "Pset_WallCommon.FireRating" in rows[0] or cls != "IfcWall"


def test_bcf_export_of_an_executions_findings(workspace):
    source = shared_model("AC20-FZK-Haus.ifc")
    vid = workspace.version(source)
    rules = [{"ifc_class": "IfcWall", "pattern": "Wand-Ext-.*"}, {"ifc_class": "IfcDoor",
             "pattern": "Door.*"}]  # fmt: skip
    naming = workspace.run("naming-convention", vid, {"rules": rules})
    findings = workspace.findings(naming["id"])
    assert findings
    per_finding = workspace.run("bcf-export", vid, {"execution": naming["id"]})
    assert per_finding["result"]["topics"] == len(findings)
    topics = read_bcf(workspace.fetch(per_finding["id"], "findings.bcf"), "3.0", source)
    assert sorted(g for _t, g in topics) == sorted([f["guid"]] for f in findings)
    per_rule = workspace.run(
        "bcf-export", vid, {"execution": naming["id"], "topics": "rule", "bcf_version": "2.1"}
    )
    topics = read_bcf(workspace.fetch(per_rule["id"], "findings.bcf"), "2.1", source)
    expected = {}
    for f in findings:
        expected.setdefault(f["rule"], []).append(f["guid"])
    assert sorted((t.split(" (")[0], g) for t, g in topics) == sorted(
        (rule, sorted(guids)) for rule, guids in expected.items()
    )
