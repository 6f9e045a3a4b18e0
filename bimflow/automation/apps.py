from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "bimflow.automation"
    label = "automation"
    verbose_name = "Automation: workflows, batches, tools, activity"

    def ready(self) -> None:
        # Automation listens to the lower apps; they never import it.
        from django.db.models.signals import post_migrate, post_save

        from bimflow.automation import receivers
        from bimflow.projects.models import ModelVersion
        from bimflow.projects.signals import version_failed, version_ready
        from bimflow.scripting.signals import execution_finished

        post_save.connect(receivers.on_version_saved, sender=ModelVersion, weak=False)
        version_ready.connect(receivers.on_version_ready, weak=False)
        version_failed.connect(receivers.on_version_failed, weak=False)
        execution_finished.connect(receivers.on_execution_finished, weak=False)
        post_migrate.connect(receivers.on_post_migrate, sender=self, weak=False)

        from celery.signals import worker_ready

        worker_ready.connect(_worker_ready, weak=False)


def _worker_ready(**kwargs):
    """Workflow runs created while the broker was down are sent when a worker starts."""
    import logging

    from bimflow.automation.services.runs import runs_resend

    try:
        runs_resend()
    except Exception:  # the worker must start even when this fails
        logging.getLogger(__name__).warning(
            "Re-sending pending workflow runs failed", exc_info=True
        )
