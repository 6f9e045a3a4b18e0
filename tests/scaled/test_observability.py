"""`/metrics` and `/api/health/` on the scaled set-up: the values match the database and
the broker, read independently here."""

from __future__ import annotations

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.scaled.conftest import create_script, start_execution, wait_executions
from tests.scaled.test_faults import _ready_version, numbered

pytestmark = [pytest.mark.scaled, pytest.mark.slow]

QUEUES = ("default", "ingest", "executions")


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_metrics_match_the_database_and_the_broker(stack, tmp_path):
    url = stack.start_web()
    stack.start_worker("worker", "-c", "2")
    s = stack.session()
    _, vid = _ready_version(stack, s, url, tmp_path)
    ok = create_script(s, url, numbered(5, 0), "ok")
    raises = create_script(s, url, "raise ValueError('bad input')\n", "raises")
    slow = create_script(s, url, "import time\ntime.sleep(30)\n", "slow", limits={"timeout_s": 1})
    hungry = create_script(
        s, url, "data = bytearray(600 * 1024 * 1024)\nprint(len(data))\n", "hungry",
        limits={"memory_mb": 200},
    )  # fmt: skip
    ids = [start_execution(s, url, ok["id"], vid)["id"] for _ in range(3)]
    ids += [start_execution(s, url, sc["id"], vid)["id"] for sc in (raises, slow, hungry)]
    statuses = wait_executions(stack, ids, timeout=180)
    assert [statuses[i] for i in ids] == [
        "succeeded", "succeeded", "succeeded", "failed", "timed_out", "failed",
    ]  # fmt: skip

    # Two more wait in the queue: no worker takes them.
    stack.stop("worker")
    waiting = [start_execution(s, url, ok["id"], vid)["id"] for _ in range(2)]

    assert requests.get(f"{url}/metrics", timeout=30).status_code == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert requests.get(f"{url}/metrics", headers=wrong, timeout=30).status_code == 401
    bearer = {"Authorization": f"Bearer {stack.metrics_token}"}
    resp = requests.get(f"{url}/metrics", headers=bearer, timeout=30)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("text/plain")
    staff = s.get(f"{url}/metrics", timeout=30)  # a superuser's API token
    assert staff.status_code == 200
    m = _samples(resp.text)

    by_status = dict(stack.sql("SELECT status, count(*) FROM scripting_execution GROUP BY 1"))
    assert by_status == {"succeeded": 3, "failed": 2, "timed_out": 1, "queued": 2}
    for status in ("queued", "running", "succeeded", "failed", "timed_out", "cancelled"):
        assert m[("bimflow_executions", (("status", status),))] == by_status.get(status, 0)

    for status, count, total, under_1s in stack.sql(
        "SELECT status, count(*), sum(duration_ms) / 1000.0, "
        "count(*) FILTER (WHERE duration_ms <= 1000) FROM scripting_execution "
        "WHERE duration_ms IS NOT NULL GROUP BY 1"
    ):
        label = (("status", status),)
        assert m[("bimflow_execution_duration_seconds_count", label)] == count
        assert m[("bimflow_execution_duration_seconds_sum", label)] == pytest.approx(float(total))
        bucket = ("bimflow_execution_duration_seconds_bucket", (("le", "1.0"), ("status", status)))
        assert m[bucket] == under_1s

    # The sandbox stopped one run at its time limit and one at its memory limit; the
    # script that raised is its own failure, not the sandbox's.
    failures = {
        labels[0][1]: value
        for (name, labels), value in m.items()
        if name == "bimflow_sandbox_failures"
    }
    assert failures["timeout"] == 1 and failures["memory"] == 1
    assert sum(failures.values()) == 2

    [(ready, ingest_total)] = stack.sql(
        "SELECT count(*), sum(ingest_seconds) FROM projects_modelversion WHERE status = 'ready'"
    )
    assert m[("bimflow_versions", (("status", "ready"),))] == ready == 1
    assert m[("bimflow_ingest_duration_seconds_count", ())] == ready
    assert m[("bimflow_ingest_duration_seconds_sum", ())] == pytest.approx(ingest_total)

    redis = stack.redis.client()
    for queue in QUEUES:
        assert m[("bimflow_queue_depth", (("queue", queue),))] == redis.llen(queue)
    assert redis.llen("executions") == 2
    assert m[("bimflow_workers_alive", ())] == 0

    health = s.get(f"{url}/api/health/").json()
    assert health["queues"] == {q: redis.llen(q) for q in QUEUES}
    assert health["workers"] == []
    assert waiting
