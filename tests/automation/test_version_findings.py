"""The Validation tab's API (a version's checks, findings, groups, exports), the editor's
test runs, and the automation previews (cron in words, a batch's versions). Scripts run
in this process; the findings they report are the oracle (given as parameters)."""

from __future__ import annotations

import csv
import io
import zipfile
import zoneinfo
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest

from tests.automation.conftest import shared_script, upload_ready
from tests.conftest import api_client
from tests.ifc_factory import small_building

pytestmark = pytest.mark.django_db

REPORTER = """
for severity, rule, guid in params["findings"]:
    getattr(report, severity)(f"{rule} on {guid}", guid=guid, rule=rule)
"""
SCHEMA = {"type": "object", "properties": {"findings": {"type": "array"}}, "required": ["findings"]}


@pytest.fixture
def setup(personas, upload, tmp_path):
    carol = api_client(personas["coordinator"])
    versions = []
    for n in range(2):
        path = tmp_path / f"v{n}.ifc"
        small_building(path, walls=2)
        versions.append(upload_ready(carol, upload, personas["project"].pk, path, model="Tower"))
    from bimflow.scripting.models import Script

    script = shared_script(personas["coordinator"], personas["project"], "Rules", REPORTER, SCHEMA)
    Script.objects.filter(pk=script.pk).update(category="validation")
    script.refresh_from_db()
    return personas, versions, script


def run(user, script, version, findings):
    from bimflow.automation.services.findings import findings_track
    from bimflow.scripting.runner import execution_run
    from bimflow.scripting.services import execution_create

    params = {"findings": [list(f) for f in findings]}
    ex = execution_create(script=script, version=version, parameters=params, user=user)
    execution_run(execution_id=ex.pk)
    ex.refresh_from_db()
    assert ex.status == "succeeded", ex.error
    findings_track(execution_id=ex.pk)
    return ex


V1 = [("error", "r1", "G1"), ("warning", "r1", "G2"), ("info", "r2", "G3")]
V2 = [("error", "r1", "G1"), ("error", "r1", "G4"), ("warning", "r3", "G5"), ("info", "r2", "G6")]


def all_pages(client, path, **params) -> list[dict]:
    rows, page = [], 1
    while True:
        resp = client.get(path, {**params, "page": page, "page_size": 2})
        assert resp.status_code == 200, resp.content
        rows += resp.json()["results"]
        if not resp.json()["next"]:
            return rows
        page += 1


def test_checks_findings_groups_and_states_against_the_previous_version(setup):
    personas, (v1, v2), script = setup
    user = personas["coordinator"]
    run(user, script, v1, V1)
    e2 = run(user, script, v2, V2)
    client = api_client(personas["viewer"])

    report = client.get(f"/api/versions/{v2.pk}/checks/").json()
    assert report["previous_version"] == {"id": v1.pk, "number": v1.number}
    (check,) = [c for c in report["checks"] if c["script_slug"] == script.slug]
    assert check["execution"] == e2.pk and check["outcome"] == "fail"  # it has errors
    assert check["counts"] == {"error": 2, "warning": 1, "info": 1, "total": 4}
    # (rule, guid) identities: r1/G1 stays; r1/G2 and r2/G3 went away; three are new.
    assert check["states"] == {"new": 3, "open": 1, "reopened": 0, "resolved": 2}
    assert check["previous"]["counts"]["total"] == 3 and check["trend"] == 1
    assert report["totals"]["fail"] >= 1

    rows = all_pages(client, f"/api/versions/{v2.pk}/findings/")
    got = {(r["severity"], r["rule"], r["guid"], r["state"]) for r in rows}
    expected = {(s, r, g, "open" if g == "G1" else "new") for s, r, g in V2} | {
        ("warning", "r1", "G2", "resolved"),
        ("info", "r2", "G3", "resolved"),
    }
    assert got == expected and len(rows) == len(expected)

    only = all_pages(client, f"/api/versions/{v2.pk}/findings/", severity="error", q="g4")
    assert [(r["rule"], r["guid"]) for r in only] == [("r1", "G4")]
    resolved = all_pages(client, f"/api/versions/{v2.pk}/findings/", state="resolved")
    assert {r["guid"] for r in resolved} == {"G2", "G3"}
    bad = client.get(f"/api/versions/{v2.pk}/findings/", {"state": "gone"})
    assert bad.status_code == 400 and "state" in bad.json()

    groups = client.get(f"/api/versions/{v2.pk}/findings/groups/").json()
    by_rule = {g["rule"]: g for g in groups if g["script_slug"] == script.slug}
    assert (by_rule["r1"]["error"], by_rule["r1"]["total"], by_rule["r1"]["state_open"]) == (
        2,
        2,
        1,
    )
    assert by_rule["r1"]["state_resolved"] == 1 and by_rule["r2"]["state_resolved"] == 1
    assert (by_rule["r3"]["warning"], by_rule["r3"]["state_new"]) == (1, 1)


