"""Logs with no gaps and no duplicates: a live stream that survives a restart of the web
process, 1,000 executions of 1,000 numbered lines each, and a task delivered twice."""

from __future__ import annotations

import json
import time

import pytest
import requests

from tests.live import wait_for
from tests.scaled.conftest import (
    create_script,
    dump,
    start_execution,
    stdout_lines,
    wait_executions,
)
from tests.scaled.test_faults import _ready_version, numbered

pytestmark = [pytest.mark.scaled, pytest.mark.slow]


def _events(resp: requests.Response):
    """(event, id, data) of each complete Server-Sent Event of a streaming response."""
    kind, eid, data = None, None, []
    for raw in resp.iter_lines(decode_unicode=True):
        if raw == "":
            if kind is not None:
                yield kind, eid, json.loads("\n".join(data)) if data else None
            kind, eid, data = None, None, []
        elif raw.startswith("event: "):
            kind = raw[len("event: ") :]
        elif raw.startswith("id: "):
            eid = raw[len("id: ") :]
        elif raw.startswith("data: "):
            data.append(raw[len("data: ") :])


def test_sse_client_reconnects_across_a_web_restart_and_gets_every_line_once(stack, tmp_path):
    url = stack.start_web()
    stack.start_worker("worker", "-c", "1")
    s = stack.session()
    _, vid = _ready_version(stack, s, url, tmp_path)
    script = create_script(s, url, numbered(300, 0.03), "count to 300")
    eid = start_execution(s, url, script["id"], vid)["id"]

    seen: list[int] = []
    lines: list[tuple[str, str]] = []
    last_id = None
    restarted = False
    connections = 0
    ended = False
    deadline = time.monotonic() + 180
    while not ended and time.monotonic() < deadline:
        headers = {"Last-Event-ID": last_id} if last_id else {}
        try:
            with s.get(
                f"{url}/api/executions/{eid}/events/", headers=headers, stream=True, timeout=30
            ) as resp:
                assert resp.status_code == 200, resp.text
                connections += 1
                for kind, event_id, data in _events(resp):
                    last_id = event_id or last_id
                    if kind == "log":
                        seen.append(data["seq"])
                        lines.append((data["stream"], data["text"]))
                        if not restarted and len(lines) >= 40:
                            restarted = True
                            # The web goes down mid-stream and comes back on its port.
                            stack.stop("web")
                            stack.start_web()
                    elif kind == "end":
                        ended = True
                        break
        except requests.RequestException:
            time.sleep(0.5)  # the web is restarting: reconnect, as EventSource does
    assert ended and restarted and connections >= 2, (ended, restarted, connections)
    log_count = stack.sql("SELECT log_count FROM scripting_execution WHERE id = %s", (eid,))[0][0]
    assert seen == list(range(1, log_count + 1))
    assert [text for stream, text in lines if stream == "stdout"] == [str(i) for i in range(1, 301)]


