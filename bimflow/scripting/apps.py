from django.apps import AppConfig


class ScriptingConfig(AppConfig):
    name = "bimflow.scripting"
    label = "scripting"
    verbose_name = "Scripts and executions"

    def ready(self) -> None:
        from celery.signals import worker_process_init, worker_ready, worker_shutting_down
        from django.db.models.signals import post_migrate

        from bimflow.core import registry

        registry.register_sandbox_status(_sandbox_status)
        registry.metric_sources.append(_metrics)
        post_migrate.connect(_sync_builtins, sender=self, weak=False)
        worker_process_init.connect(_worker_process_init, weak=False)
        worker_ready.connect(_worker_ready, weak=False)
        worker_shutting_down.connect(_worker_shutting_down, weak=False)


def _metrics():
    from bimflow.scripting.metrics import execution_metrics

    return execution_metrics()


def _sandbox_status() -> dict:
    from django.conf import settings

    from bimflow.scripting import sandbox

    return sandbox.sandbox_status(unsafe=settings.BIMFLOW_SANDBOX == "unsafe")


def _sync_builtins(sender, **kwargs):
    from bimflow.scripting.builtins import builtins_sync

    builtins_sync()


def _worker_process_init(**kwargs):
    from bimflow.scripting import sandbox, shutdown

    # Orphans of a sandbox (a daemonised child) are re-parented to us and reaped.
    sandbox.become_subreaper()
    shutdown.install_in_pool_process()


def _worker_shutting_down(**kwargs):
    from bimflow.scripting import shutdown

    shutdown.on_worker_shutting_down(**kwargs)


def _worker_ready(**kwargs):
    import logging

    from bimflow.scripting import sandbox
    from bimflow.scripting.tasks import executions_resend

    sandbox.sweep_stale()
    # Executions created while the broker was down are sent now, not at beat's next round.
    try:
        executions_resend()
    except Exception:  # the worker must start even when this fails
        logging.getLogger(__name__).warning("Re-sending pending executions failed", exc_info=True)
