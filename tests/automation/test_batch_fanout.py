"""A batch fans out as one Celery group: when it is created (no worker running), the
embedded broker's queue holds one `run_execution` message per selected version, all
carrying the same group id, and the executions are marked as sent. The messages are read
straight from the broker's folder (kombu's filesystem transport), not through our code."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from django.conf import settings

from tests.automation.conftest import COUNTING_SCRIPT, shared_script, upload_ready
from tests.conftest import api_client
from tests.ifc_factory import small_building

pytestmark = pytest.mark.django_db(transaction=True)

RUN_TASK = "bimflow.scripting.tasks.run_execution"


def queued_runs() -> list[dict]:
    folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
    runs = []
    for path in sorted(folder.glob("*.msg")):
        message = json.loads(path.read_bytes())
        headers = message.get("headers", {})
        if headers.get("task") != RUN_TASK:
            continue
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        runs.append({"execution": args[0], "group": headers.get("group"), "file": path})
    return runs


@pytest.fixture
def empty_broker():
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("reads the embedded (filesystem) broker's folder")
    for run in queued_runs():
        run["file"].unlink()
    yield
    for run in queued_runs():
        run["file"].unlink()


def test_a_batch_is_sent_as_one_celery_group(personas, upload, tmp_path, empty_broker):
    p = personas["project"]
    carol = api_client(personas["coordinator"])
    for n in range(3):
        path = tmp_path / f"M{n}.ifc"
        small_building(path, walls=n + 1)
        upload_ready(carol, upload, p.pk, path)
    script = shared_script(personas["coordinator"], p, "Count", COUNTING_SCRIPT)
    assert queued_runs() == []

    resp = carol.post(f"/api/projects/{p.pk}/batches/", {"script": script.slug}, format="json")
    assert resp.status_code == 201, resp.content
    batch = resp.json()

    from bimflow.automation.models import BatchItem
    from bimflow.scripting.models import Execution

    executions = set(
        BatchItem.objects.filter(batch_id=batch["id"]).values_list("execution_id", flat=True)
    )
    assert len(executions) == batch["total"] == 3
    runs = queued_runs()
    assert {r["execution"] for r in runs} == executions and len(runs) == 3
    groups = {r["group"] for r in runs}
    assert len(groups) == 1 and None not in groups
    assert not Execution.objects.filter(pk__in=executions, dispatched_at__isnull=True).exists()
