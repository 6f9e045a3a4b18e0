"""Retention: log lines and result files of old executions are removed; the execution
records and their findings stay, and versions are never removed automatically."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from bimflow.projects import storage
from bimflow.scripting.models import Execution, LogLine, ResultFile

log = logging.getLogger(__name__)
BATCH = 500


def purge_candidates(*, days: int | None = None):
    """Executions that ended more than `days` (BIMFLOW_RESULT_RETENTION_DAYS) ago and
    still have log lines or unpurged files."""
    days = settings.BIMFLOW_RESULT_RETENTION_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    return (
        Execution.objects.filter(finished_at__lt=cutoff)
        .filter(Q(logs_purged=False) | Q(files__purged=False))
        .distinct()
        .order_by("id")
    )


def results_purge(*, days: int | None = None, dry_run: bool = False) -> dict:
    """Remove the log lines and stored result files of old executions (marking them
    `logs_purged` / `purged`, so the API says they went), or with `dry_run` only count
    what would go. Returns executions, log_lines, files and bytes."""
    summary = {"executions": 0, "log_lines": 0, "files": 0, "bytes": 0, "dry_run": dry_run}
    ids = list(purge_candidates(days=days).values_list("id", flat=True))
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        lines = LogLine.objects.filter(execution_id__in=chunk)
        files = ResultFile.objects.filter(execution_id__in=chunk, purged=False)
        summary["executions"] += len(chunk)
        summary["log_lines"] += lines.count()
        for f in files:
            summary["files"] += 1
            summary["bytes"] += f.size
            if not dry_run:
                storage.delete_quietly(f.storage_name)
        if dry_run:
            continue
        files.update(purged=True)
        lines.delete()
        Execution.objects.filter(pk__in=chunk).update(logs_purged=True)
    if not dry_run and summary["executions"]:
        log.info(
            "Retention: removed %(log_lines)s log lines and %(files)s files (%(bytes)s bytes) "
            "of %(executions)s executions",
            summary,
        )
    return summary
