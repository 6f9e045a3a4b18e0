"""`bimflow web --workers 2`: two processes, each with its own socket on the port, both
serving; SIGTERM to the main process stops them all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest
import requests

from tests.conftest import REPO
from tests.live import free_port, wait_for

pytestmark = [pytest.mark.slow]


def _listeners(port: int) -> set[int]:
    """Pids of processes holding a listening socket on `port` (from /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            for line in fh.readlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                    inodes.add(fields[9])
    pids = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    pids.add(int(pid))
        except OSError:
            continue
    return pids


def test_two_web_processes_share_the_port_and_stop_together(tmp_path):
    env = {
        **os.environ,
        "BIMFLOW_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "bimflow.settings",
    }
    env.pop("DATABASE_URL", None)
    cli = [sys.executable, "-m", "bimflow.cli"]
    subprocess.run([*cli, "manage", "migrate", "-v0"], env=env, cwd=REPO, check=True)
    port = free_port()
    log = open(tmp_path / "web.log", "ab")
    main = subprocess.Popen(
        [*cli, "web", "--port", str(port), "--workers", "2"],
        env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(lambda: len(_listeners(port)) == 2, timeout=90, what="two listening processes")
        children = _listeners(port)
        assert main.pid not in children
        for _ in range(10):
            with socket.create_connection(("127.0.0.1", port), timeout=10):
                pass
            assert requests.get(f"http://127.0.0.1:{port}/api/health/", timeout=30).ok
        main.send_signal(signal.SIGTERM)
        assert main.wait(timeout=60) == 0
        assert _listeners(port) == set()
        assert all(not os.path.exists(f"/proc/{pid}") for pid in children)
    finally:
        if main.poll() is None:
            os.killpg(main.pid, signal.SIGKILL)
        log.close()
