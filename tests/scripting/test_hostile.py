"""Hostile scripts, each run as a user script through the API by the real worker (as
root, as on these machines), while a thread polls `GET /api/health/` of a real web
process and times every answer. tests/sandbox/ proves each case at the sandbox level in
detail; here each one is shown end to end: status, error sentence, log, files."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage

import bimflow
from tests.conftest import api_client
from tests.ifc_factory import small_building
from tests.live import wait_for
from tests.scripting.conftest import health_probe, upload_ready
from tests.scripting.hostile import PROBE, marker, processes_with

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("live_worker"),
]


def healthy(probe, *, max_seconds: float = 0.5) -> None:
    """Every health call answered 200, each within the issue's 0.5 s."""
    assert probe.samples, "the health probe made no call"
    assert all(code == 200 for _, code in probe.samples), probe.samples
    assert max(probe.times) < max_seconds, probe.summary()


def json_line(scripts, body: dict) -> dict:
    lines = [r["text"] for r in scripts.logs(body["id"]) if r["stream"] == "stdout"]
    return json.loads(lines[-1])


def test_secrets_other_projects_the_host_and_the_network_are_out_of_reach(
    scripts, small_version, live_web, personas, tmp_path
):
    from django.conf import settings
    from django.db import connection

    from bimflow.projects.models import ModelVersion

    # Another project's model, on the same disk as this project's.
    outsider = api_client(personas["outsider"])
    other = outsider.post("/api/projects/", {"name": "Other company"}, format="json").json()
    other_path = tmp_path / "Theirs.ifc"
    small_building(other_path, walls=1)
    other_version = ModelVersion.objects.get(pk=upload_ready(outsider, other["id"], other_path))
    targets = {
        "shadow": "/etc/shadow",
        "secret_key_file": str(settings.DATA_DIR / "secret_key"),
        "settings_module": str(Path(bimflow.__file__).parent / "settings.py"),
        "database": str(connection.settings_dict["NAME"]),
        "other_model": default_storage.path(other_version.file),
        "other_datapack": default_storage.path(other_version.datapack),
        "data_dir": str(settings.DATA_DIR),
    }
    for name, path in targets.items():
        assert Path(path).exists(), (name, path)  # each is really there on the host
    web_port = int(live_web.rsplit(":", 1)[1])
    code = (
        PROBE
        + f"""
import socket
targets = {targets!r}
seen = {{name: attempt(lambda p=path: open(p, "rb").read(200).decode(errors="replace"))
         for name, path in targets.items()}}
seen["data_dir_list"] = attempt(lambda: os.listdir(targets["data_dir"]))
seen["sandbox_settings"] = attempt(lambda: open("/opt/bimflow/lib/bimflow/settings.py").read())
seen["import_settings"] = attempt(lambda: __import__("bimflow.settings"))
seen["environ_1"] = attempt(lambda: open("/proc/1/environ", "rb").read().decode())
seen["own_environ"] = sorted(os.environ)
seen["core_pattern"] = attempt(lambda: open("/proc/sys/kernel/core_pattern", "w"))
outside = ["/usr/evil", "/evil", "/job/evil", "/job/inputs/evil", "/etc/evil", "/dev/evil",
           "/opt/bimflow/lib/bimflow/evil.py", "/proc/sys/vm/drop_caches",
           str(model_path), str(output_dir.parent / "evil")]
seen["write_outside"] = {{t: attempt(lambda t=t: open(t, "w").write("1")) for t in outside}}
seen["write_output"] = attempt(lambda: str((output_dir / "mine.txt").write_text("ok")))
def connect(host, port):
    socket.create_connection((host, port), timeout=3).close()
    return "connected"
seen["postgres"] = attempt(lambda: connect("127.0.0.1", 5432))
seen["web"] = attempt(lambda: connect("127.0.0.1", {web_port}))
seen["outside"] = attempt(lambda: connect("1.1.1.1", 443))
seen["resolve"] = attempt(lambda: socket.getaddrinfo("example.com", 443))
print(json.dumps(seen))
"""
    )
    vid, _ = small_version
    with health_probe(live_web) as probe:
        body = scripts.run(code, vid)
    healthy(probe)
    print(probe.summary())
    assert body["status"] == "succeeded", (body["error"], scripts.log_text(body["id"]))
    seen = json_line(scripts, body)
    for name in targets:
        assert seen[name] == "denied: FileNotFoundError", (name, seen[name])
    assert seen["data_dir_list"] == "denied: FileNotFoundError"
    assert seen["sandbox_settings"] == "denied: FileNotFoundError"
    assert seen["import_settings"] == "denied: ModuleNotFoundError"
    assert seen["environ_1"] == "ok: PATH=/usr/bin:/bin\x00"
    assert "DATABASE_URL" not in seen["own_environ"] and "SECRET_KEY" not in seen["own_environ"]
    assert not [k for k in seen["own_environ"] if k.startswith(("BIMFLOW", "DJANGO", "CELERY"))]
    assert seen["core_pattern"].startswith("denied: ")
    assert all(v.startswith("denied: ") for v in seen["write_outside"].values()), seen
    assert seen["write_output"].startswith("ok: ")
    assert [f["name"] for f in body["files"]] == ["mine.txt"]
    assert seen["postgres"] == "denied: ConnectionRefusedError"
    assert seen["web"] == "denied: ConnectionRefusedError"  # the host's listener is not reachable
    assert seen["outside"] == "denied: OSError"  # network unreachable
    assert seen["resolve"].startswith("denied: ")
    log = scripts.log_text(body["id"])
    assert settings.SECRET_KEY not in log and settings.SECRET_KEY not in json.dumps(body)
    assert Path(targets["other_model"]).read_bytes().startswith(b"ISO-10303-21;")
    assert open("/proc/sys/kernel/core_pattern").read().strip() != "1"


