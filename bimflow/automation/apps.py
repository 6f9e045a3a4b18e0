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
