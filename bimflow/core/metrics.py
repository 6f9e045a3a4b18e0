"""`GET /metrics`: Prometheus metrics, computed from the database at scrape time.

Every value is a count or sum over the rows as they are when scraped, so what
Prometheus shows matches the database (and survives restarts of any process); apps add
their families through `registry.metric_sources`. Access: `Authorization: Bearer
<BIMFLOW_METRICS_TOKEN>` when that setting is set, or a staff user's session or API token.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import APIException

log = logging.getLogger(__name__)


def histogram_family(
    name: str,
    documentation: str,
    queryset,
    field: str,
    buckets: Sequence[float],
    *,
    scale: float = 1.0,
    label: str | None = None,
) -> HistogramMetricFamily:
    """A Prometheus histogram of `field` (numeric, multiplied by `scale` into seconds)
    over `queryset`, counted by the database in one query (per `label` value)."""
    family = HistogramMetricFamily(name, documentation, labels=[label] if label else [])
    aggregates = {
        f"le_{i}": Count("pk", filter=Q(**{f"{field}__lte": b / scale}))
        for i, b in enumerate(buckets)
    }
    qs = queryset.filter(**{f"{field}__isnull": False})
    rows = (
        qs.values(label).annotate(n=Count("pk"), total=Sum(field), **aggregates).order_by(label)
        if label
        else [qs.aggregate(n=Count("pk"), total=Sum(field), **aggregates)]
    )
    for row in rows:
        points = [(_le(b), row[f"le_{i}"]) for i, b in enumerate(buckets)]
        points.append(("+Inf", row["n"]))
        family.add_metric(
            [row[label]] if label else [], points, sum_value=(row["total"] or 0) * scale
        )
    return family


def _le(bound: float) -> str:
    return repr(float(bound))


class _DatabaseCollector:
    def collect(self) -> Iterable:
        from bimflow.core import registry
        from bimflow.core.services import queue_depths, workers_alive

        depth = GaugeMetricFamily(
            "bimflow_queue_depth", "Messages waiting in each broker queue.", labels=["queue"]
        )
        for queue, n in queue_depths().items():
            if n is not None:
                depth.add_metric([queue], n)
        yield depth
        yield GaugeMetricFamily(
            "bimflow_workers_alive",
            "Worker processes whose heartbeat is recent.",
            value=len(workers_alive()),
        )
        for source in registry.metric_sources:
            yield from source()


def _allowed(request) -> bool:
    token = getattr(settings, "BIMFLOW_METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[len("Bearer ") :].strip(), token)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        try:  # the session is the middleware's; an API token is checked here
            found = TokenAuthentication().authenticate(request)
        except APIException:
            found = None
        user = found[0] if found else None
    return bool(user is not None and user.is_active and user.is_staff)


def metrics_view(request):
    if not _allowed(request):
        return HttpResponse(
            "Metrics need the metrics token (Authorization: Bearer ...) or a staff user.\n",
            status=401,
            content_type="text/plain",
        )
    reg = CollectorRegistry(auto_describe=False)
    reg.register(_DatabaseCollector())
    return HttpResponse(generate_latest(reg), content_type=CONTENT_TYPE_LATEST)
