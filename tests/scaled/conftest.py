"""The scaled set-up, for real: PostgreSQL on 127.0.0.1, a Redis server and an
S3-compatible server of the test's own, and web, worker and beat processes that each
have their own data folder and sandbox folder and share only the database, the broker
and the storage.

Each `Stack` gets a fresh PostgreSQL database and a private `redis-server` on a free
port (so stopping it, or flushing it, touches nobody else), and by default a bucket of
its own on a local S3-compatible server (moto, one per test session): no process of a
stack can see another's files.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO, require_service
from tests.live import free_port, wait_for

PG = "postgresql://postgres@127.0.0.1:5432"
# Sandbox uids of these tests' workers (bench 63000+, sandbox tests 64000+, workers of
# other tests 61000+): a test's worker never shares a uid with another session's.
UID_BASE = "62000"
S3_KEYS = {"BIMFLOW_S3_ACCESS_KEY": "testing", "BIMFLOW_S3_SECRET_KEY": "testing"}


def _pg_ok() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG}/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def _tool(name: str) -> str | None:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    return found


class RedisServer:
    """A private redis-server on a free port; `stop()` and `start()` again keep the port.
    Messages are kept in an append-only file, as a production Redis for bimflow should
    be configured (docs/deploy.md), so a restart loses nothing."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                _tool("redis-server") or "redis-server",
                "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.folder),
                "--logfile", str(self.folder / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self.ping, timeout=20, what="redis-server to answer")

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except Exception:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.proc = None

    def client(self):
        import redis

        return redis.Redis(port=self.port, socket_timeout=5)


class S3Server:
    """moto's S3-compatible server on a free port, for the whole test session."""

    def __init__(self, log: Path):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "ab")
        self.proc = subprocess.Popen(
            [_tool("moto_server") or "moto_server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

        def up() -> bool:
            try:
                return requests.get(self.endpoint, timeout=1).status_code < 500
            except requests.RequestException:
                return False

        wait_for(up, timeout=60, what="the S3-compatible server")

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            region_name="us-east-1",
        )

    def bucket(self) -> str:
        name = f"bimflow-{uuid.uuid4().hex[:10]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        pages = (
            self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        )
        return [o["Key"] for page in pages for o in page.get("Contents", [])]

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        self.log.close()


class Stack:
    """A database, a Redis server, a storage (an S3 bucket or a shared folder), and the
    processes, each started in a data folder of its own."""

    def __init__(self, root: Path, s3: S3Server | None):
        import psycopg

        self.root = root
        self.db_name = f"bimflow_test_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        self.redis = RedisServer(root / "redis")
        self.s3 = s3
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.url = ""
        self.web_port = free_port()
        self.metrics_token = uuid.uuid4().hex
        self.base_env = {
            **os.environ,
            "DATABASE_URL": f"{PG}/{self.db_name}",
            "CELERY_BROKER_URL": self.redis.url,
            "SECRET_KEY": "scaled-test-secret",
            "DJANGO_SETTINGS_MODULE": "bimflow.settings",
            "PYTHONUNBUFFERED": "1",
            "BIMFLOW_SANDBOX_UID_BASE": UID_BASE,
            "BIMFLOW_MAX_ACTIVE_EXECUTIONS_PER_USER": "0",
            "BIMFLOW_METRICS_TOKEN": self.metrics_token,
        }
        if s3 is not None:
            self.bucket = s3.bucket()
            self.base_env.update(
                BIMFLOW_STORAGE="s3",
                BIMFLOW_S3_BUCKET=self.bucket,
                BIMFLOW_S3_ENDPOINT_URL=s3.endpoint,
                BIMFLOW_S3_REGION="us-east-1",
                **S3_KEYS,
            )
        else:
            self.storage = root / "shared-storage"
            self.storage.mkdir()
            self.base_env["BIMFLOW_MEDIA_DIR"] = str(self.storage)
        self.run("manage", "migrate", "-v0", folder="setup")

    # -- processes ------------------------------------------------------------------

    def env(self, folder: str, **extra: str) -> dict[str, str]:
        data = self.root / folder
        data.mkdir(exist_ok=True)
        # The sandbox's job folders of this process (root mode needs o+x on the way).
        sandbox = data / "sandbox"
        return {
            **self.base_env,
            "BIMFLOW_DATA_DIR": str(data),
            "BIMFLOW_SANDBOX_DIR": str(sandbox),
            **extra,
        }

    def run(self, *args: str, folder: str = "setup", **env: str) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [sys.executable, "-m", "bimflow.cli", *args],
            env=self.env(folder, **env),
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"bimflow {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def shell(self, code: str, **env: str) -> str:
        """Run Python in a Django shell of this stack (as an operator would); its stdout."""
        return self.run("manage", "shell", "-c", code, **env).stdout

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
        self.start("web", "web", "--port", str(self.web_port), **env)
        self.url = f"http://127.0.0.1:{self.web_port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.procs["web"].poll() is not None:
                raise RuntimeError(self.tail("web"))
            try:
                requests.get(f"{self.url}/api/health/", timeout=1)
                return self.url
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(self.tail("web"))

    def start_worker(self, name: str, *args: str, **env: str) -> subprocess.Popen:
        data = self.root / name
        data.mkdir(exist_ok=True)
        os.chmod(self.root, 0o711)
        os.chmod(data, 0o711)
        proc = self.start(name, "worker", "-n", f"{name}@%h", *args, **env)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(self.tail(name))
            if " ready." in self.logs[name].read_text(errors="replace"):
                return proc
            time.sleep(0.2)
        raise RuntimeError(self.tail(name))

    def start_beat(self, **env: str) -> subprocess.Popen:
        return self.start("beat", "beat", **env)

    def send_signal(self, name: str, sig: int) -> None:
        """Send `sig` to the main process only (as a service manager does)."""
        os.kill(self.procs[name].pid, sig)

    def kill9(self, name: str) -> None:
        """SIGKILL the whole process group at once (a crashed host, in effect)."""
        proc = self.procs.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            try:
                os.kill(proc.pid, sig)
                proc.wait(timeout=timeout)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def worker_children(self, name: str) -> set[int]:
        """Pool process ids of a worker (its direct children)."""
        pid = self.procs[name].pid
        children: set[int] = set()
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                children |= {int(p) for p in fh.read().split()}
        return children

    # -- data -----------------------------------------------------------------------

    def session(self, username: str = "admin") -> requests.Session:
        """An HTTP session of a (new) superuser, with its API token."""
        password = "pw-" + uuid.uuid4().hex[:12]
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
            timeout=30,
        )
        resp.raise_for_status()
        s = requests.Session()
        s.headers["Authorization"] = f"Token {resp.json()['token']}"
        return s

    def user_token(self, username: str = "admin") -> str:
        return self.session(username).headers["Authorization"].split()[1]

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        """Read the stack's database directly (the tests' independent view of it)."""
        import psycopg

        with psycopg.connect(f"{PG}/{self.db_name}") as conn:
            return conn.execute(query, params).fetchall()

    def close(self) -> None:
        import psycopg

        for name in list(self.procs):
            self.stop(name, timeout=15)
        self.redis.stop()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')


