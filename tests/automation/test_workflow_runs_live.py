"""Workflow runs through a real worker: on_upload fires once when a matching version is
ready and runs its steps in order; a failing step stops the rest; the rate limit records
skipped runs; runs by hand and backfills pick the right versions; a run can be cancelled."""

import pytest

from tests.automation.conftest import (
    COUNTING_SCRIPT,
    FAILING_SCRIPT,
    SLEEP_SCRIPT,
    counting_oracle,
    open_ifc,
    shared_script,
    upload_live,
    wait_ready,
    wait_runs_final,
)
from tests.conftest import api_client
from tests.ifc_factory import small_building
from tests.live import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def make_workflow(client, project_id, **data):
    resp = client.post(f"/api/projects/{project_id}/workflows/", data, format="json")
    assert resp.status_code == 201, resp.content
    return resp.json()["id"]


def test_on_upload_fires_once_in_order_and_a_failure_stops_the_rest(
    personas, upload, live_worker, builtins, tmp_path
):
    from bimflow.automation import receivers
    from bimflow.automation.models import Notification, WorkflowRun
    from bimflow.projects.models import ModelVersion

    project, p = personas["project"], personas["project"].pk
    admin = api_client(personas["admin"])
    counting = shared_script(personas["admin"], project, "Counting", COUNTING_SCRIPT)
    failing = shared_script(personas["admin"], project, "Failing", FAILING_SCRIPT)
    three = make_workflow(
        admin, p, name="ARK checks", trigger="on_upload", model_filter="ARK-*",
        steps=[{"script": "guid-check"}, {"script": counting.slug}, {"script": "export-csv"}],
    )  # fmt: skip
    stopping = make_workflow(
        admin, p, name="Stops", trigger="on_upload", model_filter="ark-*", stop_on_failure=True,
        steps=[{"script": "guid-check"}, {"script": failing.slug}, {"script": counting.slug}],
    )  # fmt: skip
    inactive = make_workflow(
        admin, p, name="Off", trigger="on_upload", model_filter="*", is_active=False,
        steps=[{"script": "guid-check"}],
    )  # fmt: skip

    carol = api_client(personas["coordinator"])
    ark_path, str_path = tmp_path / "ARK-Tower.ifc", tmp_path / "STR-Frame.ifc"
    small_building(ark_path, walls=4, wall_names=["W1", "", "W3", ""])
    small_building(str_path, walls=2)
    ark = upload_live(carol, upload, p, ark_path)
    other = upload_live(carol, upload, p, str_path)
    wait_ready([ark, other])
    runs = {wid: wait_runs_final(wid, 1, timeout=240) for wid in (three, stopping)}

    # Exactly one run each, on the ARK version, started by the uploader, after `ready`.
    version = ModelVersion.objects.get(pk=ark)
    for wid in (three, stopping):
        assert len(runs[wid]) == 1
        run = runs[wid][0]
        assert (run.version_id, run.source, run.triggered_by_id) == (
            ark, "upload", personas["coordinator"].pk,
        )  # fmt: skip
        assert run.created_at >= version.ready_at
    assert not WorkflowRun.objects.filter(version_id=other).exists()
    assert not WorkflowRun.objects.filter(workflow_id=inactive).exists()

    body = carol.get(f"/api/workflow-runs/{runs[three][0].pk}/").json()
    assert body["status"] == "succeeded", body
    steps = body["steps"]
    assert [s["script_slug"] for s in steps] == ["guid-check", counting.slug, "export-csv"]
    assert [s["status"] for s in steps] == ["succeeded"] * 3
    for before, after in zip(steps, steps[1:], strict=False):
        assert before["finished_at"] <= after["started_at"], steps
    executions = [carol.get(f"/api/executions/{s['execution']}/").json() for s in steps]
    assert {e["version"] for e in executions} == {ark}
    assert [f["name"] for f in executions[2]["files"]] == ["elements.csv"]
    findings = carol.get(f"/api/executions/{steps[1]['execution']}/findings/").json()["results"]
    counted = {}
    for f in findings:
        counted[f["severity"]] = counted.get(f["severity"], 0) + 1
    assert counted == counting_oracle(open_ifc(ark_path, tmp_path))

    body = carol.get(f"/api/workflow-runs/{runs[stopping][0].pk}/").json()
    assert body["status"] == "failed"
    assert [s["status"] for s in body["steps"]] == ["succeeded", "failed", "skipped"]
    assert body["steps"][2]["execution"] is None
    assert body["steps"][2]["reason"] == (
        f"Not run: step 2 ({failing.slug}) failed and the workflow stops on failure."
    )
    assert body["reason"].startswith(f"Step 2 ({failing.slug}) failed: ")

    # Whoever uploaded and the workflow's owner hear about the failed run, once each.
    for who in ("coordinator", "admin"):
        notes = Notification.objects.filter(user=personas[who], kind="workflow_run")
        assert [n.data["run"] for n in notes] == [runs[stopping][0].pk], who
    feed = carol.get(f"/api/projects/{p}/activity/?kind=upload,version_ready,workflow_run")
    kinds = [(e["kind"], e["status"]) for e in feed.json()["results"]]
    assert kinds.count(("upload", "")) == 2 and kinds.count(("version_ready", "ready")) == 2
    assert sorted(k for k in kinds if k[0] == "workflow_run") == [
        ("workflow_run", "failed"), ("workflow_run", "succeeded"),
    ]  # fmt: skip

    # A second `version_ready` (a redelivered ingest) does not fire it again.
    receivers.on_version_ready(sender=ModelVersion, version_id=ark)
    assert WorkflowRun.objects.filter(version_id=ark).count() == 2


