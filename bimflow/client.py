"""A small HTTP client of the bimflow API for the CLI (upload, run, batch)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import requests
from requests_toolbelt import MultipartEncoder, MultipartEncoderMonitor


class ApiError(Exception):
    """An API answer that is not a success, with the server's message."""


def _message(resp: requests.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return f"HTTP {resp.status_code}: {resp.text[:200]}"
    if isinstance(data, dict):
        if "detail" in data:
            return str(data["detail"])
        return "; ".join(
            f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in data.items()
        )
    return str(data)


class Client:
    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 30,
    ):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        if not token and user:
            resp = self.session.post(
                f"{self.url}/api/auth/token/",
                json={"username": user, "password": password or ""},
                timeout=timeout,
            )
            self._check(resp)
            token = resp.json()["token"]
        if not token:
            raise ApiError(
                "No credentials: set BIMFLOW_TOKEN (or pass --token), or --user and --password."
            )
        self.session.headers["Authorization"] = f"Token {token}"

    @classmethod
    def from_options(cls, url, token, user, password) -> Client:
        return cls(
            url or os.environ.get("BIMFLOW_URL", "http://127.0.0.1:8000"),
            token=token or os.environ.get("BIMFLOW_TOKEN"),
            user=user or os.environ.get("BIMFLOW_USER"),
            password=password or os.environ.get("BIMFLOW_PASSWORD"),
        )

    @staticmethod
    def _check(resp: requests.Response) -> requests.Response:
        if resp.status_code >= 400:
            raise ApiError(_message(resp))
        return resp

    def get(self, path: str, **params):
        return self._check(
            self.session.get(f"{self.url}{path}", params=params, timeout=self.timeout)
        ).json()

    def post(self, path: str, json: dict | None = None):
        return self._check(
            self.session.post(f"{self.url}{path}", json=json or {}, timeout=self.timeout)
        ).json()

    def project_id(self, project: str) -> int:
        """A project id from an id or an exact name."""
        if project.isdigit():
            return int(project)
        page, matches = 1, []
        while True:
            data = self.get("/api/projects/", page=page, page_size=1000)
            matches += [p for p in data["results"] if p["name"] == project]
            if not data.get("next"):
                break
            page += 1
        if not matches:
            raise ApiError(f"You have no project named {project!r}.")
        if len(matches) > 1:
            raise ApiError(f"Several projects are named {project!r}; give its id.")
        return matches[0]["id"]

    def upload(self, project_id: int, path: Path, *, model: str | None, on_progress) -> dict:
        """Upload one file, calling on_progress(bytes_sent, total) as it streams."""
        with open(path, "rb") as fh:
            fields = {"file": (path.name, fh, "application/octet-stream")}
            if model:
                fields["model"] = model
            encoder = MultipartEncoder(fields=fields)
            monitor = MultipartEncoderMonitor(encoder, lambda m: on_progress(m.bytes_read, m.len))
            resp = self.session.post(
                f"{self.url}/api/projects/{project_id}/versions/",
                data=monitor,
                headers={"Content-Type": monitor.content_type},
                timeout=None,
            )
        return self._check(resp).json()

    def events(self, execution_id: int) -> Iterator[tuple[str, dict]]:
        """Follow an execution's Server-Sent Events until it ends, reconnecting with
        Last-Event-ID if the connection drops."""
        import json

        last_id = "0"
        while True:
            try:
                with self.session.get(
                    f"{self.url}/api/executions/{execution_id}/events/",
                    headers={"Last-Event-ID": last_id, "Accept": "text/event-stream"},
                    stream=True,
                    timeout=(self.timeout, 60),
                ) as resp:
                    self._check(resp)
                    event, data = "message", []
                    for raw in resp.iter_lines(decode_unicode=True):
                        if raw == "":
                            if data:
                                payload = json.loads("\n".join(data))
                                yield event, payload
                                if event == "end":
                                    return
                            event, data = "message", []
                        elif raw.startswith("id:"):
                            last_id = raw[3:].strip()
                        elif raw.startswith("event:"):
                            event = raw[6:].strip()
                        elif raw.startswith("data:"):
                            data.append(raw[5:].lstrip())
            except requests.ConnectionError:
                time.sleep(1)

    def wait_version(self, version_id: int, *, poll: float = 1.0) -> Iterator[dict]:
        """Yield the version as it changes until it is ready or failed."""
        while True:
            v = self.get(f"/api/versions/{version_id}/")
            yield v
            if v["status"] in ("ready", "failed"):
                return
            time.sleep(poll)

    def batch_create(
        self, project_id: int, script: str, *, model_filter: str, versions, parameters: dict
    ) -> dict:
        return self.post(
            f"/api/projects/{project_id}/batches/",
            {
                "script": script,
                "model_filter": model_filter,
                "versions": versions,
                "parameters": parameters,
            },
        )

    def wait_batch(self, batch_id: int, *, poll: float = 1.0) -> Iterator[dict]:
        """Yield the batch (with its counts and matrix) as it runs, until it ended."""
        while True:
            batch = self.get(f"/api/batches/{batch_id}/")
            yield batch
            if batch["status"] != "running":
                return
            time.sleep(poll)
