from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "bimflow.projects"
    label = "projects"
    verbose_name = "Projects, models and versions"

    def ready(self) -> None:
        from celery.signals import worker_ready

        from bimflow.core import registry

        worker_ready.connect(_worker_ready, weak=False)
        registry.metric_sources.append(_metrics)


def _metrics():
    from bimflow.projects.metrics import version_metrics

    return version_metrics()


def _worker_ready(**kwargs):
    import logging

    from bimflow.projects.tasks import versions_resend

    # Uploads accepted while the broker was down are sent now, not at beat's next round.
    try:
        versions_resend()
    except Exception:  # the worker must start even when this fails
        logging.getLogger(__name__).warning("Re-sending pending ingests failed", exc_info=True)
