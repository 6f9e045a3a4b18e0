"""Faults survived: a worker killed with SIGKILL mid-run, and Redis stopped for 30 s
while uploads and executions are submitted."""

from __future__ import annotations

import time
from collections import Counter

import ifcopenshell
import pytest
import requests

from bimflow.scripting.tasks import WORKER_LOST
from tests.ifc_factory import small_building
from tests.live import wait_for
from tests.scaled.conftest import (
    create_script,
    dump,
    start_execution,
    stdout_lines,
    upload,
    wait_executions,
    wait_versions,
)

pytestmark = [pytest.mark.scaled, pytest.mark.slow]


def numbered(n: int, pause: float) -> str:
    return f"""
import time
for i in range(1, {n + 1}):
    print(i, flush=True)
    time.sleep({pause})
"""


def _ready_version(stack, s, url, tmp_path, name="Base", walls=3) -> tuple[int, int]:
    project = s.post(f"{url}/api/projects/", json={"name": name}).json()
    path = tmp_path / f"{name}.ifc"
    small_building(path, walls=walls)
    resp = upload(s, url, project["id"], path)
    assert resp.status_code == 201, resp.text
    vid = resp.json()["id"]
    assert wait_versions(s, url, [vid])[vid]["status"] == "ready"
    return project["id"], vid


def test_kill9_worker_mid_run_reruns_its_executions_once(stack, tmp_path):
    """BIMFLOW_WORKER_LOST=retry: what the killed worker ran is run again once, on the
    other worker, and succeeds; nothing stays `running`; the other worker carries on.
    (The `fail` setting is covered with a real SIGKILL in tests/scripting/test_lifecycle.)"""
    env = {"BIMFLOW_STALE_AFTER_S": "10", "BIMFLOW_WORKER_LOST": "retry"}
    url = stack.start_web(**env)
    stack.start_beat(**env)
    stack.start_worker("victim", "-c", "2", **env)
    s = stack.session()
    _, vid = _ready_version(stack, s, url, tmp_path)
    script = create_script(s, url, numbered(12, 0.5), "slow count")
    ids = [start_execution(s, url, script["id"], vid)["id"] for _ in range(2)]

    def victim_runs_both():
        rows = stack.sql(
            "SELECT count(*) FROM scripting_execution WHERE id = ANY(%s) AND status = 'running' "
            "AND log_count >= 4",
            (ids,),
        )
        return rows[0][0] == 2

    wait_for(victim_runs_both, timeout=90, what="the victim to run both")
    stack.start_worker("survivor", "-c", "2", **env)
    # The survivor works while the victim dies: a third execution is its alone.
    third = start_execution(s, url, script["id"], vid)["id"]
    killed_at = time.monotonic()
    stack.kill9("victim")

    statuses = wait_executions(stack, [*ids, third], timeout=150)
    assert time.monotonic() - killed_at < 150
    assert Counter(statuses.values()) == {"succeeded": 3}, dump(statuses)
    rows = stack.sql(
        "SELECT id, attempts FROM scripting_execution WHERE id = ANY(%s)", ([*ids, third],)
    )
    attempts = dict(rows)
    assert attempts[ids[0]] == attempts[ids[1]] == 2 and attempts[third] == 1, attempts
    for eid in ids:
        system = [
            t
            for (t,) in stack.sql(
                "SELECT text FROM scripting_logline WHERE execution_id = %s AND stream = 'system'",
                (eid,),
            )
        ]
        assert WORKER_LOST + " Running it again." in system
        # The re-run printed every number once, after what the first attempt printed.
        out = stdout_lines(stack, eid)
        assert out[-12:] == [str(i) for i in range(1, 13)]
    assert stdout_lines(stack, third) == [str(i) for i in range(1, 13)]
    # None is left running anywhere, and the survivor reports in.
    health = s.get(f"{url}/api/health/").json()
    assert [w["hostname"].split("@")[0] for w in health["workers"]] == ["survivor"]


