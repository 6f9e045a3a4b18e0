"""ids-check through the API and a real worker: the IDS standard's pass/fail cases,
and a realistic IDS on shared models against ifctester run directly (the oracle)."""

from __future__ import annotations

import json
import zipfile

import ifcopenshell
import openpyxl
import pytest
from ifctester import ids

from tests.builtins.ids_cases import CASES, build_model, expected, write_case
from tests.conftest import shared_model

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ANY = ids.Restriction(options={"pattern": ".*"})


def test_ids_cases_agree_with_the_standard(workspace, tmp_path, settings):
    settings.BIMFLOW_MAX_ACTIVE_EXECUTIONS_PER_USER = 0  # all cases queued at once
    assert len(CASES) >= 30
    facets = {"entity", "attribute", "property", "classification", "material", "partof"}
    assert facets <= {name.split("-")[1] for name in CASES}
    guids = build_model(tmp_path / "cases.ifc")
    vid = workspace.version(tmp_path / "cases.ifc")
    started = {}
    for name in CASES:
        fid = workspace.file_id(write_case(name, tmp_path), "ids")
        resp = workspace.start("ids-check", vid, {"ids": fid, "reports": ["json"]})
        assert resp.status_code == 201, resp.content
        started[name] = resp.json()["id"]
    wrong = []
    for name, eid in started.items():
        body = workspace.wait(eid)
        spec = body["result"]["specifications"][0]
        if spec["status"] != expected(name):
            wrong.append((name, spec["status"], expected(name)))
            continue
        findings = workspace.findings(eid)
        assert spec["failed"] == len({f["guid"] for f in findings if f["guid"]}), name
        assert spec["passed"] + spec["failed"] == spec["applicable"], name
        if name.startswith("fail-") and spec["applicable"]:
            # The case's element is the one that failed, and the finding says why.
            first = CASES[name][0][0]
            element = first.value if isinstance(first, ids.Attribute) else "S1"
            assert {f["guid"] for f in findings} == {guids[element]}, name
            assert all(f["rule"] == name and f["message"] for f in findings), name
        elif name == "fail-required-specification-applies-to-nothing":
            assert [(f["guid"], f["rule"]) for f in findings] == [(None, name)]
        else:
            assert findings == [], name
    assert wrong == [], wrong


REALISTIC = [
    ("Walls have a name", [ids.Entity("IFCWALLSTANDARDCASE")], [ids.Attribute("Name")], 1),
    ("Walls have a material", [ids.Entity("IFCWALLSTANDARDCASE")], [ids.Material()], 1),
    (
        "Walls say whether they are external",
        [ids.Entity("IFCWALLSTANDARDCASE")],
        [ids.Property("Pset_WallCommon", "IsExternal", dataType="IFCBOOLEAN")],
        0,
    ),
    (
        "Beams have a material and a part mark",
        [ids.Entity("IFCBEAM")],
        [ids.Material(), ids.Property("Tekla Common", "Part mark")],
        0,
    ),
    (
        "Parts are contained in a storey",
        [ids.Entity("IFCBUILDINGELEMENTPART")],
        [ids.PartOf("IFCBUILDINGSTOREY", relation="IFCRELCONTAINEDINSPATIALSTRUCTURE")],
        0,
    ),
    (
        "Slabs are floors",
        [ids.Entity("IFCSLAB")],
        [ids.Attribute("PredefinedType", "FLOOR")],
        0,
    ),
    (
        "Doors have a fire rating",
        [ids.Entity("IFCDOOR")],
        [ids.Property("Pset_DoorCommon", "FireRating")],
        0,
    ),
    (
        "Beams are classified",
        [ids.Entity("IFCBEAM")],
        [ids.Classification(system=ANY)],
        0,
    ),
]


def realistic_ids(path):
    spec_file = ids.Ids(title="Coordination checks")
    for name, applicability, requirements, min_occurs in REALISTIC:
        spec = ids.Specification(name=name, ifcVersion=["IFC2X3", "IFC4"], minOccurs=min_occurs)
        spec.applicability.extend(applicability)
        spec.requirements.extend(requirements)
        spec_file.specifications.append(spec)
    spec_file.to_xml(str(path))
    return path


def ifctester_oracle(ids_path, ifc_path):
    spec_file = ids.open(str(ids_path))
    spec_file.validate(ifcopenshell.open(str(ifc_path)))
    out = {}
    for spec in spec_file.specifications:
        applicable, failed = len(spec.applicable_entities), len(spec.failed_entities)
        if applicable == 0 and spec.minOccurs == 0:
            status = "not applicable"
        else:
            status = "pass" if spec.status else "fail"
        out[spec.name] = {
            "applicable": applicable,
            "passed": applicable - failed,
            "failed": failed,
            "status": status,
            "failed_guids": sorted(e.GlobalId for e in spec.failed_entities),
            "failures": sum(len(r.failures) for r in spec.requirements),
        }
    return out


