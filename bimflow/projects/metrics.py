"""Prometheus metric families of versions and their ingest (see bimflow/core/metrics.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from bimflow.core.metrics import histogram_family
from bimflow.projects.models import ModelVersion, VersionStatus

INGEST_BUCKETS = (0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 3600)


def version_metrics() -> Iterable:
    by_status = dict(ModelVersion.objects.order_by().values_list("status").annotate(n=Count("pk")))
    versions = GaugeMetricFamily(
        "bimflow_versions", "Model versions in the database, by status.", labels=["status"]
    )
    for status in VersionStatus.values:
        versions.add_metric([status], by_status.get(status, 0))
    yield versions
    yield histogram_family(
        "bimflow_ingest_duration_seconds",
        "Time to read an uploaded version (extract, data pack, catalog) until ready.",
        ModelVersion.objects.filter(status=VersionStatus.READY).order_by(),
        "ingest_seconds",
        INGEST_BUCKETS,
    )
