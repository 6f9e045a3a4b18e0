from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from bimflow.core.dispatch import task_send
from bimflow.projects.ingest import version_fail, version_ingest
from bimflow.projects.models import ModelVersion, VersionStatus


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.BIMFLOW_INGEST_SOFT_TIME_LIMIT_S,
    time_limit=settings.BIMFLOW_INGEST_HARD_TIME_LIMIT_S,
)
def ingest_version(version_id: int) -> None:
    """Ingest one uploaded version (see `version_ingest`)."""
    version_ingest(version_id=version_id)


MAX_INGEST_ATTEMPTS = 2
# An undispatched version younger than this is probably being sent right now.
RESEND_AFTER_S = 5


def ingest_send(version_id: int) -> bool:
    """Queue the ingest of a version and record that it went out (see core/dispatch.py)."""
    if not task_send(ingest_version, version_id):
        return False
    ModelVersion.objects.filter(pk=version_id, dispatched_at__isnull=True).update(
        dispatched_at=timezone.now()
    )
    return True


def versions_resend() -> int:
    """Send the ingests that never reached the broker (it was down); returns how many."""
    cutoff = timezone.now() - timedelta(seconds=RESEND_AFTER_S)
    pending = ModelVersion.objects.filter(
        status=VersionStatus.UPLOADED, dispatched_at__isnull=True, created_at__lt=cutoff
    ).values_list("pk", flat=True)
    sent = 0
    for vid in list(pending[:500]):
        if not ingest_send(vid):
            break  # the broker is still down: the next round tries again
        sent += 1
    return sent


@shared_task
def reap_stale_versions() -> int:
    """Versions whose worker vanished: re-queue once, then fail with a reason.

    A version is stale when it has been `processing` without a heartbeat for
    BIMFLOW_STALE_AFTER_S, or `uploaded` (queued) for ten times as long, which means its
    queue message was lost. Versions whose ingest never reached the broker are sent.
    """
    now = timezone.now()
    stale = settings.BIMFLOW_STALE_AFTER_S
    qs = ModelVersion.objects.filter(
        Q(status=VersionStatus.PROCESSING, heartbeat_at__lt=now - timedelta(seconds=stale))
        | Q(status=VersionStatus.UPLOADED, heartbeat_at__lt=now - timedelta(seconds=stale * 10))
        | Q(
            status=VersionStatus.UPLOADED,
            heartbeat_at__isnull=True,
            created_at__lt=now - timedelta(seconds=stale * 10),
        )
    )
    count = 0
    for v in qs.exclude(status=VersionStatus.UPLOADED, dispatched_at__isnull=True):
        if v.ingest_attempts >= MAX_INGEST_ATTEMPTS:
            version_fail(
                version_id=v.pk,
                error="Processing stopped twice because the worker handling it stopped "
                "(it may have run out of memory); ask an operator to check the workers.",
            )
        elif ModelVersion.objects.filter(pk=v.pk, status=v.status).update(
            status=VersionStatus.UPLOADED, heartbeat_at=now, dispatched_at=None
        ):
            ingest_send(v.pk)
        count += 1
    return count + versions_resend()
