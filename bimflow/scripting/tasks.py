from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from bimflow.core.dispatch import group_send, task_send
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


# An undispatched execution younger than this is probably being sent right now.
RESEND_AFTER_S = 5


def execution_send(execution_id: int) -> bool:
    """Queue an execution's run and record that it went out (see core/dispatch.py)."""
    if not task_send(run_execution, execution_id):
        return False
    Execution.objects.filter(pk=execution_id, dispatched_at__isnull=True).update(
        dispatched_at=timezone.now()
    )
    return True


def executions_send_group(execution_ids: list[int]) -> bool:
    """Queue many executions' runs as one Celery group (a batch's fan-out) and record that
    they went out; what the broker did not take is re-sent by `executions_resend`."""
    if not group_send(run_execution.s(pk) for pk in execution_ids):
        return False
    Execution.objects.filter(pk__in=execution_ids, dispatched_at__isnull=True).update(
        dispatched_at=timezone.now()
    )
    return True


def executions_resend() -> int:
    """Send the runs that never reached the broker (it was down); returns how many."""
    cutoff = timezone.now() - timedelta(seconds=RESEND_AFTER_S)
    pending = Execution.objects.filter(
        status=ExecutionStatus.QUEUED, dispatched_at__isnull=True, queued_at__lt=cutoff
    ).order_by("pk")
    sent = 0
    for pk in list(pending.values_list("pk", flat=True)[:1000]):
        if not execution_send(pk):
            break  # the broker is still down: the next round tries again
        sent += 1
    return sent


WORKER_LOST = (
    "The worker running it stopped (it was killed or lost its connection) "
    "before the script finished."
)


@shared_task
def reap_lost_executions() -> int:
    """Executions whose worker vanished: `running` without a heartbeat for
    BIMFLOW_STALE_AFTER_S. Each is failed with the worker-lost reason, or, when
    BIMFLOW_WORKER_LOST=retry, queued again once. Queued executions whose message was
    lost (queued far longer than that) are sent again, and so are those that never
    reached the broker (it was down when they were created)."""
    from bimflow.scripting.logs import LogWriter

    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.BIMFLOW_STALE_AFTER_S)
    count = 0
    for ex in Execution.objects.filter(status=ExecutionStatus.RUNNING, heartbeat_at__lt=cutoff):
        retry = settings.BIMFLOW_WORKER_LOST == "retry" and ex.attempts < 2
        if retry:
            updated = Execution.objects.filter(pk=ex.pk, status=ExecutionStatus.RUNNING).update(
                status=ExecutionStatus.QUEUED, heartbeat_at=now, worker="", dispatched_at=None
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
            execution_send(ex.pk)
        else:
            from bimflow.scripting.signals import execution_finished

            execution_finished.send(sender=Execution, execution_id=ex.pk)
        count += 1
    lost_cutoff = now - timedelta(seconds=settings.BIMFLOW_STALE_AFTER_S * 20)
    for ex in Execution.objects.filter(
        status=ExecutionStatus.QUEUED,
        queued_at__lt=lost_cutoff,
        heartbeat_at__isnull=True,
        dispatched_at__isnull=False,
    )[:100]:
        if Execution.objects.filter(pk=ex.pk, status=ExecutionStatus.QUEUED).update(
            heartbeat_at=now
        ):
            task_send(run_execution, ex.pk)
    return count + executions_resend()