def upload(s: requests.Session, url: str, project_id: int, path: Path, model: str | None = None):
    with open(path, "rb") as fh:
        data = {"model": model} if model else {}
        return s.post(
            f"{url}/api/projects/{project_id}/versions/", files={"file": fh}, data=data, timeout=120
        )


def wait_versions(s: requests.Session, url: str, ids: list[int], timeout: float = 180) -> dict:
    def done():
        found = {vid: s.get(f"{url}/api/versions/{vid}/", timeout=30).json() for vid in ids}
        return found if all(v["status"] in ("ready", "failed") for v in found.values()) else None

    return wait_for(done, timeout=timeout, interval=0.5, what="versions to be read")


def wait_executions(stack: Stack, ids: list[int], timeout: float = 300) -> dict[int, str]:
    """Statuses, once none of `ids` is queued or running (read from the database)."""

    def done():
        rows = dict(
            stack.sql("SELECT id, status FROM scripting_execution WHERE id = ANY(%s)", (ids,))
        )
        return rows if all(s not in ("queued", "running") for s in rows.values()) else None

    return wait_for(done, timeout=timeout, interval=0.5, what="executions to end")


def create_script(s: requests.Session, url: str, code: str, name: str, **fields) -> dict:
    resp = s.post(f"{url}/api/scripts/", json={"name": name, "code": code, **fields}, timeout=30)
    assert resp.status_code == 201, resp.text
    return resp.json()


def start_execution(s: requests.Session, url: str, script: int, version: int) -> dict:
    resp = s.post(
        f"{url}/api/executions/",
        json={"script": script, "version": version, "parameters": {}},
        timeout=60,
    )
    assert resp.status_code == 201, resp.text
    return resp.json()


def stdout_lines(stack: Stack, execution_id: int) -> list[str]:
    return [
        t
        for (t,) in stack.sql(
            "SELECT text FROM scripting_logline WHERE execution_id = %s AND stream = 'stdout' "
            "ORDER BY seq",
            (execution_id,),
        )
    ]


def dump(obj) -> str:
    return json.dumps(obj, indent=1, default=str)[:4000]


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    require_service(_tool("moto_server") is not None, "moto_server (pip install 'moto[server]')")
    server = S3Server(tmp_path_factory.mktemp("s3") / "moto.log")
    yield server
    server.close()


def _stack(s3):
    require_service(_pg_ok(), "PostgreSQL on 127.0.0.1:5432")
    require_service(_tool("redis-server") is not None, "redis-server")
    root = Path(tempfile.mkdtemp(prefix="bimflow-scaled-", dir="/tmp"))
    os.chmod(root, 0o711)
    s = Stack(root, s3)
    return s, root


@pytest.fixture
def stack(s3_server):
    """A stack whose storage is an S3 bucket: web and workers share no disk at all."""
    s, root = _stack(s3_server)
    yield s
    s.close()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def folder_stack():
    """A stack whose storage is a folder all processes share (a shared volume)."""
    s, root = _stack(None)
    yield s
    s.close()
    shutil.rmtree(root, ignore_errors=True)
