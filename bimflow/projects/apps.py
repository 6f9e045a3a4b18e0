from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "bimflow.projects"
    label = "projects"
    verbose_name = "Projects, models and versions"
