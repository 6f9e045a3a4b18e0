"""A scheduled workflow fires through a real beat (django-celery-beat's database
scheduler) and a real worker; deactivating it stops the firings. A short interval
through the same scheduler stands in for "every minute"."""

import time

import pytest

from tests.automation.conftest import upload_live, wait_ready
from tests.conftest import api_client
from tests.ifc_factory import small_building
from tests.live import start_beat, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_schedule_fires_through_beat_and_stops_when_deactivated(
    personas, upload, live_worker, builtins, tmp_path, settings, log_dir
):
    from django_celery_beat.models import PeriodicTask

    from bimflow.automation.models import WorkflowRun

    settings.BIMFLOW_MIN_SCHEDULE_INTERVAL_S = 1
    p = personas["project"].pk
    alice = api_client(personas["admin"])
    path = tmp_path / "Tower.ifc"
    small_building(path, walls=2)
    old = upload_live(alice, upload, p, path)
    wait_ready([old])
    small_building(path, walls=3)
    latest = upload_live(alice, upload, p, path)
    wait_ready([latest])
    resp = alice.post(
        f"/api/projects/{p}/workflows/",
        {"name": "Every 2 s", "trigger": "schedule", "interval_seconds": 2,
         "steps": [{"script": "guid-check"}]},
        format="json",
    )  # fmt: skip
    assert resp.status_code == 201, resp.content
    wid = resp.json()["id"]

    beat = start_beat(log_dir, BIMFLOW_MIN_SCHEDULE_INTERVAL_S="1")
    try:
        wait_for(
            lambda: WorkflowRun.objects.filter(workflow_id=wid, status="succeeded").count() >= 2,
            timeout=120,
            what=f"two scheduled runs (beat log: {beat.log_path})",
        )
        runs = list(WorkflowRun.objects.filter(workflow_id=wid, status="succeeded"))
        # Each firing runs on the latest ready version of every matching model, as
        # the schedule (no user).
        assert {(r.source, r.version_id, r.triggered_by_id) for r in runs} == {
            ("schedule", latest, None)
        }
        assert beat.tail(400).count(f"Sending due task workflow-{wid} ") >= 2

        resp = alice.patch(f"/api/workflows/{wid}/", {"is_active": False}, format="json")
        assert resp.status_code == 200 and resp.json()["next_run_at"] is None
        assert not PeriodicTask.objects.get(name=f"workflow-{wid}").enabled
        # A firing beat sent before it noticed the change finds the workflow inactive
        # and does nothing; give one that was already running a moment to finish.
        time.sleep(2)
        count = WorkflowRun.objects.filter(workflow_id=wid).count()
        time.sleep(10)  # two beat reload intervals (5 s) and five schedule intervals
        assert WorkflowRun.objects.filter(workflow_id=wid).count() == count
        assert "Schedule changed" in beat.tail(400)
    finally:
        beat.stop()
