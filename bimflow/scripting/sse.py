"""Live view of an execution as Server-Sent Events.

`status` and `log` events carry `id: <seq of the last log line sent>`, so a client that
reconnects with `Last-Event-ID` gets exactly the lines after it. The stream ends after
the final status, once every line has been sent. The view is async (ASGI) so a waiting
client holds no worker thread.
"""

from __future__ import annotations

import asyncio
import json

from asgiref.sync import sync_to_async
from django.http import Http404, HttpResponse, StreamingHttpResponse
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from bimflow.accounts.permissions import project_role
from bimflow.scripting.models import FINAL_STATUSES, Execution, LogLine

POLL_S = 0.2
KEEPALIVE_S = 15
BATCH = 1000


def _user(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    try:
        auth = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        return None
    return auth[0] if auth else None


def _status(execution_id: int) -> dict | None:
    row = (
        Execution.objects.filter(pk=execution_id)
        .values("status", "error", "exit_code", "duration_ms", "findings_count", "log_count")
        .first()
    )
    return row


def _lines(execution_id: int, after: int) -> list[tuple[int, str, str, str]]:
    qs = LogLine.objects.filter(execution_id=execution_id, seq__gt=after).order_by("seq")
    return [
        (seq, stream, text, ts.isoformat())
        for seq, stream, text, ts in qs.values_list("seq", "stream", "text", "ts")[:BATCH]
    ]


def _event(kind: str, seq: int, data: dict) -> str:
    return f"id: {seq}\nevent: {kind}\ndata: {json.dumps(data)}\n\n"


async def execution_events(request, execution_id: int):
    user = await sync_to_async(_user)(request)
    if user is None:
        return HttpResponse(
            '{"detail": "Authentication credentials were not provided."}',
            status=401,
            content_type="application/json",
        )
    project_id = await sync_to_async(
        lambda: (
            Execution.objects.filter(pk=execution_id).values_list("project_id", flat=True).first()
        )
    )()
    if project_id is None or await sync_to_async(project_role)(user, project_id) is None:
        raise Http404("Not found.")
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id") or "0"
    after = int(raw) if raw.isdigit() else 0

    async def stream():
        nonlocal after
        last_status = None
        idle = 0.0
        yield "retry: 1000\n\n"
        while True:
            status = await sync_to_async(_status)(execution_id)
            if status is None:
                return
            lines = await sync_to_async(_lines)(execution_id, after)
            for seq, stream_name, text, ts in lines:
                after = seq
                yield _event(
                    "log", seq, {"seq": seq, "stream": stream_name, "text": text, "ts": ts}
                )
            key = (status["status"], status["error"], status["exit_code"])
            if key != last_status:
                last_status = key
                yield _event("status", after, status)
            if lines:
                idle = 0.0
                continue  # more may be waiting
            if status["status"] in FINAL_STATUSES and after >= status["log_count"]:
                yield _event("end", after, {"status": status["status"]})
                return
            await asyncio.sleep(POLL_S)
            idle += POLL_S
            if idle >= KEEPALIVE_S:
                idle = 0.0
                yield ": keep-alive\n\n"

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
