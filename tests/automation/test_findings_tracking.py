"""Finding states when runs finish out of order, are repeated, or fail (in this
process, with a script that reports exactly the findings it is given)."""

import pytest

from tests.automation.conftest import shared_script, upload_ready
from tests.conftest import api_client
from tests.ifc_factory import small_building

pytestmark = pytest.mark.django_db

ECHO = """
for rule, guid in params["findings"]:
    report.warning("given", rule=rule, guid=guid)
if params.get("fail"):
    raise SystemExit(3)
"""
SCHEMA = {
    "type": "object",
    "properties": {"findings": {"type": "array"}, "fail": {"type": "boolean"}},
    "required": ["findings"],
}


@pytest.fixture
def setup(personas, upload, tmp_path):
    carol = api_client(personas["coordinator"])
    versions = []
    for n in range(3):
        path = tmp_path / f"v{n}.ifc"
        small_building(path, walls=n + 1)
        versions.append(upload_ready(carol, upload, personas["project"].pk, path, model="Tower"))
    script = shared_script(personas["coordinator"], personas["project"], "Echo", ECHO, SCHEMA)
    return personas["coordinator"], versions, script


def run(user, script, version, findings, fail=False):
    from bimflow.scripting.runner import execution_run
    from bimflow.scripting.services import execution_create

    params = {"findings": [list(f) for f in findings], "fail": fail}
    ex = execution_create(script=script, version=version, parameters=params, user=user)
    execution_run(execution_id=ex.pk)
    ex.refresh_from_db()
    assert ex.status == ("failed" if fail else "succeeded"), ex.error
    return ex


def states(execution) -> dict[str, set]:
    from bimflow.automation.models import ResolvedFinding

    out: dict[str, set] = {"new": set(), "open": set(), "reopened": set()}
    for f in execution.findings.all():
        out[f.state].add((f.rule, f.guid))
    out["resolved"] = {
        (r.finding.rule, r.finding.guid)
        for r in ResolvedFinding.objects.filter(execution=execution).select_related("finding")
    }
    return out


def track(execution):
    from bimflow.automation.services.findings import findings_track

    return findings_track(execution_id=execution.pk)


A, B, C, D = ("r", "A"), ("r", "B"), ("s", "C"), ("s", None)


def test_a_later_version_is_compared_again_when_an_earlier_run_finishes(setup):
    user, (v1, v2, v3), script = setup
    e1 = run(user, script, v1, [A, B, D])
    e3 = run(user, script, v3, [A, C, D])
    track(e1)
    track(e3)  # v2 has no run yet: compared with v1
    assert states(e3) == {"new": {C}, "open": {A, D}, "reopened": set(), "resolved": {B}}
    e2 = run(user, script, v2, [B, D])
    assert track(e2) == {"new": 0, "open": 2, "reopened": 0, "resolved": 1}
    e3.refresh_from_db()
    # Now v3 follows v2: A was in v1, gone in v2, back in v3.
    assert states(e3) == {"new": {C}, "open": {D}, "reopened": {A}, "resolved": {B}}
    assert e3.finding_tracking.previous_id == e2.pk
    assert (e3.finding_tracking.reopened, e3.finding_tracking.resolved) == (1, 1)


def test_the_latest_run_of_a_version_is_the_one_compared_with(setup):
    user, (v1, v2, _), script = setup
    track(run(user, script, v1, [A]))
    track(run(user, script, v1, [A, B]))  # a second run of v1 replaces the first
    e2 = run(user, script, v2, [B, C])
    track(e2)
    assert states(e2) == {"new": {C}, "open": {B}, "reopened": set(), "resolved": {A}}


def test_a_failed_run_resolves_nothing_and_is_not_a_baseline(setup):
    user, (v1, v2, v3), script = setup
    track(run(user, script, v1, [A, B]))
    failed = run(user, script, v2, [A], fail=True)
    track(failed)
    assert states(failed) == {"new": set(), "open": {A}, "reopened": set(), "resolved": set()}
    e3 = run(user, script, v3, [B])
    track(e3)
    assert e3.finding_tracking.previous.version_id == v1.pk
    assert states(e3) == {"new": set(), "open": {B}, "reopened": set(), "resolved": {A}}


def test_model_findings_api_filters(setup, personas):
    user, (v1, v2, _), script = setup
    track(run(user, script, v1, [A, B, C]))
    e2 = run(user, script, v2, [A, D])
    track(e2)
    client = api_client(personas["viewer"])
    model = v1.model_id

    def got(query):
        resp = client.get(f"/api/models/{model}/findings/?{query}")
        assert resp.status_code == 200, resp.content
        return sorted((r["state"], r["rule"], r["guid"]) for r in resp.json()["results"])

    assert got("") == sorted([("open", *A), ("new", *D), ("resolved", *B), ("resolved", *C)])
    assert got("state=resolved") == [("resolved", *B), ("resolved", *C)]
    assert got("state=new,resolved&rule=s") == [("new", *D), ("resolved", *C)]
    assert got("version=1") == [("new", *A), ("new", *B), ("new", *C)]
    assert got(f"script={script.pk}&state=open") == [("open", *A)]
    assert got("script=guid-check") == []
    page = client.get(f"/api/models/{model}/findings/?page_size=1").json()
    assert page["count"] == 4 and len(page["results"]) == 1
    bad = client.get(f"/api/models/{model}/findings/?state=closed")
    assert bad.status_code == 400 and "state must be" in bad.json()["state"][0]
