"""Projects, models and versions: creating, uploading, deleting."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from bimflow.accounts.models import Membership, Role
from bimflow.core.errors import ServiceError
from bimflow.ifc.errors import IfcReadError
from bimflow.ifc.reader import sniff
from bimflow.projects import storage
from bimflow.projects.models import Model, ModelVersion, Project, VersionStatus

log = logging.getLogger(__name__)

ALLOWED_EXTENSIONS = (".ifc", ".ifczip", ".zip")


@transaction.atomic
def project_create(*, name: str, description: str = "", user) -> Project:
    """Create a project; its creator becomes its admin."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("A project needs a name.", field="name")
    project = Project.objects.create(name=name, description=description or "", created_by=user)
    Membership.objects.create(project=project, user=user, role=Role.ADMIN)
    return project


def project_delete(*, project: Project) -> None:
    """Delete a project with its models, versions, catalog, executions and every stored
    file (all of them live under `projects/<id>/`)."""
    pk = project.pk
    project.delete()
    storage.delete_tree(f"projects/{pk}")


def upload_limit_bytes() -> int:
    return settings.BIMFLOW_MAX_UPLOAD_MB * 1024 * 1024


def too_large_message() -> str:
    return f"The file is larger than the {settings.BIMFLOW_MAX_UPLOAD_MB} MB upload limit."


def version_create(
    *, project: Project, path: Path, file_name: str, model_name: str | None, user
) -> ModelVersion:
    """Store an uploaded file as the next version of a model and queue its ingest.

    1. Check the name, size and first bytes (a clear 400 for what is plainly not IFC).
    2. Hash it and refuse a file identical to the model's latest version (409).
    3. Move it into storage, then number the version inside a transaction.
    4. Queue the ingest once the transaction has committed.
    """
    file_name = storage.safe_file_name(file_name)
    if not file_name.lower().endswith(ALLOWED_EXTENSIONS):
        raise ServiceError(
            f"Only .ifc and .ifczip files can be uploaded; '{file_name}' is neither.",
            field="file",
        )
    size = path.stat().st_size
    if size > upload_limit_bytes():
        raise ServiceError(too_large_message(), status_code=413)
    try:
        sniff(path)
    except IfcReadError as exc:
        raise ServiceError(str(exc), field="file")

    model_name = (model_name or "").strip() or os.path.splitext(file_name)[0]
    if len(model_name) > 255:
        raise ServiceError("The model name is longer than 255 characters.", field="model")
    sha = storage.sha256_of(path)
    existing = Model.objects.filter(project=project, name=model_name).first()
    if existing is not None:
        latest = existing.versions.order_by("-number").first()
        if latest is not None and latest.sha256 == sha and latest.status != VersionStatus.FAILED:
            raise ServiceError(
                f"This file is identical to version {latest.number} of model "
                f"'{model_name}' (uploaded {latest.created_at:%Y-%m-%d %H:%M} UTC); "
                "nothing was changed.",
                status_code=409,
            )

    stored = storage.store_file(
        path=path, name=f"projects/{project.pk}/uploads/{storage.unique_dir()}/{file_name}"
    )
    try:
        version = _version_insert(
            project=project,
            model_name=model_name,
            stored=stored,
            file_name=file_name,
            size=size,
            sha=sha,
            user=user,
        )
    except Exception:
        storage.delete_quietly(stored)
        raise
    return version


def _version_insert(*, project, model_name, stored, file_name, size, sha, user) -> ModelVersion:
    from bimflow.projects.tasks import ingest_send

    for _attempt in range(5):
        try:
            with transaction.atomic():
                model, _ = Model.objects.get_or_create(project=project, name=model_name)
                number = (model.versions.aggregate(n=Max("number"))["n"] or 0) + 1
                version = ModelVersion.objects.create(
                    model=model,
                    number=number,
                    file=stored,
                    file_name=file_name,
                    file_size=size,
                    sha256=sha,
                    uploaded_by=user,
                )
                transaction.on_commit(lambda vid=version.pk: ingest_send(vid))
            return version
        except IntegrityError:
            # Two uploads to the same model raced for the same number: take the next.
            continue
    raise ServiceError("The model is being uploaded to by others; try again.", status_code=409)


def version_delete(*, version: ModelVersion) -> None:
    """Delete a version with its catalog rows, executions, data pack, file and results."""
    folder = storage.version_dir(version)
    version.delete()  # catalog rows and executions cascade
    storage.delete_tree(folder)
