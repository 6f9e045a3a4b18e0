"""The demo set-up that `bimflow demo` (and `make run`) creates: idempotent."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from bimflow.accounts.models import Membership, Role
from bimflow.projects.models import Project
from bimflow.projects.services import project_create, version_create

DEMO_PROJECT = "Demo project"
DEMO_MODEL = "Demo building"


def _credentials() -> tuple[Path, dict]:
    path = settings.DATA_DIR / "credentials.json"
    if path.exists():
        return path, json.loads(path.read_text())
    creds = {
        "admin_user": "admin",
        "admin_password": os.environ.get("BIMFLOW_ADMIN_PASSWORD") or secrets.token_urlsafe(12),
        "demo_user": "demo",
        "demo_password": os.environ.get("BIMFLOW_DEMO_PASSWORD") or secrets.token_urlsafe(12),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(creds, fh, indent=2)
    return path, creds


def _user(username: str, password: str, *, superuser: bool):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        if superuser:
            user = User.objects.create_superuser(username, f"{username}@example.com", password)
        else:
            user = User.objects.create_user(username, f"{username}@example.com", password)
    return user


def demo_setup(*, products: int = 600) -> dict:
    """Admin and demo users, the demo project, and a generated building uploaded as its
    first model version (ingested by the worker)."""
    from bimflow.ifc.generator import generate_building

    path, creds = _credentials()
    with transaction.atomic():
        admin = _user(creds["admin_user"], creds["admin_password"], superuser=True)
        demo = _user(creds["demo_user"], creds["demo_password"], superuser=False)
        project = Project.objects.filter(name=DEMO_PROJECT, created_by=admin).first()
        if project is None:
            project = project_create(
                name=DEMO_PROJECT,
                description="A generated building to explore bimflow with.",
                user=admin,
            )
        Membership.objects.get_or_create(
            project=project, user=demo, defaults={"role": Role.COORDINATOR}
        )
    if not project.models.filter(name=DEMO_MODEL).exists():
        ifc = settings.DATA_DIR / "demo" / "demo-building.ifc"
        ifc.parent.mkdir(parents=True, exist_ok=True)
        generate_building(ifc, products=products, seed=1)
        version_create(
            project=project, path=ifc, file_name=ifc.name, model_name=DEMO_MODEL, user=admin
        )
    return {
        **creds,
        "project": project.name,
        "project_id": project.pk,
        "credentials_file": str(path),
    }
