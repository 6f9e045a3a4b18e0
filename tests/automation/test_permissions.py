"""Every automation endpoint hides a project from non-members (404, nothing revealed)
and lets viewers read but not write (403)."""

import pytest

from tests.automation.conftest import upload_ready
from tests.conftest import api_client
from tests.ifc_factory import small_building

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects(personas, upload, tmp_path, builtins):
    from bimflow.automation.models import ActivityEvent, WorkflowRun
    from bimflow.automation.services.batches import batch_create
    from bimflow.automation.services.workflows import workflow_create
    from bimflow.scripting.models import Script

    p = personas["project"]
    carol = personas["coordinator"]
    path = tmp_path / "P.ifc"
    small_building(path)
    version = upload_ready(api_client(carol), upload, p.pk, path)
    workflow = workflow_create(project=p, user=carol, name="W", steps=[{"script": "guid-check"}])
    run = WorkflowRun.objects.create(
        workflow=workflow, project=p, version=version, source="manual", triggered_by=carol
    )
    batch = batch_create(project=p, user=carol, script=Script.objects.get(slug="guid-check"))
    ActivityEvent.objects.create(project=p, kind="upload", message="secret-marker")
    return {"p": p.pk, "m": version.model_id, "w": workflow.pk, "r": run.pk, "b": batch.pk}


def reads(o):
    return [
        f"/api/projects/{o['p']}/workflows/",
        f"/api/workflows/{o['w']}/",
        f"/api/workflow-runs/{o['r']}/",
        f"/api/projects/{o['p']}/batches/",
        f"/api/batches/{o['b']}/",
        f"/api/batches/{o['b']}/summary.csv",
        f"/api/batches/{o['b']}/summary.xlsx",
        f"/api/models/{o['m']}/findings/",
        f"/api/projects/{o['p']}/activity/",
        f"/api/automation/limits/?project={o['p']}",
    ]


def writes(o):
    return [
        ("post", f"/api/projects/{o['p']}/workflows/", {"name": "x", "steps": []}),
        ("patch", f"/api/workflows/{o['w']}/", {"name": "x"}),
        ("delete", f"/api/workflows/{o['w']}/", None),
        ("post", f"/api/workflows/{o['w']}/run/", {}),
        ("post", f"/api/workflows/{o['w']}/backfill/", {}),
        ("post", f"/api/workflow-runs/{o['r']}/cancel/", {}),
        ("post", f"/api/projects/{o['p']}/batches/", {"script": "guid-check"}),
        ("post", f"/api/batches/{o['b']}/cancel/", {}),
    ]


def test_outsider_gets_404_everywhere(personas, objects):
    outsider = api_client(personas["outsider"])
    for url in reads(objects):
        resp = outsider.get(url)
        assert resp.status_code == 404, (url, resp.status_code)
        assert b"secret-marker" not in resp.content
    for method, url, body in writes(objects):
        resp = getattr(outsider, method)(url, body, format="json")
        assert resp.status_code == 404, (method, url, resp.status_code)
    assert outsider.get("/api/workflow-runs/").json()["count"] == 0
    assert outsider.get(f"/api/workflow-runs/?project={objects['p']}").json()["count"] == 0


def test_viewer_reads_but_cannot_write(personas, objects):
    viewer = api_client(personas["viewer"])
    for url in reads(objects):
        assert viewer.get(url).status_code == 200, url
    for method, url, body in writes(objects):
        resp = getattr(viewer, method)(url, body, format="json")
        assert resp.status_code == 403, (method, url, resp.status_code)
        assert "viewer" in resp.json()["detail"]
    assert viewer.get("/api/workflow-runs/").json()["count"] == 1


def test_tools_and_notifications_need_a_login(personas):
    from rest_framework.test import APIClient

    anonymous = APIClient()
    for url in ("/api/tools/", "/api/notifications/", "/api/notifications/preferences/"):
        assert anonymous.get(url).status_code in (401, 403), url
