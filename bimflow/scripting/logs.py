"""Writing an execution's log lines: numbered from 1 without gaps, stored in batches."""

from __future__ import annotations

import time

from django.db import transaction
from django.utils import timezone

from bimflow.scripting.models import Execution, LogLine

FLUSH_LINES = 500
FLUSH_SECONDS = 0.2


class LogWriter:
    """Buffers lines and writes them in order, in batches; seq continues after any line
    already stored (a retried execution keeps its earlier lines)."""

    def __init__(self, execution_id: int):
        self.execution_id = execution_id
        last = (
            LogLine.objects.filter(execution_id=execution_id).order_by("-seq").values("seq").first()
        )
        self.next_seq = (last["seq"] if last else 0) + 1
        self.buffer: list[LogLine] = []
        self.last_flush = time.monotonic()

    def add(self, stream: str, text: str) -> None:
        self.buffer.append(
            LogLine(
                execution_id=self.execution_id,
                seq=self.next_seq,
                stream=stream,
                text=text,
                ts=timezone.now(),
            )
        )
        self.next_seq += 1
        if len(self.buffer) >= FLUSH_LINES or time.monotonic() - self.last_flush >= FLUSH_SECONDS:
            self.flush()

    def system(self, text: str) -> None:
        self.add("system", text)

    def flush(self) -> None:
        self.last_flush = time.monotonic()
        if not self.buffer:
            Execution.objects.filter(pk=self.execution_id).update(heartbeat_at=timezone.now())
            return
        batch, self.buffer = self.buffer, []
        with transaction.atomic():
            LogLine.objects.bulk_create(batch)
            Execution.objects.filter(pk=self.execution_id).update(
                log_count=batch[-1].seq, heartbeat_at=timezone.now()
            )
