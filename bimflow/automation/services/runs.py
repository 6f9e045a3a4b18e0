"""Workflow runs: firing (on upload, on schedule, by hand, backfill), the rate limit,
the steps as a Celery chain, and how a run ends."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from rest_framework.exceptions import PermissionDenied

from bimflow.accounts.models import Role
from bimflow.accounts.permissions import require_role
from bimflow.automation.models import (
    ActivityKind,
    RunSource,
    RunStatus,
    StepStatus,
    Trigger,
    Workflow,
    WorkflowRun,
    WorkflowRunStep,
)
from bimflow.automation.selection import name_matches, versions_select
from bimflow.automation.services.activity import event_record, notify
from bimflow.core.errors import ServiceError
from bimflow.projects.models import ModelVersion, VersionStatus
from bimflow.scripting.models import Execution, ExecutionStatus
from bimflow.scripting.services import execution_cancel, execution_create

log = logging.getLogger(__name__)
WAIT_POLL_S = 0.5
STEP_FINAL = {
    StepStatus.SUCCEEDED,
    StepStatus.FAILED,
    StepStatus.TIMED_OUT,
    StepStatus.CANCELLED,
    StepStatus.SKIPPED,
}


def runs_in_last_hour(workflow: Workflow) -> int:
    """Runs that count against BIMFLOW_MAX_RUNS_PER_HOUR: those actually started by a
    trigger or by hand in the last hour (skipped ones and backfills do not count)."""
    since = timezone.now() - timedelta(hours=1)
    return (
        WorkflowRun.objects.filter(workflow=workflow, created_at__gte=since)
        .exclude(status=RunStatus.SKIPPED)
        .exclude(source=RunSource.BACKFILL)
        .count()
    )


def _limit_reason(workflow: Workflow, source: str) -> str:
    limit = settings.BIMFLOW_MAX_RUNS_PER_HOUR
    if source == RunSource.BACKFILL or not limit:
        # A backfill is one explicit request over a known set of versions.
        return ""
    count = runs_in_last_hour(workflow)
    if count < limit:
        return ""
    return (
        f"Skipped: this workflow already ran {count} times in the past hour, the limit on "
        f"this server ({limit} runs per hour)."
    )


def _queue(run_id: int, positions: list[int]) -> bool:
    """Send the run's steps as one chain; record that it went out. When the broker is
    down the run stays queued and undispatched, and `runs_resend` sends it later."""
    from celery import chain

    from bimflow.automation.tasks import workflow_run_finish, workflow_run_step
    from bimflow.core.dispatch import PUBLISH_RETRY

    try:
        chain(
            *[workflow_run_step.si(run_id, p) for p in positions], workflow_run_finish.si(run_id)
        ).apply_async(retry=True, retry_policy=PUBLISH_RETRY)
    except Exception as exc:  # the broker is down: the run stays queued, the request succeeds
        log.warning(
            "Workflow run %s could not be sent to the broker (%s: %s); it will be sent later",
            run_id,
            exc.__class__.__name__,
            exc,
        )
        return False
    WorkflowRun.objects.filter(pk=run_id, dispatched_at__isnull=True).update(
        dispatched_at=timezone.now()
    )
    return True


# An undispatched run younger than this is probably being sent right now.
RESEND_AFTER_S = 5


def runs_resend() -> int:
    """Send the queued runs whose chain never reached the broker; returns how many.
    Each is sent with the steps that have not ended yet (all of them, as none ran)."""
    cutoff = timezone.now() - timedelta(seconds=RESEND_AFTER_S)
    pending = WorkflowRun.objects.filter(
        status=RunStatus.QUEUED, dispatched_at__isnull=True, created_at__lt=cutoff
    ).order_by("pk")
    sent = 0
    for run_id in list(pending.values_list("pk", flat=True)[:500]):
        positions = list(
            WorkflowRunStep.objects.filter(run_id=run_id)
            .exclude(status__in=STEP_FINAL)
            .order_by("position")
            .values_list("position", flat=True)
        )
        if not _queue(run_id, positions):
            break  # the broker is still down: the next round tries again
        sent += 1
    return sent


def _describe(run: WorkflowRun) -> str:
    where = f" on '{run.version.model.name}' v{run.version.number}" if run.version_id else ""
    return f"Workflow '{run.workflow.name}'{where}"


def run_skip(*, workflow: Workflow, version, source: str, user, reason: str) -> WorkflowRun:
    """Record a firing that did not run, with its reason (never dropped silently)."""
    return WorkflowRun.objects.create(
        workflow=workflow,
        project_id=workflow.project_id,
        version=version,
        source=source,
        triggered_by=user,
        status=RunStatus.SKIPPED,
        reason=reason,
        finished_at=timezone.now(),
    )


def run_create(
    *, workflow: Workflow, version: ModelVersion, source: str, user
) -> WorkflowRun | None:
    """Record one run of the workflow on one version and queue its steps as a chain,
    or record it `skipped` when the rate limit is reached. An `upload` run exists at
    most once per version (None when it already did)."""
    steps = list(workflow.steps.order_by("position"))
    with transaction.atomic():
        if (
            source == RunSource.UPLOAD
            and WorkflowRun.objects.filter(
                workflow=workflow, version=version, source=RunSource.UPLOAD
            ).exists()
        ):
            return None
        reason = _limit_reason(workflow, source)
        try:
            with transaction.atomic():
                if reason:
                    return run_skip(
                        workflow=workflow,
                        version=version,
                        source=source,
                        user=user,
                        reason=reason,
                    )
                run = WorkflowRun.objects.create(
                    workflow=workflow,
                    project_id=workflow.project_id,
                    version=version,
                    source=source,
                    triggered_by=user,
                )
        except IntegrityError:
            return None  # the same upload's run, created by a concurrent delivery
        WorkflowRunStep.objects.bulk_create(
            WorkflowRunStep(
                run=run, position=s.position, script_id=s.script_id, parameters=s.parameters
            )
            for s in steps
        )
        positions = [s.position for s in steps]
        transaction.on_commit(lambda: _queue(run.pk, positions))
    return run


def workflows_on_version_ready(*, version_id: int) -> list[WorkflowRun]:
    """Fire every active `on_upload` workflow of the project whose model filter matches
    the version's model (once per version and workflow)."""
    version = (
        ModelVersion.objects.select_related("model", "uploaded_by")
        .filter(pk=version_id, status=VersionStatus.READY)
        .first()
    )
    if version is None:
        return []
    runs = []
    workflows = Workflow.objects.filter(
        project_id=version.model.project_id, trigger=Trigger.ON_UPLOAD, is_active=True
    )
    for workflow in workflows:
        if name_matches(version.model.name, workflow.model_filter):
            run = run_create(
                workflow=workflow,
                version=version,
                source=RunSource.UPLOAD,
                user=version.uploaded_by,
            )
            if run is not None:
                runs.append(run)
    return runs