def test_1000_executions_of_1000_numbered_lines(stack, tmp_path):
    url = stack.start_web()
    stack.start_worker("worker-a", "-c", "2")
    stack.start_worker("worker-b", "-c", "2")
    s = stack.session()
    _, vid = _ready_version(stack, s, url, tmp_path)
    script = create_script(s, url, "for i in range(1, 1001):\n    print(i)\n", "count to 1000")
    # Queued the way the API queues them (the same service), from an operator's shell,
    # so that the thousand requests do not dominate the test's time.
    out = stack.shell(
        "from django.contrib.auth import get_user_model\n"
        "from django.db import transaction\n"
        "from bimflow.projects.models import ModelVersion\n"
        "from bimflow.scripting.models import Script\n"
        "from bimflow.scripting.services import execution_create\n"
        "user = get_user_model().objects.get(username='admin')\n"
        f"script = Script.objects.get(pk={script['id']})\n"
        f"version = ModelVersion.objects.select_related('model').get(pk={vid})\n"
        "ids = []\n"
        "for _ in range(1000):\n"
        "    with transaction.atomic():\n"
        "        ids.append(execution_create(script=script, version=version, parameters={},"
        " user=user).pk)\n"
        "print('ids', ids[0], ids[-1])\n"
    )
    [line] = [x for x in out.splitlines() if x.startswith("ids ")]
    first, last = (int(x) for x in line.split()[1:])
    ids = list(range(first, last + 1))
    assert len(ids) == 1000
    statuses = wait_executions(stack, ids, timeout=900)
    bad = {k: v for k, v in statuses.items() if v != "succeeded"}
    assert not bad, dump(bad)

    # Checked in the database, independently of bimflow: each execution has stdout lines
    # "1".."1000" in seq order, seq numbers 1..n without gaps, no line twice.
    rows = stack.sql(
        """
        WITH l AS (
            SELECT execution_id, seq, stream, text,
                   row_number() OVER (PARTITION BY execution_id ORDER BY seq) AS pos,
                   row_number() OVER (
                       PARTITION BY execution_id, stream ORDER BY seq) AS stream_pos
            FROM scripting_logline WHERE execution_id = ANY(%s)
        )
        SELECT execution_id,
               count(*) FILTER (WHERE stream = 'stdout'),
               bool_and(seq = pos),
               bool_and(stream <> 'stdout' OR text = stream_pos::text),
               count(DISTINCT seq) = count(*)
        FROM l GROUP BY execution_id
        """,
        (ids,),
    )
    assert len(rows) == 1000
    problems = [r for r in rows if r[1:] != (1000, True, True, True)]
    assert not problems, problems[:5]
    counts = stack.sql(
        "SELECT count(*) FROM scripting_execution e WHERE id = ANY(%s) AND log_count = "
        "(SELECT count(*) FROM scripting_logline l WHERE l.execution_id = e.id)",
        (ids,),
    )
    assert counts[0][0] == 1000


def test_a_task_delivered_twice_runs_once(stack, tmp_path):
    """The same run and ingest messages sent again while the first is being handled (as
    a broker redelivers them): each execution and ingest runs once, logs have no
    duplicate line, the catalog no duplicate element."""
    url = stack.start_web()
    stack.start_worker("worker-a", "-c", "2")
    stack.start_worker("worker-b", "-c", "2")
    s = stack.session()
    project_id, vid = _ready_version(stack, s, url, tmp_path, walls=6)
    script = create_script(s, url, numbered(100, 0.01), "count to 100")
    ids = [start_execution(s, url, script["id"], vid)["id"] for _ in range(4)]
    # Each message three more times, to whichever worker takes it first.
    stack.shell(
        "from bimflow.core.dispatch import task_send\n"
        "from bimflow.projects.tasks import ingest_version\n"
        "from bimflow.scripting.tasks import run_execution\n"
        f"for eid in {ids}:\n"
        "    for _ in range(3):\n"
        "        assert task_send(run_execution, eid)\n"
        "for _ in range(3):\n"
        f"    assert task_send(ingest_version, {vid})\n"
    )
    statuses = wait_executions(stack, ids)
    assert set(statuses.values()) == {"succeeded"}
    for eid in ids:
        assert stdout_lines(stack, eid) == [str(i) for i in range(1, 101)]
        seqs = [q for (q,) in stack.sql(
            "SELECT seq FROM scripting_logline WHERE execution_id = %s ORDER BY seq", (eid,)
        )]  # fmt: skip
        assert seqs == list(range(1, len(seqs) + 1))
    attempts = stack.sql("SELECT attempts FROM scripting_execution WHERE id = ANY(%s)", (ids,))
    assert [a for (a,) in attempts] == [1, 1, 1, 1]

    # Wait until the redelivered ingests have been taken (and skipped).
    def drained():
        depths = s.get(f"{url}/api/health/").json()["queues"]
        return depths["ingest"] == 0 and depths["executions"] == 0

    wait_for(drained, timeout=60, what="the queues to drain")
    time.sleep(1)
    [(status, attempts, elements)] = stack.sql(
        "SELECT status, ingest_attempts, element_count FROM projects_modelversion WHERE id = %s",
        (vid,),
    )
    assert (status, attempts) == ("ready", 1)
    stored = stack.sql("SELECT count(*) FROM catalog_element WHERE version_id = %s", (vid,))
    assert stored[0][0] == elements
    assert s.get(f"{url}/api/projects/{project_id}/").status_code == 200
