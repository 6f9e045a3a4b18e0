"""Upload -> ready on PostgreSQL and Redis with a real worker process started here."""

import re
import time

import ifcopenshell
import pytest
import requests

from tests.conftest import shared_model

pytestmark = [pytest.mark.scaled, pytest.mark.slow]


def test_upload_to_ready_on_postgres_and_redis(stack):
    url = stack.start_web()
    stack.start_worker("worker-a")
    token = stack.user_token()
    s = requests.Session()
    s.headers["Authorization"] = f"Token {token}"
    project = s.post(f"{url}/api/projects/", json={"name": "Scaled"}).json()
    path = shared_model("AC20-FZK-Haus.ifc")
    with open(path, "rb") as fh:
        resp = s.post(f"{url}/api/projects/{project['id']}/versions/", files={"file": fh})
    assert resp.status_code == 201, resp.text
    vid = resp.json()["id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        version = s.get(f"{url}/api/versions/{vid}/").json()
        if version["status"] in ("ready", "failed"):
            break
        time.sleep(0.5)
    assert version["status"] == "ready", (version, stack.tail("worker-a"))

    oracle = {}
    for p in ifcopenshell.open(str(path)).by_type("IfcProduct"):
        oracle[p.is_a()] = oracle.get(p.is_a(), 0) + 1
    stats = s.get(f"{url}/api/versions/{vid}/statistics/").json()
    assert {row["ifc_class"]: row["count"] for row in stats["by_class"]} == oracle
    assert version["element_count"] == sum(oracle.values())
    health = s.get(f"{url}/api/health/").json()
    assert health["database"] == "ok" and health["broker"] == "ok"
    assert any(w["hostname"].startswith("worker-a@") for w in health["workers"])

    # The ingest refreshed the planner's statistics: PostgreSQL knows how many elements
    # the version has (stale statistics made it sort every element for each page of the
    # elements list instead of walking the (version, step_id) index).
    plan = stack.sql("EXPLAIN SELECT * FROM catalog_element WHERE version_id = %s", (vid,))
    estimated = int(re.search(r"rows=(\d+)", plan[0][0]).group(1))
    assert abs(estimated - version["element_count"]) <= 0.1 * version["element_count"], plan
