"""Fixtures for the script engine tests: everything goes through the API, with a real
Celery worker process (the session's `live_worker`) running the scripts in the real
sandbox, and, where the issue asks for it, a real web process (`live_web`)."""

from __future__ import annotations

import math
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.conftest import api_client
from tests.ifc_factory import small_building
from tests.live import wait_for

FINAL = {"succeeded", "failed", "timed_out", "cancelled"}


class Scripts:
    """A user's view of the script API, through Django's test client (same database as
    the worker), with helpers to create a script, run it and wait for the end."""

    def __init__(self, user, project):
        self.user = user
        self.project = project
        self.client = api_client(user)

    def create(
        self,
        code: str,
        *,
        name: str = "test script",
        limits: dict | None = None,
        schema: dict | None = None,
        **fields,
    ) -> dict:
        body = {"name": name, "code": code, **fields}
        if limits is not None:
            body["limits"] = limits
        if schema is not None:
            body["parameters_schema"] = schema
        resp = self.client.post("/api/scripts/", body, format="json")
        assert resp.status_code == 201, resp.content
        return resp.json()

    def start(self, script, version_id: int, parameters: dict | None = None) -> dict:
        resp = self.client.post(
            "/api/executions/",
            {"script": script, "version": version_id, "parameters": parameters or {}},
            format="json",
        )
        assert resp.status_code == 201, resp.content
        return resp.json()

    def get(self, execution_id: int) -> dict:
        return self.client.get(f"/api/executions/{execution_id}/").json()

    def wait(self, execution_id: int, *, timeout: float = 120) -> dict:
        body = wait_for(
            lambda: (b := self.get(execution_id))["status"] in FINAL and b,
            timeout=timeout,
            interval=0.1,
            what=f"execution {execution_id} to end",
        )
        return body

    def run(
        self,
        code: str,
        version_id: int,
        *,
        parameters: dict | None = None,
        timeout: float = 120,
        **create,
    ) -> dict:
        script = self.create(code, **create)
        execution = self.start(script["id"], version_id, parameters)
        return self.wait(execution["id"], timeout=timeout)

    def logs(self, execution_id: int) -> list[dict]:
        rows, url = [], f"/api/executions/{execution_id}/logs/?page_size=1000"
        while url:
            data = self.client.get(url).json()
            rows += data["results"]
            url = data["next"]
        return rows

    def log_text(self, execution_id: int) -> str:
        resp = self.client.get(f"/api/executions/{execution_id}/logs.txt")
        assert resp.status_code == 200
        return b"".join(resp.streaming_content).decode()

    def findings(self, execution_id: int) -> list[dict]:
        rows, url = [], f"/api/executions/{execution_id}/findings/?page_size=1000"
        while url:
            data = self.client.get(url).json()
            rows += data["results"]
            url = data["next"]
        return rows

    def file(self, execution_id: int, name: str) -> bytes:
        resp = self.client.get(f"/api/executions/{execution_id}/files/{name}")
        assert resp.status_code == 200, resp
        return b"".join(resp.streaming_content)


@pytest.fixture
def scripts(personas) -> Scripts:
    """The project's coordinator, who may write and run scripts."""
    return Scripts(personas["coordinator"], personas["project"])


def upload_ready(client, project_id: int, path: Path, *, timeout: float = 180) -> int:
    """Upload through the API; the live worker ingests it; returns the ready version's id."""
    return upload_many(client, project_id, [path], timeout=timeout)[0]


def upload_many(client, project_id: int, paths: list[Path], *, timeout: float = 300) -> list[int]:
    """Upload several files at once (the worker ingests them in parallel); returns the
    ready versions' ids in the same order."""
    ids = []
    for path in paths:
        with open(path, "rb") as fh:
            resp = client.post(
                f"/api/projects/{project_id}/versions/", {"file": fh}, format="multipart"
            )
        assert resp.status_code == 201, (path.name, resp.content)
        ids.append(resp.json()["id"])
    deadline = time.monotonic() + timeout
    for path, version_id in zip(paths, ids, strict=True):
        body = wait_for(
            lambda version_id=version_id: (
                (b := client.get(f"/api/versions/{version_id}/").json())["status"]
                in ("ready", "failed")
                and b
            ),
            timeout=max(1.0, deadline - time.monotonic()),
            interval=0.2,
            what=f"ingest of {path.name}",
        )
        assert body["status"] == "ready", (path.name, body)
    return ids


@pytest.fixture
def small_version(personas, live_worker, tmp_path) -> tuple[int, dict]:
    """A small building (3 walls of a type, a storey) uploaded and ingested by the worker:
    (version id, its guids)."""
    path = tmp_path / "Small.ifc"
    guids = small_building(path, walls=3)
    return upload_ready(api_client(personas["coordinator"]), personas["project"].pk, path), guids


class HealthProbe:
    """Polls GET /api/health/ of a live web process in a thread, timing every answer."""

    def __init__(self, url: str, interval: float = 0.25):
        self.url = url.rstrip("/") + "/api/health/"
        self.interval = interval
        self.samples: list[tuple[float, int | None]] = []  # (seconds, status or None)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        session = requests.Session()
        while not self._stop.is_set():
            started = time.perf_counter()
            try:
                code = session.get(self.url, timeout=10).status_code
            except requests.RequestException:
                code = None
            self.samples.append((time.perf_counter() - started, code))
            self._stop.wait(self.interval)

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=15)

    @property
    def times(self) -> list[float]:
        return [t for t, _ in self.samples]

    def summary(self) -> str:
        times = sorted(self.times)
        if not times:
            return "no health calls"
        p95 = times[max(0, math.ceil(0.95 * len(times)) - 1)]  # nearest rank
        return (
            f"{len(times)} health calls: median {statistics.median(times) * 1000:.0f} ms, "
            f"p95 {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
        )


@contextmanager
def health_probe(url: str, interval: float = 0.25) -> Iterator[HealthProbe]:
    with HealthProbe(url, interval) as probe:
        yield probe


@pytest.fixture
def quiet_version(personas, tmp_path) -> int:
    """A ready version of a small building for tests that only use the API (no worker):
    in a test that is not transactional nothing is queued, so it is ingested here, and
    executions created on it stay queued."""
    from tests.conftest import ingest

    path = tmp_path / "Quiet.ifc"
    small_building(path, walls=2)
    client = api_client(personas["coordinator"])
    with open(path, "rb") as fh:
        resp = client.post(
            f"/api/projects/{personas['project'].pk}/versions/", {"file": fh}, format="multipart"
        )
    assert resp.status_code == 201, resp.content
    assert ingest(resp.json()["id"]).status == "ready"
    return resp.json()["id"]


@contextmanager
def consuming_paused(queues: list[str]):
    """Have the session worker stop taking tasks from `queues` (Celery remote control),
    so that the workers a test starts are the only ones that run them."""
    from bimflow.celery import app

    worker = f"session@{socket.gethostname()}"
    for queue in queues:
        replies = app.control.cancel_consumer(queue, destination=[worker], reply=True, timeout=10)
        assert replies, "the session worker did not answer"
    try:
        yield
    finally:
        for queue in queues:
            app.control.add_consumer(queue, destination=[worker], reply=True, timeout=10)
