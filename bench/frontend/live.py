"""A bimflow to measure against: `bimflow web` and a worker on a fresh data dir, as
`bimflow serve` runs them (used by bench/web.py)."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Bimflow:
    """A web process and a worker on a fresh data dir, as `bimflow serve` runs them."""

    def __init__(self) -> None:
        self.data = Path(tempfile.mkdtemp(prefix="bimflow-bench-web-"))
        self.env = {
            **os.environ,
            "BIMFLOW_DATA_DIR": str(self.data),
            "DJANGO_SETTINGS_MODULE": "bimflow.settings",
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
            "DJANGO_SUPERUSER_PASSWORD": secrets.token_urlsafe(12),
        }
        self.password = self.env["DJANGO_SUPERUSER_PASSWORD"]
        self.procs: list[subprocess.Popen] = []
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = ""

    def _cli(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "bimflow.cli", *args], env=self.env, cwd=REPO, check=True
        )

    def _start(self, *args: str) -> subprocess.Popen:
        log = open(self.data / f"{args[0]}.log", "ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "bimflow.cli", *args],
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def start(self) -> None:
        self._cli("manage", "migrate", "-v0")
        self._cli("manage", "createsuperuser", "--noinput", "--username", "bench", "--email", "")
        self._start("web", "--port", str(self.port))
        self._start("worker", "-c", "2")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/api/health/", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"the web server did not start; see {self.data}/web.log")
        answer = requests.post(
            f"{self.url}/api/auth/token/",
            json={"username": "bench", "password": self.password},
            timeout=30,
        )
        self.token = answer.json()["token"]

    def api(self, method: str, path: str, **kwargs) -> Any:
        response = requests.request(
            method,
            f"{self.url}{path}",
            headers={"Authorization": f"Token {self.token}"},
            timeout=600,
            **kwargs,
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def upload(self, project: int, path: Path) -> dict[str, Any]:
        """Upload, wait for the ingest; the version and the seconds it took to be ready."""
        started = time.monotonic()
        with open(path, "rb") as fh:
            version = self.api("POST", f"/api/projects/{project}/versions/", files={"file": fh})
        while version["status"] not in ("ready", "failed"):
            time.sleep(0.5)
            version = self.api("GET", f"/api/versions/{version['id']}/")
        if version["status"] != "ready":
            raise RuntimeError(f"ingest of {path.name} failed: {version['error']}")
        version["seconds_to_ready"] = round(time.monotonic() - started, 1)
        return version

    def stop(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(self.data, ignore_errors=True)


