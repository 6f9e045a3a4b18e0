"""The scaled set-up, for real: PostgreSQL and Redis on 127.0.0.1, and web and worker
processes that each have their own data folder and share only the database, the broker
and the storage folder."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO, require_service

PG = "postgresql://postgres@127.0.0.1:5432"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def _pg_ok() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG}/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def _redis_ok() -> bool:
    try:
        import redis

        return bool(redis.Redis(REDIS_HOST, REDIS_PORT, socket_timeout=3).ping())
    except Exception:
        return False


class Stack:
    """A database, a Redis db index, a shared storage folder, and the processes."""

    def __init__(self, root: Path):
        import psycopg
        import redis

        self.root = root
        self.db_name = f"bimflow_test_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        self.redis_db = random.randint(1, 15)
        redis.Redis(REDIS_HOST, REDIS_PORT, db=self.redis_db).flushdb()
        self.storage = root / "shared-storage"
        self.storage.mkdir()
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.url = ""
        self.base_env = {
            **os.environ,
            "DATABASE_URL": f"{PG}/{self.db_name}",
            "CELERY_BROKER_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{self.redis_db}",
            "BIMFLOW_MEDIA_DIR": str(self.storage),
            "SECRET_KEY": "scaled-test-secret",
            "DJANGO_SETTINGS_MODULE": "bimflow.settings",
            "PYTHONUNBUFFERED": "1",
        }
        self.run("manage", "migrate", "-v0", folder="setup")

    def env(self, folder: str, **extra: str) -> dict[str, str]:
        data = self.root / folder
        data.mkdir(exist_ok=True)
        return {**self.base_env, "BIMFLOW_DATA_DIR": str(data), **extra}

    def run(self, *args: str, folder: str = "setup", **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "bimflow.cli", *args],
            env=self.env(folder, **env),
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        )

    def start(self, name: str, *args: str, **env: str) -> subprocess.Popen:
        log = self.root / f"{name}.log"
        self.logs[name] = log
        proc = subprocess.Popen(
            [sys.executable, "-m", "bimflow.cli", *args],
            env=self.env(name, **env),
            cwd=REPO,
            stdout=open(log, "ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs[name] = proc
        return proc

    def tail(self, name: str, n: int = 60) -> str:
        return "\n".join(self.logs[name].read_text(errors="replace").splitlines()[-n:])

    def start_web(self, **env: str) -> str:
        from tests.live import free_port

        port = free_port()
        self.start("web", "web", "--port", str(port), **env)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/api/health/", timeout=1)
                return self.url
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(self.tail("web"))

    def start_worker(self, name: str, *args: str, **env: str) -> subprocess.Popen:
        proc = self.start(name, "worker", "-n", f"{name}@%h", *args, **env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(self.tail(name))
            if "ready." in self.logs[name].read_text(errors="replace"):
                return proc
            time.sleep(0.2)
        raise RuntimeError(self.tail(name))

    def stop(self, name: str, sig: int = 15) -> None:
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            try:
                os.killpg(proc.pid, sig)
                proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, 9)
                proc.wait()

    def user_token(self, username: str = "admin", superuser: bool = True) -> str:
        password = "pw-" + uuid.uuid4().hex[:12]
        if superuser:
            self.run(
                "manage",
                "createsuperuser",
                "--noinput",
                DJANGO_SUPERUSER_USERNAME=username,
                DJANGO_SUPERUSER_PASSWORD=password,
                DJANGO_SUPERUSER_EMAIL=f"{username}@example.com",
            )
        resp = requests.post(
            f"{self.url}/api/auth/token/",
            json={"username": username, "password": password},
            timeout=10,
        )
        resp.raise_for_status()
        return resp.json()["token"]

    def close(self) -> None:
        import psycopg

        for name in list(self.procs):
            self.stop(name)
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')


@pytest.fixture
def stack():
    require_service(_pg_ok(), "PostgreSQL on 127.0.0.1:5432")
    require_service(_redis_ok(), "Redis on 127.0.0.1:6379")
    root = Path(tempfile.mkdtemp(prefix="bimflow-scaled-"))
    s = Stack(root)
    yield s
    s.close()
    shutil.rmtree(root, ignore_errors=True)
