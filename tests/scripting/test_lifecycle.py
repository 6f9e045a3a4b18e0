"""How executions end, through the API with real Celery worker processes: cancelled
(queued and running), timed out, crashed, raised, and a worker killed with SIGKILL in
the middle of a run (the reaper, run by a real beat, fails it or runs it again)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from bimflow.scripting.tasks import WORKER_LOST
from tests.live import start_beat, start_worker, wait_for
from tests.scripting.conftest import consuming_paused
from tests.scripting.hostile import marker, processes_with

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("live_worker"),
]


def sleeper(token: str, seconds: int = 60) -> str:
    """A script whose process tree includes `sleep <token>` (findable on the host)."""
    return f"""
import subprocess, time
child = subprocess.Popen(["sleep", "{token}"])
print("sleeping", flush=True)
time.sleep({seconds})
"""


def test_cancel_queued_and_running(scripts, small_version):
    vid, _ = small_version
    tokens = [marker(), marker()]
    running = [
        scripts.start(scripts.create(sleeper(t), name=f"sleeper {i}")["id"], vid)
        for i, t in enumerate(tokens)
    ]
    for token in tokens:
        wait_for(lambda token=token: processes_with(token), timeout=60, what="both to run")
    # The worker's two slots are busy: this one waits in the queue.
    queued = scripts.start(scripts.create("print('never')\n", name="waits")["id"], vid)
    resp = scripts.client.post(f"/api/executions/{queued['id']}/cancel/")
    assert resp.status_code == 202
    assert resp.json()["status"] == "cancelled"

    for execution, token in zip(running, tokens, strict=True):
        assert scripts.get(execution["id"])["status"] == "running"
        asked = time.monotonic()
        resp = scripts.client.post(f"/api/executions/{execution['id']}/cancel/")
        assert resp.status_code == 202 and resp.json()["cancel_requested"] is True
        body = wait_for(
            lambda e=execution: (b := scripts.get(e["id"]))["status"] != "running" and b,
            timeout=30,
            interval=0.05,
            what="the cancel",
        )
        took = time.monotonic() - asked
        print(f"cancelled in {took:.2f} s")
        assert body["status"] == "cancelled" and body["error"] == "The run was cancelled."
        assert took < 2.0
        assert processes_with(token) == []  # the whole process tree is gone
        assert "sleeping" in scripts.log_text(execution["id"])

    # The cancelled queued one never ran, even now that the worker is free.
    time.sleep(1)
    body = scripts.get(queued["id"])
    assert body["status"] == "cancelled" and body["started_at"] is None
    assert body["error"] == "Cancelled before it started." and scripts.logs(queued["id"]) == []


def test_timeout_kills_the_whole_tree(scripts, small_version):
    vid, _ = small_version
    token = marker()
    body = scripts.run(sleeper(token), vid, limits={"timeout_s": 2}, name="too slow")
    assert body["status"] == "timed_out"
    assert body["error"] == "The script ran longer than the 2 s time limit."
    assert body["limits"]["hit"] == ["timeout"] and body["exit_code"] is None
    assert processes_with(token) == []


def test_a_segfault_is_a_crash_sentence(scripts, small_version):
    vid, _ = small_version
    body = scripts.run(
        "import ctypes\nprint('about to crash', flush=True)\nctypes.string_at(0)\n", vid
    )
    assert body["status"] == "failed"
    assert body["error"] == "The script crashed (signal 11, segmentation fault)."
    assert "about to crash" in scripts.log_text(body["id"])


def test_a_raising_script_shows_only_its_own_traceback(scripts, small_version):
    vid, _ = small_version
    code = """import json


def check(walls):
    raise ValueError(f"no walls in {walls}")


