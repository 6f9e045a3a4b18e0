"""Batch jobs: one script over many versions, the progress counts and result matrix,
cancelling, and the summary as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from bimflow.accounts.models import Role
from bimflow.accounts.permissions import require_role
from bimflow.automation.models import (
    ActivityKind,
    BatchItem,
    BatchJob,
    BatchStatus,
    VersionSelection,
)
from bimflow.automation.selection import model_filter_check, versions_select
from bimflow.automation.services.activity import event_record, notify
from bimflow.core.errors import ServiceError
from bimflow.projects.models import ModelVersion, Project, VersionStatus
from bimflow.scripting.models import Execution, ExecutionStatus, Finding, Script
from bimflow.scripting.services import execution_cancel, execution_create
from bimflow.scripting.tasks import executions_send_group

ACTIVE = (ExecutionStatus.QUEUED, ExecutionStatus.RUNNING)
SEVERITIES = ("error", "warning", "info")


def _versions(project: Project, model_filter: str, versions) -> tuple[str, list, list]:
    """(selection kind, explicit ids, the ready versions) for a batch request."""
    if isinstance(versions, list):
        if not versions or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in versions
        ):
            raise ServiceError(
                'Give "versions" as "latest", "all" or a list of version ids.', field="versions"
            )
        ids = list(dict.fromkeys(versions))
        found = {
            v.pk: v
            for v in ModelVersion.objects.select_related("model").filter(
                pk__in=ids, model__project=project
            )
        }
        missing = [i for i in ids if i not in found]
        if missing:
            raise ServiceError(
                f"These versions are not in this project: {', '.join(map(str, missing))}.",
                field="versions",
            )
        not_ready = [found[i] for i in ids if found[i].status != VersionStatus.READY]
        if not_ready:
            raise ServiceError(
                "Scripts run on ready versions; not ready: "
                + ", ".join(f"'{v.model.name}' v{v.number} ({v.status})" for v in not_ready)
                + ".",
                field="versions",
            )
        return VersionSelection.EXPLICIT, ids, [found[i] for i in ids]
    kind = versions or VersionSelection.LATEST
    if kind not in (VersionSelection.LATEST, VersionSelection.ALL):
        raise ServiceError(
            'Give "versions" as "latest", "all" or a list of version ids.', field="versions"
        )
    selected = versions_select(
        project_id=project.pk, model_filter=model_filter, latest_only=kind == "latest"
    )
    return kind, [], selected


@transaction.atomic
def batch_create(
    *,
    project: Project,
    user,
    script: Script,
    parameters: dict | None = None,
    model_filter: str = "*",
    versions="latest",
) -> BatchJob:
    """Queue one execution of `script` per selected ready version.

    Each execution is created (and validated) like a single run, in one transaction:
    if one is refused (parameters, a version not ready) nothing is queued. Every
    execution is sent when the transaction commits, all of them as one Celery group (the
    fan-out); if the broker is down they stay undispatched and the reaper re-sends them."""
    require_role(user, project.pk, Role.COORDINATOR)
    model_filter = model_filter_check(model_filter)
    kind, ids, selected = _versions(project, model_filter, versions)
    if not selected:
        raise ServiceError(
            f"No model matching '{model_filter}' has a ready version to run on.",
            field="versions",
        )
    limit = settings.BIMFLOW_MAX_BATCH_VERSIONS
    if len(selected) > limit:
        raise ServiceError(
            f"A batch covers at most {limit} versions; {len(selected)} were selected. "
            "Narrow the model filter.",
            field="versions",
        )
    batch = BatchJob.objects.create(
        project=project,
        script=script,
        parameters=parameters or {},
        model_filter=model_filter,
        versions=kind,
        version_ids=ids,
        created_by=user,
    )
    execution_ids = []
    for version in selected:
        execution = execution_create(
            script=script,
            version=version,
            parameters=parameters,
            user=user,
            enforce_user_limit=False,
            dispatch=False,
        )
        execution_ids.append(execution.pk)
        BatchItem.objects.create(batch=batch, version=version, execution=execution)
    transaction.on_commit(lambda: executions_send_group(execution_ids))
    if batch.parameters != execution.parameters:
        batch.parameters = execution.parameters  # with the schema's defaults filled in
        batch.save(update_fields=["parameters"])
    return batch


def batch_counts(batch: BatchJob) -> dict:
    """total, queued, running, done (succeeded), failed (failed or timed out),
    cancelled, finished (all that ended)."""
    rows = dict(
        Execution.objects.filter(batch_item__batch=batch)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    counts = {
        "total": sum(rows.values()),
        "queued": rows.get(ExecutionStatus.QUEUED, 0),
        "running": rows.get(ExecutionStatus.RUNNING, 0),
        "done": rows.get(ExecutionStatus.SUCCEEDED, 0),
        "failed": rows.get(ExecutionStatus.FAILED, 0) + rows.get(ExecutionStatus.TIMED_OUT, 0),
        "cancelled": rows.get(ExecutionStatus.CANCELLED, 0),
    }
    counts["finished"] = counts["total"] - counts["queued"] - counts["running"]
    return counts


def batch_matrix(batch: BatchJob) -> list[dict]:
    """One row per version: model, version number, status, findings by severity,
    duration; ordered by model name and version number."""
    items = list(
        BatchItem.objects.filter(batch=batch)
        .select_related("version__model", "execution")
        .order_by("version__model__name", "version__model_id", "version__number")
    )
    by_severity: dict[int, dict[str, int]] = defaultdict(dict)
    for execution_id, severity, n in (
        Finding.objects.filter(execution__batch_item__batch=batch)
        .values_list("execution_id", "severity")
        .annotate(n=Count("id"))
        .values_list("execution_id", "severity", "n")
    ):
        by_severity[execution_id][severity] = n
    rows = []
    for item in items:
        ex = item.execution
        findings = {s: by_severity[ex.pk].get(s, 0) for s in SEVERITIES}
        rows.append(
            {
                "model": item.version.model.name,
                "model_id": item.version.model_id,
                "version": item.version_id,
                "version_number": item.version.number,
                "execution": ex.pk,
                "status": ex.status,
                "findings": findings,
                "findings_total": sum(findings.values()),
                "duration_ms": ex.duration_ms,
                "error": ex.error,
            }
        )
    return rows


def batch_refresh(*, batch_id: int) -> BatchJob | None:
    """End a running batch once none of its executions is queued or running: succeeded
    when all succeeded, else `failed` (finished with failures). Called when one of its
    executions finished, and when the batch is read (in case a signal was missed)."""
    batch = BatchJob.objects.filter(pk=batch_id).select_related("script", "created_by").first()
    if batch is None or batch.status != BatchStatus.RUNNING:
        return batch
    counts = batch_counts(batch)
    if counts["queued"] or counts["running"]:
        return batch
    status = BatchStatus.SUCCEEDED if counts["done"] == counts["total"] else BatchStatus.FAILED
    ended = BatchJob.objects.filter(pk=batch_id, status=BatchStatus.RUNNING).update(
        status=status, finished_at=timezone.now()
    )
    if ended:
        _batch_finished(batch, status, counts)
        batch.refresh_from_db()
    return batch


def _batch_finished(batch: BatchJob, status: str, counts: dict) -> None:
    script = batch.script.slug if batch.script else "a deleted script"
    text = (
        f"Batch {batch.pk} ({script}) {status}: {counts['done']} of {counts['total']} "
        f"succeeded, {counts['failed']} failed, {counts['cancelled']} cancelled."
    )
    event_record(
        project_id=batch.project_id,
        kind=ActivityKind.BATCH,
        status=status,
        actor=batch.created_by,
        message=text,
        batch=batch.pk,
    )
    if status == BatchStatus.FAILED:
        notify(
            users=[batch.created_by],
            project_id=batch.project_id,
            kind=ActivityKind.BATCH,
            message=text,
            batch=batch.pk,
        )


def batch_on_execution_finished(*, execution_id: int) -> None:
    item = BatchItem.objects.filter(execution_id=execution_id).only("batch_id").first()
    if item is not None:
        batch_refresh(batch_id=item.batch_id)


def batch_cancel(*, batch: BatchJob, user) -> BatchJob:
    """Cancel every queued and running execution of the batch (queued ones at once,
    running ones are killed by their worker within a second or so)."""
    require_role(user, batch.project_id, Role.COORDINATOR)
    if batch.status != BatchStatus.RUNNING:
        raise ServiceError(f"This batch already ended ({batch.status}).", status_code=409)
    active = Execution.objects.filter(batch_item__batch=batch, status__in=ACTIVE)
    for execution in active:
        try:
            execution_cancel(execution=execution, user=user)
        except ServiceError:
            pass  # it ended meanwhile
    ended = BatchJob.objects.filter(pk=batch.pk, status=BatchStatus.RUNNING).update(
        status=BatchStatus.CANCELLED, finished_at=timezone.now()
    )
    batch.refresh_from_db()
    if ended:
        _batch_finished(batch, BatchStatus.CANCELLED, batch_counts(batch))
    return batch


SUMMARY_COLUMNS = [
    "model",
    "version",
    "status",
    "errors",
    "warnings",
    "infos",
    "findings",
    "duration_s",
    "execution",
    "error",
]


def summary_rows(batch: BatchJob) -> list[list]:
    rows = []
    for r in batch_matrix(batch):
        f = r["findings"]
        rows.append(
            [
                r["model"],
                r["version_number"],
                r["status"],
                f["error"],
                f["warning"],
                f["info"],
                r["findings_total"],
                round(r["duration_ms"] / 1000, 3) if r["duration_ms"] is not None else None,
                r["execution"],
                r["error"],
            ]
        )
    return rows


def summary_csv(batch: BatchJob) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SUMMARY_COLUMNS)
    writer.writerows(summary_rows(batch))
    return out.getvalue()


def summary_xlsx(batch: BatchJob) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = f"Batch {batch.pk}"
    ws.append(SUMMARY_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in summary_rows(batch):
        ws.append(row)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def batch_preview(*, project: Project, model_filter: str = "*", versions="latest") -> list:
    """The ready versions a batch with this selection would run on (what `batch_create`
    would queue), so that people see them before starting it."""
    model_filter = model_filter_check(model_filter)
    _, _, selected = _versions(project, model_filter, versions)
    return selected