# A process of the fork bomb's tree that can be found on the host.
FORK_BOMB_MARKER = marker()
LIMITS = {
    "loop": ("while True:\n    pass\n", {"timeout_s": 2}),
    "50gb": ("data = bytearray(50 * 1024**3)\n", {"memory_mb": 256}),
    "fork_bomb": (
        f"""
import os, subprocess
subprocess.Popen(["sleep", "{FORK_BOMB_MARKER}"])
while True:
    try:
        os.fork()
    except OSError:
        pass
""",
        {"timeout_s": 3, "max_procs": 32},
    ),
    "under_the_limit_each": (
        """
import os, time
pids = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        block = b"x" * (180 * 1024 * 1024)
        time.sleep(30)
        os._exit(0)
    pids.append(pid)
for pid in pids:
    os.waitpid(pid, 0)
print("all children finished")
""",
        {"memory_mb": 300, "timeout_s": 60},
    ),
    "fill": (
        """
import json
def fill(path, cap_mb):
    written = 0
    try:
        with open(path, "wb") as handle:
            while written < cap_mb * 2**20:
                handle.write(b"x" * 2**20)
                handle.flush()
                written += 2**20
    except OSError as exc:
        return [written // 2**20, exc.strerror]
    return [written // 2**20, "no limit"]
print(json.dumps({"tmp": fill("/tmp/fill", 500), "shm": fill("/dev/shm/fill", 500),
                  "output": fill(output_dir / "fill.bin", 500)}))
""",
        {"output_mb": 20, "memory_mb": 1024},
    ),
    "odd_outputs": (
        """
import os
os.symlink("/etc/passwd", output_dir / "passwd.txt")
os.symlink("/job/inputs", output_dir / "inputs")
os.mkfifo(output_dir / "pipe")
(output_dir / "sub").mkdir()
(output_dir / "sub" / "real.txt").write_text("real")
os.link(output_dir / "sub" / "real.txt", output_dir / "hard.txt")
(output_dir / "setuid.sh").write_text("#!/bin/sh\\n")
os.chmod(output_dir / "setuid.sh", 0o4755)
print(sorted(os.listdir(output_dir)))
""",
        {},
    ),
}


def test_limits_stop_hostile_scripts_and_the_server_stays_up(
    scripts, small_version, live_web, settings
):
    settings.BIMFLOW_MAX_ACTIVE_EXECUTIONS_PER_USER = 20
    vid, _ = small_version
    with health_probe(live_web) as probe:
        # A daemon that double-forks and sleeps: it really runs, then is gone at the end.
        token = marker()
        daemon = scripts.create(
            f"""
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/usr/bin/sleep", ["sleep", "{token}"])
    os._exit(0)
print("daemon started", flush=True)
time.sleep(2)
""",
            name="daemon",
        )
        daemon_run = scripts.start(daemon["id"], vid)
        wait_for(lambda: processes_with(token), timeout=60, what="the daemon to run")
        started = {
            name: scripts.start(scripts.create(code, name=name, limits=limits)["id"], vid)
            for name, (code, limits) in LIMITS.items()
        }
        done = {name: scripts.wait(e["id"], timeout=180) for name, e in started.items()}
        daemon_done = scripts.wait(daemon_run["id"])
    healthy(probe)
    print(probe.summary())

    assert daemon_done["status"] == "succeeded"
    assert processes_with(token) == []

    loop = done["loop"]
    assert loop["status"] == "timed_out"
    assert loop["error"] == "The script ran longer than the 2 s time limit."

    big = done["50gb"]
    assert big["status"] == "failed"
    assert big["error"] == "The script was stopped because it used more than 256 MB of memory."

    bomb = done["fork_bomb"]
    assert bomb["status"] == "timed_out", bomb["error"]
    assert "processes" in bomb["limits"]["hit"]
    system = [r["text"] for r in scripts.logs(bomb["id"]) if r["stream"] == "system"]
    assert any("limit of 32 processes" in line for line in system), system
    assert processes_with(FORK_BOMB_MARKER) == []  # the whole tree is gone

    several = done["under_the_limit_each"]
    assert several["status"] == "failed"
    assert several["error"] == "The script was stopped because it used more than 300 MB of memory."
    assert "all children finished" not in scripts.log_text(several["id"])

    fill = done["fill"]
    assert fill["status"] == "succeeded", fill["error"]
    seen = json_line(scripts, fill)
    # Stopped at the size of the tmpfs or at the file-size rlimit, whichever is smaller.
    stopped = ("No space left on device", "File too large")
    assert seen["tmp"][0] <= 64 and seen["tmp"][1] in stopped, seen
    assert seen["shm"][0] <= 8 and seen["shm"][1] in stopped, seen
    assert seen["output"][0] <= 20 and seen["output"][1] in stopped, seen
    (out,) = fill["files"]
    assert out["name"] == "fill.bin" and out["size"] <= 20 * 2**20

    odd = done["odd_outputs"]
    assert odd["status"] == "succeeded", odd["error"]
    assert {f["name"] for f in odd["files"]} == {"sub/real.txt", "hard.txt", "setuid.sh"}
    assert scripts.file(odd["id"], "sub/real.txt") == b"real"
    for name in ("passwd.txt", "inputs", "pipe"):
        assert scripts.client.get(f"/api/executions/{odd['id']}/files/{name}").status_code == 404


