"""`make run` on a fresh clone (no .venv, no var/) ends with the server answering and the
demo project holding a ready version; Ctrl-C then stops every process."""

import json
import os
import signal
import subprocess
import time

import pytest
import requests

from tests.conftest import REPO
from tests.live import free_port

pytestmark = pytest.mark.slow


def test_make_run_on_a_fresh_clone(tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BIMFLOW_", "DATABASE_URL", "CELERY_", "DJANGO_", "VIRTUAL_ENV"))
    }
    log = open(tmp_path / "make-run.log", "wb")
    proc = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=clone,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 900
        health = None
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "make-run.log").read_text()[-3000:]
            try:
                health = requests.get(f"{url}/api/health/", timeout=2).json()
                break
            except requests.RequestException:
                time.sleep(1)
        assert health and health["database"] == "ok", health
        creds = json.loads((clone / "var" / "credentials.json").read_text())
        output = (tmp_path / "make-run.log").read_text()
        assert f"Admin login:  admin / {creds['admin_password']}" in output
        token = requests.post(
            f"{url}/api/auth/token/",
            json={"username": "demo", "password": creds["demo_password"]},
            timeout=10,
        ).json()["token"]
        s = requests.Session()
        s.headers["Authorization"] = f"Token {token}"
        projects = s.get(f"{url}/api/projects/").json()["results"]
        demo = next(p for p in projects if p["name"] == "Demo project")
        status = None
        while time.monotonic() < deadline:
            models = s.get(f"{url}/api/projects/{demo['id']}/models/").json()
            status = models[0]["latest_version"]["status"] if models else None
            if status in ("ready", "failed"):
                break
            time.sleep(1)
        assert status == "ready", models
        assert s.get(f"{url}/").status_code == 200
    finally:
        # Ctrl-C in a terminal reaches the whole foreground process group.
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        log.close()
    time.sleep(1)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/api/health/", timeout=2)
    left = subprocess.run(["pgrep", "-f", str(clone)], capture_output=True, text=True).stdout
    assert left.strip() == "", f"processes left behind: {left}"