def test_redis_stopped_for_30_s(stack, tmp_path):
    """With the broker down, reads answer, uploads and executions are accepted (201,
    queued); once it is back everything completes, each run once, nothing lost."""
    url = stack.start_web()
    stack.start_beat()
    stack.start_worker("worker", "-c", "2")
    s = stack.session()
    project_id, vid = _ready_version(stack, s, url, tmp_path)
    script = create_script(s, url, numbered(50, 0), "count to 50")
    before = start_execution(s, url, script["id"], vid)["id"]
    assert wait_executions(stack, [before])[before] == "succeeded"
    shared = create_script(s, url, numbered(5, 0), "count to 5", project=project_id, is_public=True)
    workflow = s.post(
        f"{url}/api/projects/{project_id}/workflows/",
        json={
            "name": "by hand",
            "trigger": "manual",
            "steps": [{"script": "guid-check"}, {"script": shared["slug"]}],
        },
        timeout=30,
    )
    assert workflow.status_code == 201, workflow.text

    stack.redis.stop()
    down_at = time.monotonic()
    uploads, executions, slowest = [], [], 0.0
    files = []
    for i in range(3):
        path = tmp_path / f"during-{i}.ifc"
        small_building(path, walls=4 + i)
        files.append(path)
    reads = [
        f"{url}/api/projects/",
        f"{url}/api/projects/{project_id}/",
        f"{url}/api/versions/{vid}/",
        f"{url}/api/versions/{vid}/elements/",
        f"{url}/api/versions/{vid}/statistics/",
        f"{url}/api/executions/{before}/",
    ]
    n = 0
    while time.monotonic() - down_at < 30:
        for read in reads:
            t = time.monotonic()
            resp = s.get(read, timeout=30)
            slowest = max(slowest, time.monotonic() - t)
            assert resp.status_code == 200, (read, resp.status_code, resp.text[:300])
        if len(uploads) < len(files):
            t = time.monotonic()
            resp = upload(s, url, project_id, files[len(uploads)], model=f"during-{len(uploads)}")
            slowest = max(slowest, time.monotonic() - t)
            assert resp.status_code == 201, resp.text
            assert resp.json()["status"] == "uploaded"
            uploads.append(resp.json()["id"])
        if len(executions) < 5:
            t = time.monotonic()
            body = start_execution(s, url, script["id"], vid)
            slowest = max(slowest, time.monotonic() - t)
            assert body["status"] == "queued"
            executions.append(body["id"])
        if n == 0:
            t = time.monotonic()
            resp = s.post(f"{url}/api/workflows/{workflow.json()['id']}/run/", json={}, timeout=60)
            slowest = max(slowest, time.monotonic() - t)
            assert resp.status_code == 201, resp.text
            runs = [r["id"] for r in resp.json()]
            assert [r["status"] for r in resp.json()] == ["queued"]
        n += 1
        time.sleep(0.5)
    # Requests did not hang on the broker: each answered within a few seconds.
    assert slowest < 10, slowest
    health = requests.get(f"{url}/api/health/", timeout=30)
    assert health.status_code == 503 and health.json()["broker"].startswith("error")
    undispatched = stack.sql(
        "SELECT count(*) FROM scripting_execution WHERE id = ANY(%s) AND dispatched_at IS NULL",
        (executions,),
    )[0][0]
    assert undispatched == 5
    assert (
        stack.sql(
            "SELECT count(*) FROM automation_workflowrun WHERE id = ANY(%s) AND dispatched_at IS NULL",
            (runs,),
        )[0][0]
        == 1
    )

    stack.redis.start()
    versions = wait_versions(s, url, uploads, timeout=240)
    assert {v["status"] for v in versions.values()} == {"ready"}, dump(versions)
    for path, version_id in zip(files, uploads, strict=True):
        oracle = len(ifcopenshell.open(str(path)).by_type("IfcProduct"))
        assert versions[version_id]["element_count"] == oracle
    statuses = wait_executions(stack, executions, timeout=240)
    assert Counter(statuses.values()) == {"succeeded": 5}, dump(statuses)
    rows = stack.sql(
        "SELECT id, attempts, dispatched_at IS NOT NULL FROM scripting_execution "
        "WHERE id = ANY(%s)",
        (executions,),
    )
    assert all(attempts == 1 and sent for _, attempts, sent in rows), rows
    for eid in executions:
        assert stdout_lines(stack, eid) == [str(i) for i in range(1, 51)]
    ingests = stack.sql(
        "SELECT ingest_attempts FROM projects_modelversion WHERE id = ANY(%s)", (uploads,)
    )
    assert [a for (a,) in ingests] == [1, 1, 1]
    # The workflow run that could not be sent is sent once the broker is back (beat's
    # re-send round), and runs each step once.
    run = wait_for(
        lambda: (
            (r := s.get(f"{url}/api/workflow-runs/{runs[0]}/", timeout=30).json())["status"]
            not in ("queued", "running")
            and r
        ),
        timeout=240,
        what="the workflow run submitted during the outage to end",
    )
    assert run["status"] == "succeeded", run
    step_executions = [step["execution"] for step in run["steps"]]
    assert len(step_executions) == 2 and all(step_executions), run
    assert (
        stack.sql(
            "SELECT count(*) FROM scripting_execution WHERE id = ANY(%s) AND attempts = 1 "
            "AND status = 'succeeded'",
            (step_executions,),
        )[0][0]
        == 2
    )
    assert s.get(f"{url}/api/health/").json()["broker"] == "ok"
