"""Real processes for tests: Celery workers, the uvicorn web server, beat.

They share the test database (a SQLite file, see tests/settings.py) and the data dir
with the test process, exactly as `bimflow serve` runs them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def process_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgresql://{db['USER'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
            f"{db['NAME']}"
        )
    env["BIMFLOW_DATA_DIR"] = str(settings.DATA_DIR)
    env["DJANGO_SETTINGS_MODULE"] = "bimflow.settings"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


class Proc:
    def __init__(self, name: str, args: list[str], env: dict[str, str], log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.log = open(self.log_path, "ab")
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "bimflow.cli", *args],
            env=env,
            cwd=REPO,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout: float = 20) -> None:
        # The signal goes to the main process only, as a service manager sends it: a
        # Celery worker then stops its pool children itself (signalling the whole group
        # kills a child holding a queue lock, and the worker waits for it forever).
        if self.popen.poll() is None:
            try:
                os.kill(self.popen.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self.log.close()

    def kill9(self) -> None:
        """SIGKILL the whole process group at once (a crashed host, in effect)."""
        try:
            os.killpg(self.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.popen.wait()
        self.log.close()


def start_worker(
    log_dir: Path, *, name: str = "w1", queues: str | None = None, concurrency: int = 2, **env: str
) -> Proc:
    args = ["worker", "-n", f"{name}@%h", "-c", str(concurrency)]
    if queues:
        args += ["-Q", queues]
    proc = Proc(f"worker-{name}", args, process_env(**env), log_dir)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"worker exited:\n{proc.tail()}")
        if "ready." in proc.tail(200):
            return proc
        time.sleep(0.2)
    proc.stop()
    raise RuntimeError(f"worker did not start:\n{proc.tail()}")


def start_web(log_dir: Path, **env: str) -> tuple[Proc, str]:
    port = free_port()
    proc = Proc("web", ["web", "--port", str(port)], process_env(**env), log_dir)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.popen.poll() is not None:
            raise RuntimeError(f"web exited:\n{proc.tail()}")
        try:
            requests.get(f"{url}/api/health/", timeout=1)
            return proc, url
        except requests.RequestException:
            time.sleep(0.2)
    proc.stop()
    raise RuntimeError(f"web did not start:\n{proc.tail()}")


def start_beat(log_dir: Path, **env: str) -> Proc:
    return Proc("beat", ["beat"], process_env(**env), log_dir)


def wait_for(predicate, *, timeout: float = 60, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
