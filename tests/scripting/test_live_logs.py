"""Live logs over Server-Sent Events, watched by a real HTTP client (httpx, streaming)
on the real web process while the real worker runs the script; and the two other ways
to read a log (`logs/?after=`, `logs.txt`)."""

from __future__ import annotations

import json
import time
from datetime import datetime

import httpx
import pytest
from rest_framework.authtoken.models import Token

from tests.live import wait_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("live_worker"),
]

TICKER = """
import time
for i in range(30):
    print(f"{i} {time.time():.6f}", flush=True)
    time.sleep(0.1)
"""


def sse(client: httpx.Client, url: str, last_event_id: str | None, *, stop_after: int = 0):
    """Yield (event, id, data, received_at) until the stream ends, or until `stop_after`
    stdout log lines were received (then the connection is dropped)."""
    headers = {"Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    seen = 0
    with client.stream("GET", url, headers=headers, timeout=httpx.Timeout(30, read=30)) as resp:
        assert resp.status_code == 200, resp.read()
        assert resp.headers["content-type"].startswith("text/event-stream")
        event, event_id, data = "message", None, []
        for raw in resp.iter_lines():
            if raw == "":
                if data:
                    payload = json.loads("\n".join(data))
                    yield event, event_id, payload, time.time()
                    if event == "log" and payload["stream"] == "stdout":
                        seen += 1
                        if stop_after and seen >= stop_after:
                            return
                event, event_id, data = "message", None, []
            elif raw.startswith("id:"):
                event_id = raw[3:].strip()
            elif raw.startswith("event:"):
                event = raw[6:].strip()
            elif raw.startswith("data:"):
                data.append(raw[5:].lstrip())


def test_live_lines_arrive_in_order_and_a_reconnect_resumes_exactly(
    scripts, small_version, live_web
):
    vid, _ = small_version
    token = Token.objects.get_or_create(user=scripts.user)[0].key
    execution = scripts.start(scripts.create(TICKER, name="ticker")["id"], vid)
    url = f"{live_web}/api/executions/{execution['id']}/events/"
    events = []
    with httpx.Client(headers={"Authorization": f"Token {token}"}) as client:
        # First connection: drop it after 8 printed lines, as a flaky network would.
        events += list(sse(client, url, None, stop_after=8))
        first_part = len(events)
        assert scripts.get(execution["id"])["status"] == "running"
        last_id = next(e[1] for e in reversed(events) if e[1] is not None)
        events += list(sse(client, url, last_id))
    body = scripts.get(execution["id"])
    assert body["status"] == "succeeded", body["error"]

    logs = [(e[2], e[3]) for e in events if e[0] == "log"]
    seqs = [data["seq"] for data, _ in logs]
    assert seqs == list(range(1, body["log_count"] + 1))  # in order, no gap, no duplicate
    stdout = [(data, received) for data, received in logs if data["stream"] == "stdout"]
    assert [int(d["text"].split()[0]) for d, _ in stdout] == list(range(30))
    printed = [float(d["text"].split()[1]) for d, _ in stdout]
    latencies = [received - at for (_, received), at in zip(stdout, printed, strict=True)]
    print("latency of each line (s):", " ".join(f"{x:.2f}" for x in latencies))
    assert latencies[0] < 1.0
    assert max(latencies) < 2.0  # generous: a shared, loaded machine
    # Lines came while the script ran: the first before the last one was even printed.
    assert stdout[0][1] < printed[-1]
    finished = datetime.fromisoformat(body["finished_at"]).timestamp()
    assert stdout[len(stdout) // 2][1] < finished
    # Each connection says the status; the stream ends after the final status.
    assert events[0][0] == "status" and events[0][2]["status"] in ("queued", "running")
    assert "status" in [e[0] for e in events[first_part:]]
    assert [e[0] for e in events[-2:]] == ["status", "end"]
    assert events[-2][2]["status"] == "succeeded" and events[-1][2] == {"status": "succeeded"}

    # After the end, a reconnect from any point gets exactly the rest, then ends.
    with httpx.Client(headers={"Authorization": f"Token {token}"}) as client:
        again = list(sse(client, url, "5"))
    assert [e[2]["seq"] for e in again if e[0] == "log"] == list(range(6, body["log_count"] + 1))
    assert [e[0] for e in again[-2:]] == ["status", "end"]

    # The same log by pages after a seq, and as one text file.
    rows = scripts.client.get(f"/api/executions/{execution['id']}/logs/?after=5&page_size=10")
    rows = rows.json()
    assert rows["count"] == body["log_count"] - 5
    assert [r["seq"] for r in rows["results"]] == list(range(6, 16))
    assert rows["next"] and "after=5" in rows["next"]
    text = scripts.log_text(execution["id"])
    expected = "".join(
        (f"[{d['stream']}] " if d["stream"] != "stdout" else "") + d["text"] + "\n" for d, _ in logs
    )
    assert text == expected


def test_events_of_a_queued_then_cancelled_execution_end(scripts, small_version, live_web):
    """A stream opened on an execution that never runs still ends with its final status."""
    vid, _ = small_version
    token = Token.objects.get_or_create(user=scripts.user)[0].key
    slow = scripts.create("import time\ntime.sleep(30)\n", name="slow")
    # Two running executions keep the worker's two slots busy; the third waits.
    busy = [scripts.start(slow["id"], vid) for _ in range(2)]
    wait_for(
        lambda: all(scripts.get(e["id"])["status"] == "running" for e in busy),
        timeout=60,
        what="both slots to be busy",
    )
    waiting = scripts.start(slow["id"], vid)
    url = f"{live_web}/api/executions/{waiting['id']}/events/"
    with httpx.Client(headers={"Authorization": f"Token {token}"}) as client:
        stream = sse(client, url, None)
        first = next(stream)
        assert first[0] == "status" and first[2]["status"] == "queued"
        scripts.client.post(f"/api/executions/{waiting['id']}/cancel/")
        rest = list(stream)
    assert [e[0] for e in rest] == ["status", "end"]
    assert rest[0][2]["status"] == "cancelled"
    for e in busy:
        scripts.client.post(f"/api/executions/{e['id']}/cancel/")
    for e in busy:
        assert scripts.wait(e["id"])["status"] == "cancelled"