@pytest.mark.parametrize(
    "line, status, error",
    [
        # 50 million 2-byte lines: 100 MB, under the hard cap (10x the 20 MB log).
        ("x", "succeeded", ""),
        # 50 million 20-byte lines: 1 GB, stopped at the hard cap of 200 MB.
        ("a line of the flood", "failed", "The log exceeded 200 MB and the script was stopped."),
    ],
)
def test_fifty_million_lines_are_truncated_while_health_answers_fast(
    scripts, small_version, live_web, line, status, error
):
    code = f"""
import sys
chunk = "{line}\\n" * 1_000_000
for _ in range(50):
    sys.stdout.write(chunk)
sys.stdout.flush()
"""
    vid, _ = small_version
    started = time.monotonic()
    with health_probe(live_web, interval=0.1) as probe:
        body = scripts.run(code, vid, timeout=300, name="flood")
    seconds = time.monotonic() - started
    print(f"50 million lines of {line!r} in {seconds:.1f} s; {probe.summary()}")
    healthy(probe)
    assert (body["status"], body["error"]) == (status, error)
    assert "log_truncated" in body["limits"]["hit"]
    # The whole log in one request, then its numbering at both ends.
    text = scripts.log_text(body["id"]).splitlines()
    assert len(text) == body["log_count"]
    assert sum(1 for t in text if t == line) == 200_000
    assert [t for t in text if "truncated" in t] == [
        "[system] The log was truncated after 200,000 lines (limits: 200,000 lines or 20 MB); "
        "further output was discarded."
    ]
    head = scripts.client.get(f"/api/executions/{body['id']}/logs/?page_size=50").json()
    tail_after = body["log_count"] - 50
    tail = scripts.client.get(
        f"/api/executions/{body['id']}/logs/?after={tail_after}&page_size=100"
    ).json()
    assert head["count"] == body["log_count"]
    assert [r["seq"] for r in head["results"]] == list(range(1, 51))
    assert [r["seq"] for r in tail["results"]] == list(range(tail_after + 1, body["log_count"] + 1))
    assert [r["text"] for r in tail["results"]] == [t.removeprefix("[system] ") for t in text[-50:]]


def test_two_concurrent_executions_cannot_see_each_others_files(scripts, small_version, live_web):
    vid, _ = small_version
    token = marker()
    first = scripts.create(
        f"""
import time
(output_dir / "first-{token}.txt").write_text("first's secret")
open("/tmp/first-{token}.txt", "w").write("first's temp")
print("written", flush=True)
time.sleep(6)
""",
        name="first",
    )
    second = scripts.create(
        PROBE
        + f"""
found = []
for root, dirs, files in os.walk("/"):
    if root.startswith(("/proc", "/sys")):
        dirs[:] = []
        continue
    found += [os.path.join(root, f) for f in files if "{token}" in f]
mounts = open("/proc/self/mountinfo").read()
print(json.dumps({{
    "found": found,
    "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
    "job": sorted(os.listdir("/job")),
    "output": sorted(os.listdir(output_dir)),
    "token_in_mounts": "{token}" in mounts,
}}))
""",
        name="second",
    )
    with health_probe(live_web) as probe:
        a = scripts.start(first["id"], vid)
        wait_for(
            lambda: any(r["text"] == "written" for r in scripts.logs(a["id"])),
            timeout=60,
            what="the first execution to write its files",
        )
        b = scripts.wait(scripts.start(second["id"], vid)["id"])
        assert scripts.get(a["id"])["status"] == "running"  # they really overlapped
        a = scripts.wait(a["id"])
    healthy(probe)
    print(probe.summary())
    assert a["status"] == b["status"] == "succeeded", (a["error"], b["error"])
    seen = json_line(scripts, b)
    assert seen["found"] == [] and seen["output"] == [] and not seen["token_in_mounts"]
    assert seen["pids"] == [1, 2]
    assert [f["name"] for f in a["files"]] == [f"first-{token}.txt"]
    assert b["files"] == []