print("before")
json.loads('{"ok": true}')
check(3)
"""
    body = scripts.run(code, vid)
    assert body["status"] == "failed"
    assert body["error"] == "The script raised ValueError: no walls in 3 (line 5)."
    stderr = [r["text"] for r in scripts.logs(body["id"]) if r["stream"] == "stderr"]
    assert stderr == [
        "Traceback (most recent call last):",
        '  File "script.py", line 10, in <module>',
        "    check(3)",
        '  File "script.py", line 5, in check',
        '    raise ValueError(f"no walls in {walls}")',
        "ValueError: no walls in 3",
    ]
    # An error raised inside a context helper: still no bimflow frame.
    body = scripts.run("save_output('../escape.txt', 'x')\n", vid)
    assert body["status"] == "failed"
    assert body["error"].startswith("The script raised ValueError: save_output() refuses")
    log = scripts.log_text(body["id"])
    assert "bimflow" not in log and "bootstrap" not in log and "/opt/" not in log
    assert 'File "script.py", line 1, in <module>' in log


def start_workers(log_dir, *specs: dict) -> list:
    """Start several one-slot workers at once (each start takes seconds)."""
    with ThreadPoolExecutor(len(specs)) as pool:
        futures = [pool.submit(start_worker, log_dir, concurrency=1, **spec) for spec in specs]
    failed = [f.exception() for f in futures if f.exception() is not None]
    if failed:
        for f in futures:
            if f.exception() is None:
                f.result().stop()
        raise failed[0]
    return [f.result() for f in futures]


def test_a_worker_killed_mid_run_is_failed_or_run_again_never_left_running(
    scripts, small_version, log_dir
):
    from bimflow.scripting.models import Execution

    vid, _ = small_version  # ingested by the session worker
    stale = {"BIMFLOW_STALE_AFTER_S": "10"}
    started = []
    with consuming_paused(["executions", "default"]):
        beat = start_beat(log_dir, **stale)
        started.append(beat)
        try:
            # 1. BIMFLOW_WORKER_LOST=fail (the default): the reaper fails it.
            reaper, victim = start_workers(
                log_dir,
                dict(name="reaper-fail", queues="default", BIMFLOW_WORKER_LOST="fail", **stale),
                dict(name="victim-1", queues="executions"),
            )
            started += [reaper, victim]
            token = marker()
            execution = scripts.start(scripts.create(sleeper(token, 600), name="long")["id"], vid)
            wait_for(lambda: processes_with(token), timeout=60, what="the script to run")
            victim.kill9()
            killed = time.monotonic()
            body = wait_for(
                lambda: (b := scripts.get(execution["id"]))["status"] != "running" and b,
                timeout=90,
                interval=0.5,
                what="the reaper",
            )
            took = time.monotonic() - killed
            print(f"failed by the reaper {took:.1f} s after the kill")
            assert body["status"] == "failed" and body["error"] == WORKER_LOST
            assert took < 60
            assert processes_with(token) == []  # bwrap died with its parent
            system = [r["text"] for r in scripts.logs(execution["id"]) if r["stream"] == "system"]
            assert system[-1] == WORKER_LOST
            reaper.stop()

            # 2. BIMFLOW_WORKER_LOST=retry: queued again once, and a worker runs it.
            reaper, victim = start_workers(
                log_dir,
                dict(name="reaper-retry", queues="default", BIMFLOW_WORKER_LOST="retry", **stale),
                dict(name="victim-2", queues="executions"),
            )
            started += [reaper, victim]
            code = "import time\nprint('attempt', flush=True)\ntime.sleep(5)\nresult['ok'] = True\n"
            execution = scripts.start(scripts.create(code, name="retried")["id"], vid)
            wait_for(
                lambda: "attempt" in scripts.log_text(execution["id"]),
                timeout=60,
                what="the first attempt",
            )
            victim.kill9()
            killed = time.monotonic()
            started.append(start_worker(log_dir, name="rescuer", queues="executions"))
            body = scripts.wait(execution["id"], timeout=120)
            print(
                f"succeeded on its second attempt {time.monotonic() - killed:.1f} s after the kill"
            )
            assert body["status"] == "succeeded" and body["result"] == {"ok": True}
            assert Execution.objects.get(pk=execution["id"]).attempts == 2
            log = scripts.log_text(execution["id"])
            assert log.count("attempt\n") == 2
            assert f"[system] {WORKER_LOST} Running it again.\n" in log
        finally:
            for proc in reversed(started):
                if proc.popen.poll() is None:
                    proc.stop()
    assert not Execution.objects.filter(status__in=["running", "queued"]).exists()
