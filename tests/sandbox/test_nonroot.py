"""The same sandbox when the worker is NOT root: no uid drop, no tmpfs mount, no cgroups.

The code under test runs in a subprocess as an unprivileged user (uid 62000),
started with setpriv from this root test, in a world-readable temp folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
UID = 62000

pytestmark = pytest.mark.skipif(
    shutil.which("setpriv") is None, reason="needs setpriv (util-linux)"
)


@pytest.fixture(scope="module")
def user_dir() -> Iterator[Path]:
    top = Path(tempfile.mkdtemp(prefix="bimflow-nonroot-", dir="/tmp"))
    os.chmod(top, 0o755)
    home = top / "home"
    home.mkdir()
    os.chown(home, UID, UID)
    os.chmod(home, 0o700)
    yield top
    shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def run_as_user(user_dir: Path, monkeypatch: pytest.MonkeyPatch):
    counter = iter(range(1000))

    def run(code: str, **spec: Any) -> dict[str, Any]:
        index = next(counter)
        home = user_dir / "home"
        result_dir = home / f"result-{os.getpid()}-{index}-{os.urandom(3).hex()}"
        result_dir.mkdir()
        os.chown(result_dir, UID, UID)
        job = {
            "code": code,
            "work_dir": str(home / "work"),
            "ifc_dir": str(HERE / "stub_ifc"),
            "result_dir": str(result_dir),
            **spec,
        }
        spec_path = home / f"spec-{index}.json"
        spec_path.write_text(json.dumps(job))
        os.chown(spec_path, UID, UID)
        env = {
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(REPO),
            "HOME": str(home),
            "TMPDIR": str(home),
            "BIMFLOW_FAKE_SECRET": "nonroot-s3cr3t",
        }
        proc = subprocess.run(
            ["setpriv", f"--reuid={UID}", f"--regid={UID}", "--clear-groups",
             sys.executable, str(HERE / "nonroot_runner.py"), str(spec_path)],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        report = json.loads(proc.stdout)
        report["stdout"] = "\n".join(t for s, t in report["lines"] if s == "stdout")
        return report

    return run


def test_status_reports_the_unprivileged_mode(run_as_user):
    report = run_as_user("print('hi')")
    assert report["uid"] == UID
    assert report["status"] == {
        "mode": "unprivileged", "bwrap": "0.11.0", "uid_drop": False,
        "cgroups": {"memory": False, "pids": False, "cpu": False, "kill": False, "version": "hybrid"},
        "tmpfs_output": True, "seccomp": True,
        "reason": report["status"]["reason"],
    }  # fmt: skip
    assert "no memory cgroup" in report["status"]["reason"]
    first = report["system"][0]
    assert first.startswith(
        "Sandbox: no uid drop (the worker is not root), no cgroups, memory per process "
    )
    assert "output tmpfs 100 MB, watched" in first and "seccomp on" in first


def test_context_outputs_and_findings_work(run_as_user, ifc_model, user_dir):
    model = user_dir / "home" / "model.ifc"
    shutil.copy(ifc_model.path, model)
    os.chown(model, UID, UID)
    code = """
import json, os
walls = model.by_type("IfcWall")
for wall in walls:
    report.warning("check", guid=wall.GlobalId, rule="R")