def workflow_fire_scheduled(*, workflow_id: int) -> list[WorkflowRun]:
    """A firing of the schedule: a run on the latest ready version of every matching
    model. A firing that arrives after the workflow was deactivated does nothing."""
    workflow = Workflow.objects.filter(pk=workflow_id).first()
    if workflow is None or not workflow.is_active or workflow.trigger != Trigger.SCHEDULE:
        return []
    versions = versions_select(
        project_id=workflow.project_id, model_filter=workflow.model_filter, latest_only=True
    )
    if not versions:
        reason = f"Skipped: no model matching '{workflow.model_filter}' has a ready version."
        last = workflow.runs.order_by("-created_at", "-id").first()
        if last and last.status == RunStatus.SKIPPED and last.reason == reason:
            # One record for a stretch of empty firings, not one a minute.
            last.finished_at = timezone.now()
            last.save(update_fields=["finished_at"])
            return [last]
        with transaction.atomic():
            return [
                run_skip(
                    workflow=workflow,
                    version=None,
                    source=RunSource.SCHEDULE,
                    user=None,
                    reason=reason,
                )
            ]
    runs = []
    for v in versions:
        run = run_create(workflow=workflow, version=v, source=RunSource.SCHEDULE, user=None)
        if run is not None:
            runs.append(run)
    return runs


def _versions_given(workflow: Workflow, version_ids) -> list[ModelVersion]:
    if not isinstance(version_ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in version_ids
    ):
        raise ServiceError("Give the versions as a list of version ids.", field="versions")
    found = {
        v.pk: v
        for v in ModelVersion.objects.select_related("model").filter(
            pk__in=version_ids, model__project_id=workflow.project_id
        )
    }
    missing = [i for i in version_ids if i not in found]
    if missing:
        raise ServiceError(
            f"These versions are not in this project: {', '.join(map(str, missing))}.",
            field="versions",
        )
    not_ready = [v for v in found.values() if v.status != VersionStatus.READY]
    if not_ready:
        raise ServiceError(
            "Workflows run on ready versions; not ready: "
            + ", ".join(f"'{v.model.name}' v{v.number} ({v.status})" for v in not_ready)
            + ".",
            field="versions",
        )
    return [found[i] for i in dict.fromkeys(version_ids)]


