"""Operational services: worker heartbeats and the health report."""

from __future__ import annotations

import logging
import os
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from bimflow.core.models import WorkerHeartbeat

log = logging.getLogger(__name__)
HEARTBEAT_INTERVAL_S = 5


def heartbeat_beat(*, hostname: str, queues: list[str], started_at) -> None:
    """Record that the worker `hostname` is alive now, with the sandbox protections it
    enforces (probed in this process, cached by the sandbox)."""
    from bimflow.core import registry

    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname,
        defaults={
            "pid": os.getpid(),
            "queues": queues,
            "started_at": started_at,
            "last_seen": timezone.now(),
            "sandbox": registry.sandbox_status(),
        },
    )


def heartbeat_start(*, hostname: str, queues: list[str]) -> threading.Event:
    """Start a daemon thread that beats every few seconds; set the returned event to stop."""
    stop = threading.Event()
    started_at = timezone.now()

    def loop() -> None:
        while not stop.is_set():
            try:
                close_old_connections()
                heartbeat_beat(hostname=hostname, queues=queues, started_at=started_at)
            except Exception:  # a database hiccup must not kill the worker
                log.warning("Worker heartbeat failed", exc_info=True)
            stop.wait(HEARTBEAT_INTERVAL_S)
        WorkerHeartbeat.objects.filter(hostname=hostname).delete()

    threading.Thread(target=loop, name="bimflow-heartbeat", daemon=True).start()
    return stop


def workers_alive() -> list[WorkerHeartbeat]:
    cutoff = timezone.now() - timedelta(seconds=settings.BIMFLOW_STALE_AFTER_S)
    return list(WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).order_by("hostname"))


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"


def _check_broker() -> str:
    from bimflow.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}: {exc}"[:200]


# kombu's Redis transport keeps a queue's messages of priority 3, 6, 9 in lists of their own.
_REDIS_PRIORITY_SUFFIXES = ["", "\x06\x163", "\x06\x166", "\x06\x169"]


def queue_depths() -> dict[str, int | None]:
    """Messages waiting in each queue (not those a worker has taken): Redis list lengths,
    or message files of the filesystem broker. None for each when the broker does not
    answer."""
    queues = list(settings.BIMFLOW_QUEUES)
    url = settings.CELERY_BROKER_URL
    try:
        if url.startswith("filesystem://"):
            folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
            counts = dict.fromkeys(queues, 0)
            for name in os.listdir(folder):
                # "<time>_<uuid>.<queue>.msg"; a leading dot is a message being written.
                if name.startswith(".") or not name.endswith(".msg"):
                    continue
                queue = name.split(".", 1)[1][: -len(".msg")]
                if queue in counts:
                    counts[queue] += 1
            return counts
        if url.startswith(("redis://", "rediss://")):
            import redis

            client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            try:
                pipe = client.pipeline(transaction=False)
                for queue in queues:
                    for suffix in _REDIS_PRIORITY_SUFFIXES:
                        pipe.llen(queue + suffix)
                lengths = pipe.execute()
            finally:
                client.close()
            step = len(_REDIS_PRIORITY_SUFFIXES)
            return {q: sum(lengths[i * step : (i + 1) * step]) for i, q in enumerate(queues)}
    except Exception as exc:
        log.info("Queue depths unavailable: %s: %s", exc.__class__.__name__, exc)
    return dict.fromkeys(queues)


# From the weakest to the strongest sandbox mode (see docs/sandbox.md).
SANDBOX_MODES = ["unavailable", "unsafe", "unprivileged", "root"]
SCRIPT_QUEUE = "executions"


def sandbox_summary(workers: list[dict]) -> dict:
    """The sandbox as the workers that run scripts see it: their common status, or the
    weakest one when they differ (with a reason naming how many are weaker)."""
    runners = [w for w in workers if SCRIPT_QUEUE in (w.get("queues") or [])] or workers
    if not any(w.get("sandbox") for w in runners):
        return {
            "mode": "unknown",
            "reason": "No worker that runs scripts has reported its sandbox yet.",
        }
    statuses = [
        w.get("sandbox") or {"mode": "unknown", "reason": "this worker does not report it"}
        for w in runners
    ]

    def strength(status: dict) -> int:
        mode = status.get("mode")
        return SANDBOX_MODES.index(mode) if mode in SANDBOX_MODES else -1

    weakest = min(statuses, key=strength)
    differing = [s for s in statuses if s != weakest]
    if not differing:
        return dict(weakest)
    summary = dict(weakest)
    weaker = len(statuses) - len(differing)
    note = (
        f"{weaker} of {len(statuses)} workers enforce only this; "
        "see each worker's own sandbox status."
    )
    summary["reason"] = "; ".join(r for r in (summary.get("reason"), note) if r)
    return summary


def health_report() -> dict:
    """What `GET /api/health/` answers: database, broker, messages waiting per queue,
    live workers (each with its queues, last heartbeat and the sandbox protections it
    enforces) and their summary under `sandbox`."""
    from bimflow.core import registry

    database = _check_database()
    broker = _check_broker()
    workers = [
        {
            "hostname": w.hostname,
            "queues": w.queues,
            "last_seen": w.last_seen,
            "sandbox": w.sandbox,
        }
        for w in (workers_alive() if database == "ok" else [])
    ]
    report = {
        "status": "ok" if database == "ok" and broker == "ok" else "degraded",
        "database": database,
        "broker": broker,
        "queues": queue_depths() if broker == "ok" else dict.fromkeys(settings.BIMFLOW_QUEUES),
        "workers": workers,
        "sandbox": sandbox_summary(workers),
    }
    for extra in registry.health_extras:
        report.update(extra())
    return report
