"""The Celery app shared by the worker, beat and the web (which only sends tasks)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bimflow.settings")

app = Celery("bimflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
