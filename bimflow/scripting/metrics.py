"""Prometheus metric families of executions (see bimflow/core/metrics.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q
from prometheus_client.core import GaugeMetricFamily

from bimflow.core.metrics import histogram_family
from bimflow.scripting.models import FINAL_STATUSES, Execution, ExecutionStatus

DURATION_BUCKETS = (0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)

# Sandbox failures: executions that ended because the sandbox could not run the script
# or stopped it at one of its limits, each recognised by the sentence the sandbox gives
# (bimflow/scripting/sandbox/outcome.py) or by the timed_out status. A script's own
# error (an exception, a non-zero exit) is not one.
SANDBOX_FAILURES = {
    "timeout": Q(status=ExecutionStatus.TIMED_OUT),
    "memory": Q(error__startswith="The script was stopped because it used more than"),
    "log": Q(error__startswith="The log exceeded"),
    "files": Q(error__startswith="The script created more than"),
    "cpu": Q(error__startswith="The script used up its CPU time limit"),
    "file_size": Q(error__startswith="The script wrote a file larger than the size limit"),
    "killed": Q(
        error__in=[
            "The script was stopped by the system.",
            "The command was stopped by the system.",
        ]
    ),
    "sandbox_setup": Q(error__startswith="The sandbox could not start"),
    "sandbox_unavailable": Q(error__startswith="Scripts cannot run on this host"),
}


def execution_metrics() -> Iterable:
    by_status = dict(Execution.objects.order_by().values_list("status").annotate(n=Count("pk")))
    executions = GaugeMetricFamily(
        "bimflow_executions", "Executions in the database, by status.", labels=["status"]
    )
    for status in ExecutionStatus.values:
        executions.add_metric([status], by_status.get(status, 0))
    yield executions
    yield histogram_family(
        "bimflow_execution_duration_seconds",
        "Run time of finished executions (in the sandbox), by status.",
        Execution.objects.filter(status__in=FINAL_STATUSES).order_by(),
        "duration_ms",
        DURATION_BUCKETS,
        scale=0.001,
        label="status",
    )
    failed = Execution.objects.filter(
        status__in=[ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT]
    ).order_by()
    counts = failed.aggregate(
        **{reason: Count("pk", filter=q) for reason, q in SANDBOX_FAILURES.items()}
    )
    sandbox = GaugeMetricFamily(
        "bimflow_sandbox_failures",
        "Executions that failed because the sandbox could not run the script or stopped "
        "it at a limit, by reason.",
        labels=["reason"],
    )
    for reason in SANDBOX_FAILURES:
        sandbox.add_metric([reason], counts[reason])
    yield sandbox
