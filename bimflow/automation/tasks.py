"""Celery tasks of the automation app: each loads by id and calls a service."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from bimflow.automation.models import RunStatus, StepStatus, WorkflowRun, WorkflowRunStep

log = logging.getLogger(__name__)

# A step runs its execution (bounded by the script's own timeout, at most the
# operator's maximum) and may wait for one another slot runs: Celery's limits are a
# safety net above that.
STEP_HARD_LIMIT = settings.BIMFLOW_SCRIPT_MAX_TIMEOUT_S + 900


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=STEP_HARD_LIMIT - 60,
    time_limit=STEP_HARD_LIMIT,
)
def workflow_run_step(run_id: int, position: int) -> None:
    """One step of a workflow run (see `run_step`). Never raises: an unexpected error
    fails the step and the run with a sentence, and the chain goes on to its end."""
    from bimflow.automation.services.runs import run_step

    try:
        run_step(run_id=run_id, position=position)
    except Exception:
        log.exception("Workflow run %s step %s failed in the worker", run_id, position)
        reason = "bimflow could not run this step because of an internal error; it was logged."
        WorkflowRunStep.objects.filter(run_id=run_id, position=position).exclude(
            status__in=[StepStatus.SUCCEEDED, StepStatus.SKIPPED]
        ).update(status=StepStatus.FAILED, reason=reason)
        WorkflowRun.objects.filter(
            pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
        ).update(status=RunStatus.FAILED, reason=reason, finished_at=timezone.now())


@shared_task(acks_late=True)
def workflow_run_finish(run_id: int) -> None:
    """The last link of a run's chain (see `run_finish`)."""
    from bimflow.automation.services.runs import run_finish

    run_finish(run_id=run_id)


@shared_task
def workflow_fire_scheduled(workflow_id: int) -> int:
    """Sent by beat for a scheduled workflow (see `workflow_fire_scheduled`)."""
    from bimflow.automation.services.runs import workflow_fire_scheduled as fire

    return len(fire(workflow_id=workflow_id))


@shared_task(acks_late=True)
def track_findings(execution_id: int) -> None:
    """Compare a finished execution's findings with the previous version's run."""
    from bimflow.automation.services.findings import findings_track

    findings_track(execution_id=execution_id)


@shared_task
def resend_workflow_runs() -> int:
    """Periodic: send the workflow runs created while the broker was down."""
    from bimflow.automation.services.runs import runs_resend

    return runs_resend()


@shared_task
def purge_old_results() -> dict:
    """Daily: remove log lines and result files older than the retention period."""
    from bimflow.automation.services.retention import results_purge

    return results_purge()
