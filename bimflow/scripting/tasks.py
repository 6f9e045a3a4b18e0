from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from bimflow.scripting.models import Execution, ExecutionStatus
from bimflow.scripting.runner import execution_run

# The sandbox enforces each script's own timeout; Celery's limits are a safety net.
HARD_LIMIT = settings.BIMFLOW_SCRIPT_MAX_TIMEOUT_S + 600


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=HARD_LIMIT - 60,
    time_limit=HARD_LIMIT,
)
def run_execution(execution_id: int) -> None:
    """Run one queued execution (see `execution_run`)."""
    execution_run(execution_id=execution_id)


WORKER_LOST = (
    "The worker running it stopped (it was killed or lost its connection) "
    "before the script finished."
)


@shared_task
def reap_lost_executions() -> int:
    """Executions whose worker vanished: `running` without a heartbeat for
    BIMFLOW_STALE_AFTER_S. Each is failed with the worker-lost reason, or, when
    BIMFLOW_WORKER_LOST=retry, queued again once. Queued executions whose message was
    lost (queued far longer than that) are sent again."""
    from bimflow.scripting.logs import LogWriter

    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.BIMFLOW_STALE_AFTER_S)
    count = 0
    for ex in Execution.objects.filter(status=ExecutionStatus.RUNNING, heartbeat_at__lt=cutoff):
        retry = settings.BIMFLOW_WORKER_LOST == "retry" and ex.attempts < 2
        if retry:
            updated = Execution.objects.filter(pk=ex.pk, status=ExecutionStatus.RUNNING).update(
                status=ExecutionStatus.QUEUED, heartbeat_at=now, worker=""
            )
        else:
            updated = Execution.objects.filter(pk=ex.pk, status=ExecutionStatus.RUNNING).update(
                status=ExecutionStatus.FAILED,
                error=WORKER_LOST,
                finished_at=now,
                duration_ms=int((now - (ex.started_at or now)).total_seconds() * 1000),
            )
        if not updated:
            continue
        logs = LogWriter(ex.pk)
        logs.system(WORKER_LOST + (" Running it again." if retry else ""))
        logs.flush()
        if retry:
            run_execution.delay(ex.pk)
        else:
            from bimflow.scripting.signals import execution_finished

            execution_finished.send(sender=Execution, execution_id=ex.pk)
        count += 1
    lost_cutoff = now - timedelta(seconds=settings.BIMFLOW_STALE_AFTER_S * 20)
    for ex in Execution.objects.filter(
        status=ExecutionStatus.QUEUED, queued_at__lt=lost_cutoff, heartbeat_at__isnull=True
    )[:100]:
        if Execution.objects.filter(pk=ex.pk, status=ExecutionStatus.QUEUED).update(
            heartbeat_at=now
        ):
            run_execution.delay(ex.pk)
    return count