def workflow_run_by_hand(*, workflow: Workflow, user, version_ids=None) -> list[WorkflowRun]:
    """Run the workflow now on the given versions, or on the latest ready version of
    every matching model."""
    require_role(user, workflow.project_id, Role.COORDINATOR)
    if version_ids is not None:
        versions = _versions_given(workflow, version_ids)
    else:
        versions = versions_select(
            project_id=workflow.project_id, model_filter=workflow.model_filter, latest_only=True
        )
    if not versions:
        raise ServiceError(
            f"No model matching '{workflow.model_filter}' has a ready version to run on.",
            field="versions",
        )
    made = [
        run_create(workflow=workflow, version=v, source=RunSource.MANUAL, user=user)
        for v in versions
    ]
    return [r for r in made if r is not None]


def workflow_backfill(*, workflow: Workflow, user) -> list[WorkflowRun]:
    """Run the workflow on every existing ready version of the matching models (not
    counted against the hourly limit: it is one request over a known set)."""
    require_role(user, workflow.project_id, Role.COORDINATOR)
    versions = versions_select(
        project_id=workflow.project_id, model_filter=workflow.model_filter, latest_only=False
    )
    if not versions:
        raise ServiceError(
            f"No model matching '{workflow.model_filter}' has a ready version to run on.",
            field="versions",
        )
    limit = settings.BIMFLOW_MAX_BATCH_VERSIONS
    if len(versions) > limit:
        raise ServiceError(
            f"A backfill covers at most {limit} versions; {len(versions)} match. "
            "Narrow the model filter.",
            field="versions",
        )
    made = [
        run_create(workflow=workflow, version=v, source=RunSource.BACKFILL, user=user)
        for v in versions
    ]
    return [r for r in made if r is not None]


# --- the steps, on the workers -------------------------------------------------------


def _run_end(run_id: int, status: str, reason: str) -> bool:
    ended = WorkflowRun.objects.filter(
        pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).update(status=status, reason=reason, finished_at=timezone.now())
    if ended:
        transaction.on_commit(lambda: _run_finished(run_id))
    return bool(ended)


def _skip_rest(run_id: int, after: int, reason: str) -> None:
    WorkflowRunStep.objects.filter(
        run_id=run_id, position__gt=after, status=StepStatus.PENDING
    ).update(status=StepStatus.SKIPPED, reason=reason)


def _step_user(run: WorkflowRun):
    """Who the step's execution runs as: whoever started the run (the uploader for
    on_upload), else the workflow's owner (schedules)."""
    return run.triggered_by or run.workflow.created_by


def _step_execution(run: WorkflowRun, step: WorkflowRunStep) -> Execution | str:
    """Create the step's execution, or return why it cannot run."""
    if step.script is None:
        return "The script of this step was deleted."
    user = _step_user(run)
    if user is None:
        return "Nobody can run this step: the workflow's owner account was removed."
    try:
        return execution_create(
            script=step.script,
            version=run.version,
            parameters=step.parameters,
            user=user,
            enforce_user_limit=False,
        )
    except ServiceError as exc:
        return exc.message
    except (Http404, PermissionDenied):
        return (
            f"{user.username} may no longer run scripts in this project, so the workflow "
            "cannot run as them."
        )


def _wait_final(execution_id: int) -> Execution:
    """Wait for an execution another worker slot claimed first (see `run_step`)."""
    while True:
        execution = Execution.objects.get(pk=execution_id)
        if execution.is_final:
            return execution
        time.sleep(WAIT_POLL_S)


def run_step(*, run_id: int, position: int) -> None:
    """Run one step of a run on this worker: create its execution and run it here.

    1. Skip it if the run already ended (stopped by a failure, or cancelled).
    2. Mark the run running (first step), create the step's execution (no per-user
       limit: the run's steps are one request).
    3. Run it in this task with `execution_run`. The execution's own queue message
       (sent by `execution_create`) usually finds it already claimed and does nothing;
       if another slot claimed it first, wait here until it ends.
    4. Record the outcome; a failure with `stop_on_failure` skips the rest and fails
       the run.
    """
    from bimflow.scripting.runner import execution_run

    run = (
        WorkflowRun.objects.select_related("workflow__created_by", "version__model", "triggered_by")
        .filter(pk=run_id)
        .first()
    )
    step = (
        WorkflowRunStep.objects.select_related("script")
        .filter(run_id=run_id, position=position)
        .first()
    )
    if run is None or step is None or step.status in STEP_FINAL:
        return
    if run.is_final:
        WorkflowRunStep.objects.filter(pk=step.pk, status=StepStatus.PENDING).update(
            status=StepStatus.SKIPPED, reason=f"Not run: the run was {run.status}."
        )
        return
    WorkflowRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    if step.execution_id is None:
        made = _step_execution(run, step)
        if isinstance(made, str):
            _step_done(run, step, StepStatus.FAILED, made)
            return
        step.execution = made
        step.status = StepStatus.RUNNING
        step.save(update_fields=["execution", "status"])
    execution_run(execution_id=step.execution_id)
    execution = _wait_final(step.execution_id)
    _step_done(run, step, execution.status, execution.error)


