"""Hooks that higher apps register so that `core` never imports them.

The scripting app registers the sandbox status; apps add health extras and metrics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

_sandbox_status: Callable[[], dict] | None = None
health_extras: list[Callable[[], dict]] = []
# Each returns Prometheus metric families (prometheus_client.core.*MetricFamily),
# computed from the database when /metrics is scraped.
metric_sources: list[Callable[[], Iterable]] = []


def register_sandbox_status(fn: Callable[[], dict]) -> None:
    global _sandbox_status
    _sandbox_status = fn


def sandbox_status() -> dict:
    if _sandbox_status is None:
        return {"mode": "not configured"}
    try:
        return _sandbox_status()
    except Exception as exc:
        return {"mode": "unavailable", "reason": str(exc)}
