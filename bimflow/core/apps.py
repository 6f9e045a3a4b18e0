from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bimflow.core"
    label = "core"
    verbose_name = "Operations"

    def ready(self) -> None:
        from celery.signals import worker_ready, worker_shutdown

        # Tasks sent from any Django process (web, CLI, tests) go through bimflow's app
        # and its broker, not Celery's default one.
        from django.conf import settings

        from bimflow.celery import app

        if settings.CELERY_BROKER_URL.startswith("filesystem://"):
            # The embedded broker with atomic message files (see bimflow/core/broker.py).
            app.conf.broker_transport = "bimflow.core.broker:Transport"

        worker_ready.connect(_on_worker_ready, weak=False)
        worker_shutdown.connect(_on_worker_shutdown, weak=False)


_heartbeat_stop = None
_hostname = None


def _on_worker_ready(sender=None, **kwargs):
    global _heartbeat_stop, _hostname
    from bimflow.core.services import heartbeat_start

    queues = [q.name for q in getattr(sender.task_consumer, "queues", [])] if sender else []
    _hostname = sender.hostname
    _heartbeat_stop = heartbeat_start(hostname=sender.hostname, queues=queues)


def _on_worker_shutdown(sender=None, **kwargs):
    if _heartbeat_stop is not None:
        _heartbeat_stop.set()
    if _hostname is not None:
        # Here, not in the heartbeat thread: the process may end before that thread wakes.
        from bimflow.core.models import WorkerHeartbeat

        try:
            WorkerHeartbeat.objects.filter(hostname=_hostname).delete()
        except Exception:  # a database that is gone must not block the shutdown
            pass