save_output("walls.json", [w.GlobalId for w in walls])
result["count"] = len(walls)
print(json.dumps({"uid": os.getuid(), "env": open("/proc/1/environ").read(), "fds": sorted(os.listdir("/proc/self/fd"))}))
"""
    report = run_as_user(code, inputs={"model.ifc": str(model)}, model_name="model.ifc")
    result = report["result"]
    assert result["status"] == "succeeded", (result["error"], report["lines"])
    assert result["result"] == {"count": 3}
    assert [f["ifc_class"] for f in result["findings"]] == ["IfcWall"] * 3
    assert [f["name"] for f in result["files"]] == ["walls.json"]
    copied = Path(result["files"][0]["path"])
    assert sorted(json.loads(copied.read_text())) == sorted(ifc_model.wall_guids)
    assert copied.stat().st_uid == UID
    seen = json.loads(report["stdout"].splitlines()[-1])
    assert seen["uid"] == UID and seen["env"] == "PATH=/usr/bin:/bin\x00"
    assert "nonroot-s3cr3t" not in json.dumps(report)


def test_memory_is_limited_per_process(run_as_user):
    report = run_as_user("x = bytearray(50 * 1024**3)", limits={"memory_mb": 256, "timeout_s": 30})
    assert report["result"]["status"] == "failed"
    assert (
        report["result"]["error"]
        == "The script was stopped because it used more than 256 MB of memory."
    )
    report = run_as_user(
        "chunks = []\nwhile True:\n    chunks.append(b'x' * 10_000_000)", limits={"memory_mb": 256}
    )
    assert (
        report["result"]["error"]
        == "The script was stopped because it used more than 256 MB of memory."
    )


def test_timeout_and_fork_bomb_leave_nothing_behind(run_as_user):
    report = run_as_user("while True:\n    pass", limits={"timeout_s": 1.5})
    assert report["result"]["status"] == "timed_out"
    assert report["leftover"] == []
    bomb = (
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    )
    report = run_as_user(bomb, limits={"timeout_s": 2, "max_procs": 24})
    assert report["result"]["status"] == "timed_out"
    assert report["leftover"] == []


def test_cancel_within_two_seconds(run_as_user):
    report = run_as_user("import time\ntime.sleep(60)", cancel_after=1.0)
    assert report["result"]["status"] == "cancelled"
    assert report["cancel_latency"] < 2.0
    assert report["leftover"] == []


def test_output_is_capped_by_its_tmpfs_and_host_disk_is_untouched(run_as_user):
    before = os.statvfs("/tmp")
    code = "import os\nfor i in range(60):\n    open(f'/job/output/f{i}', 'wb').write(os.urandom(1 << 20))\n"
    report = run_as_user(code, limits={"output_mb": 10, "timeout_s": 30})
    after = os.statvfs("/tmp")
    result = report["result"]
    assert result["status"] == "failed"
    assert "No space left on device" in result["error"]
    assert "output" in result["limits_hit"]
    assert sum(f["size"] for f in result["files"]) <= 10 * 1024 * 1024
    assert (before.f_bfree - after.f_bfree) * before.f_frsize < 40 * 1024 * 1024


def test_too_many_files_in_tmp_are_stopped_by_the_watcher(run_as_user):
    code = "i = 0\nwhile True:\n    open(f'/tmp/f{i}', 'w').close()\n    i += 1\n"
    report = run_as_user(code, limits={"timeout_s": 60})
    result = report["result"]
    assert result["status"] == "failed"
    assert result["error"] == "The script created more than 20,000 files in /tmp and was stopped."
    assert "files" in result["limits_hit"]


def test_uncounted_memory_and_network_are_denied(run_as_user):
    code = """
import ctypes, json, os, socket
libc = ctypes.CDLL(None, use_errno=True)
def shmget():
    if libc.shmget(0, 1 << 20, 0o1600) == -1:  # IPC_PRIVATE, IPC_CREAT | 0600
        raise OSError(ctypes.get_errno(), "shmget")
def attempt(fn):
    try:
        fn(); return "allowed"
    except OSError as exc:
        return type(exc).__name__
print(json.dumps({
    "memfd": attempt(lambda: os.memfd_create("x")),
    "shmget": attempt(shmget),
    "net": attempt(lambda: socket.create_connection(("1.1.1.1", 53), timeout=2)),
    "shadow": attempt(lambda: open("/etc/shadow")),
}))
"""
    report = run_as_user(code)
    assert json.loads(report["stdout"]) == {
        "memfd": "PermissionError",
        "shmget": "PermissionError",
        "net": "OSError",
        "shadow": "FileNotFoundError",
    }


def test_unsafe_mode_when_bwrap_is_missing(run_as_user):
    refused = run_as_user("print('hi')", bwrap="/nonexistent/bwrap")
    assert refused["status"]["mode"] == "unavailable"
    assert refused["result"]["status"] == "failed"
    assert refused["result"]["error"].startswith(
        "Scripts cannot run on this host: bubblewrap (bwrap) was not found."
    )
    assert "Install bubblewrap" in refused["result"]["error"]
    assert refused["lines"] == []
    unsafe = run_as_user(
        "import os\nsave_output('a.txt', 'x')\nresult['uid'] = os.getuid()\nprint('ran')",
        bwrap="/nonexistent/bwrap", unsafe=True,
    )  # fmt: skip
    assert unsafe["status"]["mode"] == "unsafe"
    assert unsafe["result"]["status"] == "succeeded", unsafe
    assert unsafe["result"]["result"] == {"uid": UID}
    assert [f["name"] for f in unsafe["result"]["files"]] == ["a.txt"]
    assert unsafe["stdout"] == "ran"
    assert unsafe["system"][0].startswith("WARNING: the sandbox is not available on this host")
    assert "UNSANDBOXED" in unsafe["system"][0]