def test_exports_carry_every_finding(setup):
    personas, (v1, v2), script = setup
    run(personas["coordinator"], script, v2, V2)
    client = api_client(personas["viewer"])
    base = f"/api/versions/{v2.pk}/findings/export"

    resp = client.get(f"{base}.csv")
    assert resp.status_code == 200 and resp["Content-Disposition"].endswith('.csv"')
    table = list(csv.DictReader(io.StringIO(b"".join(resp.streaming_content).decode())))
    assert {(r["severity"], r["rule"], r["guid"]) for r in table} == set(V2)
    assert all(r["script"] == script.slug for r in table)

    from openpyxl import load_workbook

    resp = client.get(f"{base}.xlsx", {"severity": "error"})
    ws = load_workbook(io.BytesIO(resp.content)).active
    values = list(ws.values)
    header = values[0]
    got = {(r[header.index("rule")], r[header.index("guid")]) for r in values[1:]}
    assert got == {(r, g) for s, r, g in V2 if s == "error"}

    resp = client.get(f"{base}.bcf")
    with zipfile.ZipFile(io.BytesIO(resp.content)) as zf:
        names = zf.namelist()
        assert "bcf.version" in names
        markups = [n for n in names if n.endswith("/markup.bcf")]
        assert len(markups) == len(V2)
        guids = set()
        for name in names:
            if name.endswith("viewpoint.bcfv"):
                root = ElementTree.fromstring(zf.read(name))
                guids |= {c.get("IfcGuid") for c in root.iter("Component")}
        titles = {ElementTree.fromstring(zf.read(m)).findtext("Topic/Title") for m in markups}
    assert guids == {g for _, _, g in V2}
    assert "[error] r1" in titles

    outsider = api_client(personas["outsider"])
    assert outsider.get(f"{base}.csv").status_code == 404
    assert outsider.get(f"/api/versions/{v2.pk}/checks/").status_code == 404


def test_run_all_checks_runs_the_validation_builtins_or_the_workflow(setup):
    personas, (v1, v2), script = setup
    from bimflow.scripting.builtins import builtins_sync
    from bimflow.scripting.models import Execution

    builtins_sync()
    viewer = api_client(personas["viewer"])
    assert viewer.post(f"/api/versions/{v2.pk}/checks/run/").status_code == 403
    carol = api_client(personas["coordinator"])
    body = carol.post(f"/api/versions/{v2.pk}/checks/run/").json()
    ran = set(
        Execution.objects.filter(pk__in=body["executions"]).values_list("script__slug", flat=True)
    )
    assert "guid-check" in ran and body["workflow"] is None
    assert {s["script"] for s in body["skipped"]} >= {"ids-check", "required-properties"}

    wf = carol.post(
        f"/api/projects/{personas['project'].pk}/workflows/",
        {
            "name": "Checks",
            "trigger": "manual",
            "steps": [{"script": script.slug, "parameters": {"findings": []}}],
        },
        format="json",
    )
    assert wf.status_code == 201, wf.content
    body = carol.post(f"/api/versions/{v2.pk}/checks/run/").json()
    assert body["workflow"] == wf.json()["id"] and len(body["workflow_runs"]) == 1


