from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "bimflow.web"
    label = "web"
    verbose_name = "Web app"
