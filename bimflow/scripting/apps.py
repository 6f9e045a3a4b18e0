from django.apps import AppConfig


class ScriptingConfig(AppConfig):
    name = "bimflow.scripting"
    label = "scripting"
    verbose_name = "Scripts and executions"

    def ready(self) -> None:
        from celery.signals import worker_process_init, worker_ready
        from django.db.models.signals import post_migrate

        from bimflow.core import registry

        registry.register_sandbox_status(_sandbox_status)
        post_migrate.connect(_sync_builtins, sender=self, weak=False)
        worker_process_init.connect(_worker_process_init, weak=False)
        worker_ready.connect(_worker_ready, weak=False)


def _sandbox_status() -> dict:
    from django.conf import settings

    from bimflow.scripting import sandbox

    return sandbox.sandbox_status(unsafe=settings.BIMFLOW_SANDBOX == "unsafe")


def _sync_builtins(sender, **kwargs):
    from bimflow.scripting.builtins import builtins_sync

    builtins_sync()


def _worker_process_init(**kwargs):
    from bimflow.scripting import sandbox

    # Orphans of a sandbox (a daemonised child) are re-parented to us and reaped.
    sandbox.become_subreaper()


def _worker_ready(**kwargs):
    from bimflow.scripting import sandbox

    sandbox.sweep_stale()