def test_a_test_run_runs_unsaved_code_as_a_hidden_draft(setup, tmp_path):
    personas, (v1, v2), _ = setup
    from bimflow.scripting.models import Script
    from bimflow.scripting.runner import execution_run

    carol = api_client(personas["coordinator"])
    code = "wall = elements[elements.ifc_class == 'IfcWall'].iloc[0]\nreport.error('first', guid=wall.guid, rule='w')\n"
    resp = carol.post("/api/scripts/test-run/", {"version": v2.pk, "code": code}, format="json")
    assert resp.status_code == 201, resp.content
    execution_run(execution_id=resp.json()["id"])
    finding = carol.get(f"/api/executions/{resp.json()['id']}/findings/").json()["results"]
    import ifcopenshell

    walls = ifcopenshell.open(str(tmp_path / "v1.ifc")).by_type("IfcWall")
    first_wall = min(walls, key=lambda w: w.id()).GlobalId
    assert [(f["rule"], f["guid"]) for f in finding] == [("w", first_wall)]
    draft = Script.objects.get(pk=resp.json()["script"])
    assert draft.slug.startswith("_draft-") and draft.owner == personas["coordinator"]
    again = carol.post("/api/scripts/test-run/", {"version": v2.pk, "code": code}, format="json")
    assert again.json()["revision"] == resp.json()["revision"]  # same code, same revision
    listed = carol.get("/api/scripts/", {"kind": "mine"}).json()["results"]
    assert all(not s["slug"].startswith("_") for s in listed)
    broken = carol.post(
        "/api/scripts/test-run/", {"version": v2.pk, "code": "def ("}, format="json"
    )
    assert broken.status_code == 400 and "code" in broken.json()
    taken = carol.post(
        "/api/scripts/", {"name": "x", "code": "pass", "slug": "_draft-99"}, format="json"
    )
    assert taken.status_code == 400 and "slug" in taken.json()
    # Another user cannot see the draft's runs' script by slug.
    assert api_client(personas["viewer"]).get(f"/api/scripts/{draft.slug}/").status_code == 404


def test_cron_preview_in_words_and_next_five_runs(personas):
    client = api_client(personas["viewer"])
    resp = client.get(
        "/api/automation/cron-preview/", {"cron": "30 6 * * 1", "timezone": "Europe/Amsterdam"}
    )
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert "06:30" in body["description"] and "Monday" in body["description"]
    runs = [datetime.fromisoformat(t) for t in body["next_runs"]]
    assert len(runs) == 5
    tz = zoneinfo.ZoneInfo("Europe/Amsterdam")
    for a, b in zip(runs, runs[1:], strict=False):
        assert b - a in (timedelta(days=7), timedelta(days=7, hours=1), timedelta(days=7, hours=-1))
    for t in runs:
        local = t.astimezone(tz)
        assert (local.weekday(), local.hour, local.minute) == (0, 6, 30)
    assert runs[0] > datetime.now(tz) and runs[0] - datetime.now(tz) <= timedelta(days=7)
    bad = client.get("/api/automation/cron-preview/", {"cron": "61 * * * *"})
    assert bad.status_code == 400 and "cron" in bad.json()
    zone = client.get(
        "/api/automation/cron-preview/", {"cron": "* * * * *", "timezone": "Mars/Base"}
    )
    assert zone.status_code == 400 and "timezone" in zone.json()


def test_batch_preview_lists_the_versions_a_batch_would_cover(setup, upload, tmp_path):
    personas, (v1, v2), _ = setup
    carol = api_client(personas["coordinator"])
    path = tmp_path / "other.ifc"
    small_building(path, walls=1)
    other = upload_ready(carol, upload, personas["project"].pk, path, model="Annex")
    url = f"/api/projects/{personas['project'].pk}/batches/preview/"
    latest = carol.post(url, {"versions": "latest"}, format="json").json()
    assert latest["count"] == 2
    assert [(v["model_name"], v["id"]) for v in latest["versions"]] == [
        ("Annex", other.pk),
        ("Tower", v2.pk),
    ]
    every = carol.post(url, {"versions": "all", "model_filter": "tow*"}, format="json").json()
    assert [v["id"] for v in every["versions"]] == [v1.pk, v2.pk]
    none = carol.post(url, {"model_filter": "nothing*"}, format="json").json()
    assert none["count"] == 0
    assert api_client(personas["outsider"]).post(url, {}, format="json").status_code == 404
