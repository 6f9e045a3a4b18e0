"""Retention: log lines and result files of old executions go (findings and the
execution records stay, versions are never removed); `bimflow cleanup --dry-run`."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from tests.automation.conftest import shared_script, upload_ready
from tests.conftest import REPO, api_client
from tests.ifc_factory import small_building
from tests.live import process_env

WRITER = """
for i in range(25):
    print("line", i)
report.warning("kept", rule="r", guid=None)
save_output("out.txt", "x" * 1000)
"""


def make_executions(personas, upload, tmp_path):
    from bimflow.scripting.runner import execution_run
    from bimflow.scripting.services import execution_create

    carol = api_client(personas["coordinator"])
    path = tmp_path / "R.ifc"
    small_building(path)
    version = upload_ready(carol, upload, personas["project"].pk, path)
    script = shared_script(personas["coordinator"], personas["project"], "Writer", WRITER)
    out = []
    for _ in range(2):
        ex = execution_create(
            script=script, version=version, parameters={}, user=personas["coordinator"]
        )
        execution_run(execution_id=ex.pk)
        ex.refresh_from_db()
        assert ex.status == "succeeded", ex.error
        out.append(ex)
    old, recent = out
    old.__class__.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - timedelta(days=settings.BIMFLOW_RESULT_RETENTION_DAYS + 1)
    )
    return version, old, recent


def snapshot(execution):
    from bimflow.scripting.models import LogLine

    f = execution.files.get()
    return {
        "lines": LogLine.objects.filter(execution=execution).count(),
        "file": (f.purged, default_storage.exists(f.storage_name), f.size),
        "findings": execution.findings.count(),
    }


@pytest.mark.django_db
def test_old_logs_and_files_are_removed_and_the_rest_stays(personas, upload, tmp_path):
    from bimflow.automation.services.retention import results_purge

    version, old, recent = make_executions(personas, upload, tmp_path)
    before_old, before_recent = snapshot(old), snapshot(recent)
    assert before_old["lines"] >= 25 and before_old["file"] == (False, True, 1000)

    dry = results_purge(dry_run=True)
    assert dry == {"executions": 1, "log_lines": before_old["lines"], "files": 1,
                   "bytes": 1000, "dry_run": True}  # fmt: skip
    assert snapshot(old) == before_old

    assert results_purge()["executions"] == 1
    assert snapshot(old) == {"lines": 0, "file": (True, False, 1000), "findings": 1}
    assert snapshot(recent) == before_recent
    carol = api_client(personas["coordinator"])
    body = carol.get(f"/api/executions/{old.pk}/").json()
    assert body["logs_purged"] is True and body["files"][0]["purged"] is True
    assert body["findings_count"] == 1 and body["status"] == "succeeded"
    resp = carol.get(f"/api/executions/{old.pk}/files/out.txt")
    assert resp.status_code == 410 and "retention" in resp.json()["detail"]
    # The version and its file are never removed.
    version.refresh_from_db()
    assert version.status == "ready" and default_storage.exists(version.file)
    assert results_purge()["executions"] == 0  # nothing left to do


def test_the_purge_is_a_periodic_task():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-old-results"]
    assert entry["task"] == "bimflow.automation.tasks.purge_old_results"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_cleanup_cli(personas, upload, tmp_path):
    _, old, recent = make_executions(personas, upload, tmp_path)
    lines = snapshot(old)["lines"]

    def cleanup(*args):
        return subprocess.run(
            [sys.executable, "-m", "bimflow.cli", "cleanup", *args],
            cwd=REPO, env=process_env(), capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    days = settings.BIMFLOW_RESULT_RETENTION_DAYS
    done = cleanup("--dry-run")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        f"Would remove {lines} log lines and 1 result files (0.0 MB) of 1 executions that "
        f"ended more than {days} days ago."
    )
    assert snapshot(old)["lines"] == lines
    done = cleanup()
    assert done.stdout.startswith(f"Removed {lines} log lines and 1 result files")
    assert snapshot(old)["lines"] == 0 and snapshot(recent)["lines"] > 0
    # Everything older than 0 days: the recent one too.
    assert cleanup("--days", "0", "--dry-run").stdout.startswith("Would remove")
    assert "of 1 executions" in cleanup("--days", "0").stdout
    assert snapshot(recent)["file"][0] is True
