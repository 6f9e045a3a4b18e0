"""Reading automation objects, with who may see what (non-members get 404)."""

from __future__ import annotations

from django.db.models import CharField, F, IntegerField, Q, QuerySet, Value
from django.http import Http404

from bimflow.accounts.permissions import require_role, visible_project_ids
from bimflow.automation.models import (
    ActivityEvent,
    BatchJob,
    FindingTracking,
    ResolvedFinding,
    Workflow,
    WorkflowRun,
)
from bimflow.projects.models import Model
from bimflow.scripting.models import ExecutionStatus, Finding


def _visible(qs: QuerySet, user) -> QuerySet:
    ids = visible_project_ids(user)
    return qs if ids is None else qs.filter(project_id__in=ids)


def _get(qs: QuerySet, pk: int, user):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404("Not found.")
    require_role(user, obj.project_id)
    return obj


def workflows_of_project(project_id: int) -> QuerySet[Workflow]:
    return (
        Workflow.objects.filter(project_id=project_id)
        .select_related("created_by", "periodic_task")
        .prefetch_related("steps__script")
        .order_by("name", "id")
    )


def workflow_get(user, workflow_id: int) -> Workflow:
    qs = Workflow.objects.select_related("created_by", "periodic_task").prefetch_related(
        "steps__script"
    )
    return _get(qs, workflow_id, user)


def runs_visible(user) -> QuerySet[WorkflowRun]:
    qs = WorkflowRun.objects.select_related(
        "workflow", "version__model", "triggered_by"
    ).prefetch_related("steps__script", "steps__execution")
    return _visible(qs, user)


def run_get(user, run_id: int) -> WorkflowRun:
    return _get(runs_visible(user), run_id, user)


def batch_get(user, batch_id: int) -> BatchJob:
    return _get(BatchJob.objects.select_related("script", "created_by"), batch_id, user)


def batches_of_project(project_id: int) -> QuerySet[BatchJob]:
    return BatchJob.objects.filter(project_id=project_id).select_related("script", "created_by")


def activity_of_project(project_id: int) -> QuerySet[ActivityEvent]:
    return ActivityEvent.objects.filter(project_id=project_id).select_related("actor")


# --- findings of a model across versions ------------------------------------------

FINDING_COLUMNS = [
    "row_id",
    "finding_ref",
    "state_value",
    "severity_value",
    "guid_value",
    "ifc_class_value",
    "rule_value",
    "message_value",
    "script_slug",
    "execution_id_value",
    "found_in",
    "version_id_value",
    "version_number",
]


def model_finding_runs(*, model: Model, version_number: int | None = None) -> list[int]:
    """The executions whose findings describe the model: per script, the latest
    succeeded run on the latest version that has one (or on `version_number`)."""
    qs = FindingTracking.objects.filter(
        model=model, execution__status=ExecutionStatus.SUCCEEDED
    ).order_by("script_id", "execution__version__number", "execution__finished_at", "id")
    if version_number is not None:
        qs = qs.filter(execution__version__number=version_number)
    latest: dict[int, int] = {}
    for script_id, execution_id in qs.values_list("script_id", "execution_id"):
        latest[script_id] = execution_id
    return list(latest.values())


def model_findings(
    *,
    model: Model,
    state: str | None = None,
    script: str | None = None,
    rule: str | None = None,
    severity: str | None = None,
    version_number: int | None = None,
) -> QuerySet:
    """The findings of the model's current runs with their states, and the findings
    those runs resolved (`resolved`, described by their last occurrence), as one
    queryset of dicts (a UNION, so that it pages in the database)."""
    runs = model_finding_runs(model=model, version_number=version_number)
    return runs_findings(runs=runs, state=state, script=script, rule=rule, severity=severity)


def finding_halves(
    *,
    runs: list[int],
    state: str | None = None,
    script: str | None = None,
    rule: str | None = None,
    severity: str | None = None,
    text: str | None = None,
    guid: str | None = None,
) -> tuple[QuerySet | None, QuerySet | None]:
    """The filtered findings of the given executions, and the filtered findings they
    resolved (ResolvedFinding rows); None for a half the state filter leaves out.
    `text` matches the message, GUID or class (case-insensitive)."""
    # No default ordering in the halves: SQL allows ORDER BY only on a whole UNION.
    current = Finding.objects.filter(execution_id__in=runs).order_by()
    gone = ResolvedFinding.objects.filter(execution_id__in=runs).order_by()
    if script:
        key = "execution__script_id" if script.isdigit() else "execution__script__slug"
        current = current.filter(**{key: int(script) if script.isdigit() else script})
        gone = gone.filter(**{key: int(script) if script.isdigit() else script})
    if rule is not None and rule != "":
        current, gone = current.filter(rule=rule), gone.filter(finding__rule=rule)
    if severity:
        levels = severity.split(",")
        current = current.filter(severity__in=levels)
        gone = gone.filter(finding__severity__in=levels)
    if guid:
        current, gone = current.filter(guid=guid), gone.filter(finding__guid=guid)
    if text:
        current = current.filter(
            Q(message__icontains=text) | Q(guid__icontains=text) | Q(ifc_class__icontains=text)
        )
        gone = gone.filter(
            Q(finding__message__icontains=text)
            | Q(finding__guid__icontains=text)
            | Q(finding__ifc_class__icontains=text)
        )
    states = set(state.split(",")) if state else {"new", "open", "reopened", "resolved"}
    kept = states - {"resolved"}
    if kept != {"new", "open", "reopened"}:
        current = current.filter(state__in=kept)
    return (current if kept else None), (gone if "resolved" in states else None)


def runs_findings(
    *,
    runs: list[int],
    state: str | None = None,
    script: str | None = None,
    rule: str | None = None,
    severity: str | None = None,
    text: str | None = None,
    guid: str | None = None,
) -> QuerySet:
    """The findings of the given executions and those they resolved (see
    `model_findings` and `finding_halves`) as one queryset of dicts, ordered by
    script, rule and GUID."""
    current, gone = finding_halves(
        runs=runs, state=state, script=script, rule=rule, severity=severity, text=text, guid=guid
    )
    if current is not None:
        current = current.annotate(
            row_id=F("id"),
            finding_ref=F("id"),
            state_value=F("state"),
            severity_value=F("severity"),
            guid_value=F("guid"),
            ifc_class_value=F("ifc_class"),
            rule_value=F("rule"),
            message_value=F("message"),
            script_slug=F("execution__script__slug"),
            execution_id_value=F("execution_id"),
            found_in=F("execution_id"),
            version_id_value=F("execution__version_id"),
            version_number=F("execution__version__number"),
        ).values(*FINDING_COLUMNS)
    if gone is not None:
        gone = gone.annotate(
            # Negative ids keep the rows of both halves distinct for ordering and paging.
            row_id=Value(0, output_field=IntegerField()) - F("id"),
            finding_ref=F("finding_id"),
            state_value=Value("resolved", output_field=CharField()),
            severity_value=F("finding__severity"),
            guid_value=F("finding__guid"),
            ifc_class_value=F("finding__ifc_class"),
            rule_value=F("finding__rule"),
            message_value=F("finding__message"),
            script_slug=F("execution__script__slug"),
            execution_id_value=F("execution_id"),
            found_in=F("finding__execution_id"),
            version_id_value=F("execution__version_id"),
            version_number=F("execution__version__number"),
        ).values(*FINDING_COLUMNS)
    if current is None:
        qs = gone
    elif gone is not None:
        qs = current.union(gone, all=True)
    else:
        qs = current
    return qs.order_by("script_slug", "rule_value", "guid_value", "row_id")