def _step_done(run: WorkflowRun, step: WorkflowRunStep, status: str, reason: str) -> None:
    step.status, step.reason = status, reason or ""
    step.save(update_fields=["status", "reason"])
    if status == ExecutionStatus.SUCCEEDED or not run.workflow.stop_on_failure:
        return
    name = step.script.slug if step.script else "deleted script"
    what = "was cancelled" if status == StepStatus.CANCELLED else status.replace("_", " ")
    _skip_rest(
        run.pk,
        step.position,
        f"Not run: step {step.position + 1} ({name}) {what} and the workflow stops on failure.",
    )
    final = RunStatus.CANCELLED if status == StepStatus.CANCELLED else RunStatus.FAILED
    _run_end(
        run.pk,
        final,
        f"Step {step.position + 1} ({name}) {what}" + (f": {reason}" if reason else "."),
    )


def run_finish(*, run_id: int) -> None:
    """After the last step: the run failed if a step failed, else succeeded."""
    run = WorkflowRun.objects.filter(pk=run_id).first()
    if run is None or run.is_final:
        return
    steps = list(run.steps.select_related("script").order_by("position"))
    bad = [s for s in steps if s.status in (StepStatus.FAILED, StepStatus.TIMED_OUT)]
    if bad:
        s = bad[0]
        name = s.script.slug if s.script else "deleted script"
        reason = f"{len(bad)} of {len(steps)} steps failed; first: step {s.position + 1} " + (
            f"({name}): {s.reason or s.status}"
        )
        _run_end(run_id, RunStatus.FAILED, reason)
    elif any(s.status == StepStatus.CANCELLED for s in steps):
        _run_end(run_id, RunStatus.CANCELLED, "A step was cancelled.")
    else:
        _run_end(run_id, RunStatus.SUCCEEDED, "")


def run_cancel(*, run: WorkflowRun, user) -> WorkflowRun:
    """Cancel a queued or running run: its pending steps are skipped and the running
    step's execution is cancelled."""
    require_role(user, run.project_id, Role.COORDINATOR)
    if run.is_final:
        raise ServiceError(f"This run already ended ({run.status}).", status_code=409)
    with transaction.atomic():
        if not _run_end(run.pk, RunStatus.CANCELLED, f"Cancelled by {user.username}."):
            raise ServiceError("This run already ended.", status_code=409)
        WorkflowRunStep.objects.filter(run=run, status=StepStatus.PENDING).update(
            status=StepStatus.SKIPPED, reason="Not run: the run was cancelled."
        )
    for step in run.steps.select_related("execution").exclude(execution=None):
        if not step.execution.is_final:
            try:
                execution_cancel(execution=step.execution, user=user)
            except ServiceError:
                pass  # it ended meanwhile
    run.refresh_from_db()
    return run


def _run_finished(run_id: int) -> None:
    """The activity line of a run that ended (not of skipped firings); failed runs
    notify whoever started it and the workflow's owner."""
    run = (
        WorkflowRun.objects.select_related("workflow__created_by", "version__model", "triggered_by")
        .filter(pk=run_id)
        .first()
    )
    if run is None or run.status == RunStatus.SKIPPED:
        return  # skipped firings are in the run list; in the feed they would drown the rest
    text = f"{_describe(run)}: {run.status}" + (f" ({run.reason})" if run.reason else "")
    ids = {"workflow": run.workflow_id, "run": run.pk, "version": run.version_id}
    event_record(
        project_id=run.project_id,
        kind=ActivityKind.WORKFLOW_RUN,
        status=run.status,
        actor=run.triggered_by,
        message=text,
        **ids,
    )
    if run.status == RunStatus.FAILED:
        notify(
            users=[run.triggered_by, run.workflow.created_by],
            project_id=run.project_id,
            kind=ActivityKind.WORKFLOW_RUN,
            message=text,
            **ids,
        )