def test_rate_limit_by_hand_and_backfill(
    personas, upload, live_worker, builtins, tmp_path, settings
):
    from bimflow.automation.models import WorkflowRun

    settings.BIMFLOW_MAX_RUNS_PER_HOUR = 4
    p = personas["project"].pk
    carol = api_client(personas["coordinator"])
    paths = {}
    for name, walls in (("A1", 2), ("A2", 3), ("B1", 1)):
        paths[name] = tmp_path / f"{name}.ifc"
        small_building(paths[name], walls=walls)
    a1 = upload_live(carol, upload, p, paths["A1"], model="ARK-A")
    b1 = upload_live(carol, upload, p, paths["B1"], model="ARK-B")
    wait_ready([a1, b1])
    a2 = upload_live(carol, upload, p, paths["A2"], model="ARK-A")
    wait_ready([a2])
    wid = make_workflow(carol, p, name="By hand", model_filter="ARK-*",
                        steps=[{"script": "guid-check"}])  # fmt: skip

    # By hand: the latest ready version of every matching model.
    first = carol.post(f"/api/workflows/{wid}/run/", {}, format="json")
    assert first.status_code == 201, first.content
    assert sorted(r["version"] for r in first.json()) == sorted([a2, b1])
    second = carol.post(f"/api/workflows/{wid}/run/", {"versions": [a1, b1]}, format="json")
    assert sorted(r["version"] for r in second.json()) == [a1, b1]
    assert {r["status"] for r in first.json() + second.json()} <= {"queued", "running"}
    # The limit (4 an hour) is reached: further firings are recorded as skipped.
    third = carol.post(f"/api/workflows/{wid}/run/", {}, format="json").json()
    assert [r["status"] for r in third] == ["skipped", "skipped"]
    assert third[0]["reason"] == (
        "Skipped: this workflow already ran 4 times in the past hour, the limit on this "
        "server (4 runs per hour)."
    )
    assert carol.get(f"/api/workflows/{wid}/").json()["runs_last_hour"] == 4
    # A backfill is one request over every ready version and is not limited.
    backfill = carol.post(f"/api/workflows/{wid}/backfill/").json()
    assert sorted(r["version"] for r in backfill) == sorted([a1, a2, b1])
    assert {r["source"] for r in backfill} == {"backfill"}

    runs = wait_runs_final(wid, 9, timeout=240)
    statuses = sorted(r.status for r in runs)
    assert statuses == ["skipped"] * 2 + ["succeeded"] * 7, [(r.status, r.reason) for r in runs]
    listed = carol.get(f"/api/workflow-runs/?workflow={wid}&status=skipped").json()
    assert listed["count"] == 2
    assert carol.get(f"/api/workflow-runs/?project={p}").json()["count"] == 9
    assert WorkflowRun.objects.filter(workflow_id=wid, source="manual").count() == 6


def test_cancel_a_running_run(personas, upload, live_worker, builtins, tmp_path):
    p = personas["project"].pk
    carol = api_client(personas["coordinator"])
    sleeper = shared_script(personas["coordinator"], personas["project"], "Sleeper", SLEEP_SCRIPT)
    path = tmp_path / "S.ifc"
    small_building(path, walls=1)
    vid = upload_live(carol, upload, p, path)
    wait_ready([vid])
    wid = make_workflow(carol, p, name="Slow", steps=[{"script": sleeper.slug},
                                                      {"script": "guid-check"}])  # fmt: skip
    run = carol.post(f"/api/workflows/{wid}/run/", {}, format="json").json()[0]

    def running():
        body = carol.get(f"/api/workflow-runs/{run['id']}/").json()
        return body["steps"][0]["execution_status"] == "running" and body

    wait_for(running, timeout=120, what="the first step to run")
    resp = carol.post(f"/api/workflow-runs/{run['id']}/cancel/")
    assert resp.status_code == 202 and resp.json()["status"] == "cancelled"
    assert resp.json()["reason"] == "Cancelled by carol."
    final = wait_for(
        lambda: (
            (b := carol.get(f"/api/workflow-runs/{run['id']}/").json())["steps"][0][
                "execution_status"
            ]
            == "cancelled"
            and b
        ),
        timeout=60,
        what="the running execution to be cancelled",
    )
    assert [s["status"] for s in final["steps"]][1] == "skipped"
    assert final["steps"][1]["execution"] is None
    assert carol.post(f"/api/workflow-runs/{run['id']}/cancel/").status_code == 409
