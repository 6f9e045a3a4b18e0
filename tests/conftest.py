"""Shared fixtures: personas for permission tests, API clients, the real IFC models."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from bimflow.ifc.testing import shared_data_dir

REPO = Path(__file__).resolve().parent.parent
DATA = shared_data_dir()
IFC_DIR = DATA / "ifc"
IN_CI = os.environ.get("CI", "").lower() == "true"


def shared_model(name: str) -> Path:
    path = IFC_DIR / name
    if not path.exists():
        if IN_CI:
            pytest.fail(f"Shared test model {path} is missing (set BIMFLOW_TEST_DATA)")
        pytest.skip(f"Shared test model {path} is missing (set BIMFLOW_TEST_DATA)")
    return path


def require_data() -> None:
    """Skip on a laptop without the shared models; fail in CI, where they must be there."""
    if not IFC_DIR.is_dir():
        if IN_CI:
            pytest.fail(f"The shared test models are missing ({IFC_DIR}; set BIMFLOW_TEST_DATA)")
        pytest.skip(f"The shared test models are missing ({IFC_DIR}; set BIMFLOW_TEST_DATA)")


def shared_models() -> list[Path]:
    """Every real model in the shared data, the broken LFS pointer included."""
    if not IFC_DIR.exists():
        return []
    return sorted(p for p in IFC_DIR.iterdir() if p.suffix.lower() in (".ifc", ".ifczip"))


def require_service(ok: bool, what: str) -> None:
    """Skip on a laptop without `what`; fail in CI, where every service must run."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"{what} is not available, and CI=true requires it")
    pytest.skip(f"{what} is not available on this machine")


def api_client(user) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def server_password(user, password: str = "pw-12345678") -> str:
    """Give `user` a password that a server process (real settings) can check."""
    from django.contrib.auth.hashers import make_password

    user.password = make_password(password, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    return password


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, **kwargs):
        return django_user_model.objects.create_user(
            username, f"{username}@example.com", "pw-12345678", **kwargs
        )

    return make


@pytest.fixture
def personas(db, make_user):
    """A project with an admin (its creator), a coordinator, a viewer; and an outsider."""
    from bimflow.accounts.services import membership_add
    from bimflow.projects.services import project_create

    admin = make_user("alice")
    coordinator = make_user("carol")
    viewer = make_user("victor")
    outsider = make_user("oscar")
    project = project_create(name="Tower A", description="", user=admin)
    membership_add(project_id=project.pk, user_id=coordinator.pk, role="coordinator")
    membership_add(project_id=project.pk, user_id=viewer.pk, role="viewer")
    return {
        "project": project,
        "admin": admin,
        "coordinator": coordinator,
        "viewer": viewer,
        "outsider": outsider,
    }


@pytest.fixture
def upload(tmp_path):
    """Upload a file through the API; returns the response."""

    def do(
        client: APIClient,
        project_id: int,
        path: Path,
        *,
        model: str | None = None,
        name: str | None = None,
    ):
        with open(path, "rb") as fh:
            data = {"file": fh}
            if model:
                data["model"] = model
            if name:
                from django.core.files.uploadedfile import SimpleUploadedFile

                data["file"] = SimpleUploadedFile(name, path.read_bytes())
            return client.post(f"/api/projects/{project_id}/versions/", data, format="multipart")

    return do


def ingest(version_id: int):
    """Run the real ingest of a version in this process (what the worker task calls)."""
    from bimflow.projects.ingest import version_ingest
    from bimflow.projects.models import ModelVersion

    version_ingest(version_id=version_id)
    return ModelVersion.objects.get(pk=version_id)


@pytest.fixture(scope="session")
def log_dir():
    from django.conf import settings

    path = settings.DATA_DIR / "test-logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def live_worker(django_db_setup, django_db_blocker, log_dir):
    """A real `bimflow worker` process (Celery, filesystem broker) on the test database."""
    from tests.live import start_worker

    proc = start_worker(log_dir, name="session")
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def live_web(django_db_setup, log_dir):
    """A real `bimflow web` process (uvicorn, ASGI) on the test database; yields its URL."""
    from tests.live import start_web

    proc, url = start_web(log_dir)
    yield url
    proc.stop()


@pytest.fixture
def shared_data():
    """For tests that need the shared models (see require_data)."""
    require_data()
    return IFC_DIR
