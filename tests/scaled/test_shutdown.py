"""A worker asked to stop (SIGTERM) lets its running executions finish, or puts them
back in the queue (BIMFLOW_SHUTDOWN); and a worker starting up (which sweeps what dead
workers left) never disturbs the sandbox jobs of a worker that is running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from bimflow.scripting.runner import REQUEUED
from tests.conftest import REPO
from tests.live import wait_for
from tests.scaled.conftest import (
    UID_BASE,
    create_script,
    start_execution,
    stdout_lines,
    wait_executions,
)
from tests.scaled.test_faults import _ready_version, numbered

pytestmark = [pytest.mark.scaled, pytest.mark.slow]


def _running_with_lines(stack, ids, n=3):
    rows = stack.sql(
        "SELECT count(*) FROM scripting_execution WHERE id = ANY(%s) AND status = 'running' "
        "AND log_count >= %s",
        (ids, n),
    )
    return rows[0][0] == len(ids)


def _foreign_sweep(tmp_path) -> str:
    """What an engineer's test session on the same host does at start: sweep with a
    sandbox folder of its own (every slot lock in it free) and the same sandbox uids."""
    folder = tmp_path / "foreign-sandbox"
    folder.mkdir(mode=0o711)
    for slot in range(8):
        (folder / f"slot-{slot}.lock").touch()
    env = {**os.environ, "BIMFLOW_SANDBOX_DIR": str(folder), "BIMFLOW_SANDBOX_UID_BASE": UID_BASE}
    done = subprocess.run(
        [sys.executable, "-c", "from bimflow.scripting import sandbox; "
         "print(sandbox.sweep_stale(min_age_s=0))"],
        env=env, cwd=REPO, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout


def test_sigterm_finish_then_requeue_and_startup_sweeps_leave_running_jobs_alone(stack, tmp_path):
    url = stack.start_web()
    stack.start_worker("finisher", "-c", "2", BIMFLOW_SHUTDOWN="finish")
    s = stack.session()
    _, vid = _ready_version(stack, s, url, tmp_path)
    script = create_script(s, url, numbered(16, 0.5), "slow count")
    ids = [start_execution(s, url, script["id"], vid)["id"] for _ in range(2)]
    wait_for(lambda: _running_with_lines(stack, ids), timeout=90, what="both to run")

    # Another worker starts on this host (its start-up sweep runs), and a sweep with
    # another sandbox folder: neither touches the running jobs.
    stack.start_worker("requeuer", "-c", "1", BIMFLOW_SHUTDOWN="requeue")
    assert "killed stray process" not in _foreign_sweep(tmp_path)

    # SIGTERM with "finish": the worker waits for both scripts, which succeed.
    stack.send_signal("finisher", signal.SIGTERM)
    time.sleep(2)
    assert stack.procs["finisher"].poll() is None, "the worker left before its scripts ended"
    statuses = wait_executions(stack, ids, timeout=120)
    assert set(statuses.values()) == {"succeeded"}
    for eid in ids:
        assert stdout_lines(stack, eid) == [str(i) for i in range(1, 17)]
    stack.procs["finisher"].wait(timeout=60)
    attempts = stack.sql("SELECT attempts FROM scripting_execution WHERE id = ANY(%s)", (ids,))
    assert [a for (a,) in attempts] == [1, 1]

    # SIGTERM with "requeue": the running script is stopped at once and queued again,
    # and the next worker runs it from the start.
    eid = start_execution(s, url, script["id"], vid)["id"]
    wait_for(lambda: _running_with_lines(stack, [eid]), timeout=90, what="it to run")
    asked = time.monotonic()
    stack.send_signal("requeuer", signal.SIGTERM)
    stack.procs["requeuer"].wait(timeout=60)
    assert time.monotonic() - asked < 30
    [(status, dispatched)] = stack.sql(
        "SELECT status, dispatched_at IS NOT NULL FROM scripting_execution WHERE id = %s", (eid,)
    )
    assert (status, dispatched) == ("queued", True)
    stack.start_worker("next", "-c", "1")
    assert wait_executions(stack, [eid], timeout=120)[eid] == "succeeded"
    out = stdout_lines(stack, eid)
    assert out[-16:] == [str(i) for i in range(1, 17)] and len(out) < 32
    system = [
        t
        for (t,) in stack.sql(
            "SELECT text FROM scripting_logline WHERE execution_id = %s AND stream = 'system'",
            (eid,),
        )
    ]
    assert REQUEUED in system
    assert stack.sql("SELECT attempts FROM scripting_execution WHERE id = %s", (eid,)) == [(2,)]