@pytest.mark.parametrize(
    "model_name", ["AC20-FZK-Haus.ifc", "XELLA-Begane grond.ifc", "MULTICOM-Prefab.ifc"]
)
def test_realistic_ids_on_shared_models_equals_ifctester(workspace, tmp_path, model_name):
    source = shared_model(model_name)
    ids_path = realistic_ids(tmp_path / "coordination.ids")
    oracle = ifctester_oracle(ids_path, source)
    vid = workspace.version(source)
    fid = workspace.file_id(ids_path)
    body = workspace.run("ids-check", vid, {"ids": fid})
    result = body["result"]
    got = {
        s["name"]: {k: s[k] for k in ("applicable", "passed", "failed", "status")}
        for s in result["specifications"]
    }
    assert got == {
        name: {k: o[k] for k in ("applicable", "passed", "failed", "status")}
        for name, o in oracle.items()
    }
    findings = workspace.findings(body["id"])
    total_failures = sum(o["failures"] for o in oracle.values())
    assert len(findings) == total_failures + sum(
        1 for name, *_, m in REALISTIC if m and oracle[name]["applicable"] == 0
    )
    for name, o in oracle.items():
        assert (
            sorted({f["guid"] for f in findings if f["rule"] == name and f["guid"]})
            == (o["failed_guids"])
        )
    assert result["counts"]["failures"] == total_failures
    assert sorted(f["name"] for f in body["files"]) == sorted(
        ["ids-report.json", "ids-report.html", "ids-report.xlsx", "ids-report.bcf"]
    )

    # JSON: the same numbers and every failure row.
    report = json.loads(workspace.fetch(body["id"], "ids-report.json").read_text())
    assert report["counts"] == result["counts"] and len(report["failures"]) == total_failures

    # XLSX: a row per specification, per requirement and per failure.
    book = openpyxl.load_workbook(workspace.fetch(body["id"], "ids-report.xlsx"), read_only=True)
    specs = list(book["Specifications"].iter_rows(values_only=True))[1:]
    assert [(r[0], r[3], r[4], r[5], r[6]) for r in specs] == [
        (n, o["applicable"], o["passed"], o["failed"], o["status"]) for n, o in oracle.items()
    ]
    assert len(list(book["Requirements"].iter_rows())) - 1 == sum(len(r) for *_, r, _m in REALISTIC)
    failures = list(book["Failures"].iter_rows(values_only=True))[1:]
    assert len(failures) == total_failures
    assert sorted({(r[0], r[1]) for r in failures}) == sorted(
        {(n, g) for n, o in oracle.items() for g in o["failed_guids"]}
    )

    # HTML names every specification.
    page = workspace.fetch(body["id"], "ids-report.html").read_text()
    assert all(name in page for name in oracle)

    # BCF 3.0: one topic per failing specification, its failing elements as components.
    topics = read_bcf(workspace.fetch(body["id"], "ids-report.bcf"), "3.0", source)
    assert sorted((title.split(": ")[0], guids) for title, guids in topics) == sorted(
        (n, o["failed_guids"]) for n, o in oracle.items() if o["status"] == "fail"
    )


def read_bcf(path, version, source):
    """Open with bcf-client: (title, component GUIDs) per topic. Checks the version,
    one viewpoint with a camera per topic, and that every component is in the model."""
    from bcf.v2.bcfxml import BcfXml as Bcf2
    from bcf.v3.bcfxml import BcfXml as Bcf3

    with zipfile.ZipFile(path) as archive:
        assert f'VersionId="{version}"' in archive.read("bcf.version").decode()
    model = ifcopenshell.open(str(source))
    bcf = (Bcf3 if version == "3.0" else Bcf2).load(path)
    topics = []
    for handler in bcf.topics.values():
        (viewpoint,) = handler.viewpoints.values()
        assert viewpoint.visualization_info.perspective_camera is not None
        guids = sorted(viewpoint.get_selected_guids() or [])
        for guid in guids:
            assert model.by_guid(guid) is not None
        topics.append((handler.topic.title, guids))
    return topics


def test_bcf_per_finding_in_bcf_2_1(workspace, tmp_path):
    source = shared_model("AC20-FZK-Haus.ifc")
    ids_path = realistic_ids(tmp_path / "coordination.ids")
    oracle = ifctester_oracle(ids_path, source)
    vid = workspace.version(source)
    fid = workspace.file_id(ids_path)
    body = workspace.run(
        "ids-check",
        vid,
        {"ids": fid, "bcf_topics": "finding", "bcf_version": "2.1", "reports": ["bcf"]},
    )
    assert [f["name"] for f in body["files"]] == ["ids-report.bcf"]
    findings = workspace.findings(body["id"])
    with_guid = [f for f in findings if f["guid"]]
    assert (
        body["result"]["bcf"]["topics"]
        == len(with_guid)
        == sum(o["failures"] for o in oracle.values())
    )
    topics = read_bcf(workspace.fetch(body["id"], "ids-report.bcf"), "2.1", source)
    assert sorted(guids for _, guids in topics) == sorted([f["guid"]] for f in with_guid)
