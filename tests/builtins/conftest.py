"""Helpers for the built-in library tests: everything goes through the API and a real
worker process (upload, ingest, execution in the sandbox), as a user's run would."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import api_client
from tests.live import wait_for

FINAL = {"succeeded", "failed", "timed_out", "cancelled"}


class Workspace:
    """A project with a coordinator's API client, on the session's live worker."""

    def __init__(self, personas, tmp_path: Path):
        self.personas = personas
        self.project = personas["project"]
        self.client = api_client(personas["coordinator"])
        self.tmp = tmp_path

    def upload_version(self, path: Path, *, model: str | None = None) -> int:
        with open(path, "rb") as fh:
            data = {"file": fh}
            if model:
                data["model"] = model
            resp = self.client.post(
                f"/api/projects/{self.project.pk}/versions/", data, format="multipart"
            )
        assert resp.status_code == 201, resp.content
        return resp.json()["id"]

    def wait_ready(self, *version_ids: int) -> None:
        for vid in version_ids:
            body = wait_for(
                lambda vid=vid: (
                    b
                    if (b := self.client.get(f"/api/versions/{vid}/").json())["status"]
                    in ("ready", "failed")
                    else None
                ),
                timeout=300,
                interval=0.3,
                what=f"ingest of version {vid}",
            )
            assert body["status"] == "ready", body

    def version(self, path: Path, *, model: str | None = None) -> int:
        vid = self.upload_version(path, model=model)
        self.wait_ready(vid)
        return vid

    def upload_file(self, path: Path, kind: str, *, project_id: int | None = None, client=None):
        with open(path, "rb") as fh:
            return (client or self.client).post(
                f"/api/projects/{project_id or self.project.pk}/files/",
                {"file": fh, "kind": kind},
                format="multipart",
            )

    def file_id(self, path: Path, kind: str = "ids") -> int:
        resp = self.upload_file(path, kind)
        assert resp.status_code == 201, resp.content
        return resp.json()["id"]

    def start(self, slug: str, version_id: int, parameters: dict):
        return self.client.post(
            "/api/executions/",
            {"script": slug, "version": version_id, "parameters": parameters},
            format="json",
        )

    def wait(self, execution_id: int, *, timeout: float = 300) -> dict:
        body = wait_for(
            lambda: (
                b
                if (b := self.client.get(f"/api/executions/{execution_id}/").json())["status"]
                in FINAL
                else None
            ),
            timeout=timeout,
            interval=0.3,
            what=f"execution {execution_id}",
        )
        if body["status"] != "succeeded":
            resp = self.client.get(f"/api/executions/{execution_id}/logs.txt")
            logs = b"".join(resp.streaming_content).decode(errors="replace")
            raise AssertionError(f"{body['status']}: {body.get('error')}\n{logs[-4000:]}")
        return body

    def run(self, slug: str, version_id: int, parameters: dict, *, timeout: float = 300) -> dict:
        resp = self.start(slug, version_id, parameters)
        assert resp.status_code == 201, resp.content
        return self.wait(resp.json()["id"], timeout=timeout)

    def findings(self, execution_id: int) -> list[dict]:
        rows, page = [], 1
        while True:
            body = self.client.get(
                f"/api/executions/{execution_id}/findings/?page_size=1000&page={page}"
            ).json()
            rows += body["results"]
            if not body.get("next"):
                return rows
            page += 1

    def fetch(self, execution_id: int, name: str) -> Path:
        resp = self.client.get(f"/api/executions/{execution_id}/files/{name}")
        assert resp.status_code == 200, (name, resp.status_code)
        target = self.tmp / f"{execution_id}-{name}"
        target.write_bytes(b"".join(resp.streaming_content))
        return target


@pytest.fixture
def workspace(personas, live_worker, tmp_path) -> Workspace:
    return Workspace(personas, tmp_path)
