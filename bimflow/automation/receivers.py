"""What automation does when the lower apps announce something (their signals); no
receiver may break the sender, so each one logs its own errors."""

from __future__ import annotations

import functools
import logging

from django.db import transaction

from bimflow.automation.models import ActivityKind, BatchItem, WorkflowRunStep
from bimflow.automation.services.activity import event_record, notify
from bimflow.projects.models import ModelVersion

log = logging.getLogger(__name__)


def _safe(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            fn(*args, **kwargs)
        except Exception:
            log.exception("Automation could not handle %s", fn.__name__)

    return wrapper


def _version(version_id: int) -> ModelVersion | None:
    return ModelVersion.objects.select_related("model", "uploaded_by").filter(pk=version_id).first()


@_safe
def on_version_saved(sender, instance, created, raw=False, **kwargs):
    """A new version row is an upload (projects sends no signal of its own for it)."""
    if not created or raw:
        return
    version_id = instance.pk

    @_safe
    def record():
        v = _version(version_id)
        if v is not None:
            event_record(
                project_id=v.model.project_id,
                kind=ActivityKind.UPLOAD,
                actor=v.uploaded_by,
                message=f"{_who(v.uploaded_by)} uploaded '{v.file_name}' as version {v.number} "
                f"of '{v.model.name}'.",
                version=v.pk,
                model=v.model_id,
            )

    transaction.on_commit(record)


def _who(user) -> str:
    return user.username if user else "Someone"


@_safe
def on_version_ready(sender, version_id, **kwargs):
    from bimflow.automation.services.runs import workflows_on_version_ready

    v = _version(version_id)
    if v is None:
        return
    event_record(
        project_id=v.model.project_id,
        kind=ActivityKind.VERSION_READY,
        status="ready",
        actor=v.uploaded_by,
        message=f"Version {v.number} of '{v.model.name}' is ready "
        f"({v.element_count or 0} elements).",
        version=v.pk,
        model=v.model_id,
    )
    workflows_on_version_ready(version_id=version_id)


@_safe
def on_version_failed(sender, version_id, error="", **kwargs):
    v = _version(version_id)
    if v is None:
        return
    event_record(
        project_id=v.model.project_id,
        kind=ActivityKind.VERSION_FAILED,
        status="failed",
        actor=v.uploaded_by,
        message=f"Version {v.number} of '{v.model.name}' could not be read: {error}",
        version=v.pk,
        model=v.model_id,
    )
    notify(
        users=[v.uploaded_by],
        project_id=v.model.project_id,
        kind=ActivityKind.VERSION_FAILED,
        message=f"Your upload '{v.file_name}' (version {v.number} of '{v.model.name}') "
        f"could not be read: {error}",
        version=v.pk,
    )


@_safe
def on_execution_finished(sender, execution_id, **kwargs):
    from bimflow.automation.services.batches import batch_on_execution_finished
    from bimflow.automation.tasks import track_findings

    track_findings.delay(execution_id)
    batch_on_execution_finished(execution_id=execution_id)
    _execution_activity(execution_id)


def _execution_activity(execution_id: int) -> None:
    """A line in the feed for each execution outside batches (a batch reports once,
    when it ends); a failed one notifies whoever started it, unless it was a workflow
    step (the run's own notification covers it)."""
    from bimflow.scripting.models import Execution, ExecutionStatus

    ex = (
        Execution.objects.select_related("script", "version__model", "triggered_by")
        .filter(pk=execution_id)
        .first()
    )
    if ex is None or BatchItem.objects.filter(execution_id=execution_id).exists():
        return
    where = f"{ex.script.slug} on '{ex.version.model.name}' v{ex.version.number}"
    if ex.status == ExecutionStatus.SUCCEEDED:
        text = f"{where}: succeeded with {ex.findings_count} findings."
    else:
        text = f"{where}: {ex.status.replace('_', ' ')}" + (f" ({ex.error})" if ex.error else ".")
    ids = {"execution": ex.pk, "version": ex.version_id, "model": ex.version.model_id}
    event_record(
        project_id=ex.project_id,
        kind=ActivityKind.EXECUTION,
        status=ex.status,
        actor=ex.triggered_by,
        message=text,
        **ids,
    )
    in_workflow = WorkflowRunStep.objects.filter(execution_id=execution_id).exists()
    if ex.status in (ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT) and not in_workflow:
        notify(
            users=[ex.triggered_by],
            project_id=ex.project_id,
            kind=ActivityKind.EXECUTION,
            message=text,
            **ids,
        )


@_safe
def on_post_migrate(sender, **kwargs):
    from bimflow.automation.services.tools import tools_sync

    tools_sync()
