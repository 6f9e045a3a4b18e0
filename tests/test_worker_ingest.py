"""Upload -> ready through a real Celery worker process (the embedded default:
SQLite and the filesystem broker), and the reaper for a vanished ingest."""

import pytest

from tests.conftest import api_client
from tests.ifc_factory import small_building
from tests.live import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_upload_reaches_ready_through_the_worker(personas, upload, live_worker, tmp_path):
    from bimflow.projects.models import ModelVersion

    path = tmp_path / "Small.ifc"
    guids = small_building(path, walls=6)
    client = api_client(personas["coordinator"])
    resp = upload(client, personas["project"].pk, path)
    assert resp.status_code == 201
    assert resp.json()["status"] == "uploaded"
    vid = resp.json()["id"]
    wait_for(
        lambda: ModelVersion.objects.get(pk=vid).status in ("ready", "failed"),
        timeout=90,
        what="ingest",
    )
    body = client.get(f"/api/versions/{vid}/").json()
    assert body["status"] == "ready", (body, live_worker.tail())
    assert body["progress"] == 100 and body["schema"] == "IFC4"
    walls = client.get(f"/api/versions/{vid}/elements/?ifc_class=IfcWall").json()
    assert sorted(w["guid"] for w in walls["results"]) == sorted(guids["walls"])
