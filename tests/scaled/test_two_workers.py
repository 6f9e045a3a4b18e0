"""Two worker processes and the web, each in a folder of its own, sharing nothing but
PostgreSQL, Redis and an S3-compatible bucket: 100 executions over 10 versions all
succeed, are spread over both workers, and never share a sandbox uid while running."""

from __future__ import annotations

import hashlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import ifcopenshell
import pytest

from tests.ifc_factory import small_building
from tests.scaled.conftest import (
    create_script,
    dump,
    start_execution,
    stdout_lines,
    upload,
    wait_executions,
    wait_versions,
)

pytestmark = [pytest.mark.scaled, pytest.mark.slow]

# Counts walls from the file's text (no library import: quick), and leaves a file; says
# which uid it ran as and when (from inside the sandbox, while its slot is held).
COUNT_WALLS = """
import os, time
began = time.time()
text = model_path.read_text(errors="replace")
walls = text.count("=IFCWALL(")
print(f"walls {walls}")
save_output("walls.txt", f"{walls}\\n")
result["walls"] = walls
time.sleep(0.2)
result["ran"] = [os.getuid(), began, time.time()]
"""


def test_100_executions_over_10_versions_on_two_workers(stack, tmp_path):
    url = stack.start_web()
    stack.start_worker("worker-a", "-c", "2")
    stack.start_worker("worker-b", "-c", "2")
    s = stack.session()
    project = s.post(f"{url}/api/projects/", json={"name": "Two workers"}).json()

    # Ten versions of one model, each with a different number of walls.
    oracle: dict[int, int] = {}
    version_ids = []
    for i in range(10):
        path = tmp_path / f"tower-{i}.ifc"
        small_building(path, walls=3 + i)
        resp = upload(s, url, project["id"], path, model="Tower")
        assert resp.status_code == 201, resp.text
        version_ids.append(resp.json()["id"])
        oracle[resp.json()["id"]] = len(ifcopenshell.open(str(path)).by_type("IfcWall"))
    versions = wait_versions(s, url, version_ids)
    assert {v["status"] for v in versions.values()} == {"ready"}, dump(versions)
    assert [versions[v]["number"] for v in version_ids] == list(range(1, 11))

    script = create_script(s, url, COUNT_WALLS, "count walls")
    with ThreadPoolExecutor(8) as pool:
        executions = list(
            pool.map(
                lambda n: start_execution(s, url, script["id"], version_ids[n % 10]),
                range(100),
            )
        )
    # Accepted; a worker may already have taken one before the answer was written.
    assert {e["status"] for e in executions} <= {"queued", "running", "succeeded"}
    ids = [e["id"] for e in executions]
    statuses = wait_executions(stack, ids, timeout=400)
    assert Counter(statuses.values()) == {"succeeded": 100}

    # Every result is right for its version (oracle: ifcopenshell on the uploaded file),
    # and its log has exactly the line the script printed.
    rows = stack.sql(
        "SELECT id, version_id, result, worker, attempts FROM scripting_execution "
        "WHERE id = ANY(%s)",
        (ids,),
    )
    assert len(rows) == 100
    for eid, vid, result, _worker, attempts in rows:
        assert result["walls"] == oracle[vid], (eid, vid, result)
        assert attempts == 1
    version_of = {eid: vid for eid, vid, *_ in rows}
    for eid in ids[:5]:
        assert stdout_lines(stack, eid) == [f"walls {oracle[version_of[eid]]}"]

    # Spread over both workers: each execution names the pool process that ran it.
    children = {name: stack.worker_children(name) for name in ("worker-a", "worker-b")}
    ran_on = Counter()
    for _eid, _vid, _result, worker, _attempts in rows:
        pid = int(worker.rsplit(":", 1)[1])
        owner = [name for name, pids in children.items() if pid in pids]
        assert len(owner) == 1, (worker, children)
        ran_on[owner[0]] += 1
    assert set(ran_on) == {"worker-a", "worker-b"} and min(ran_on.values()) >= 10, ran_on

    # Two jobs running at the same time never had the same sandbox uid, although the
    # workers have separate sandbox folders.
    runs = sorted((tuple(result["ran"]) for _, _, result, _, _ in rows), key=lambda r: r[1])
    overlapping = 0
    for i, (uid, _start, end) in enumerate(runs):
        for uid2, start2, _end2 in runs[i + 1 :]:
            if start2 >= end:
                break
            overlapping += 1
            assert uid2 != uid, f"uid {uid} used by two runs at the same time"
    assert overlapping >= 10  # the check saw jobs running side by side

    # The web, which shares no disk with the workers, serves the files they uploaded.
    detail = s.get(f"{url}/api/executions/{ids[0]}/").json()
    [result_file] = detail["files"]
    body = s.get(f"{url}{result_file['url']}").content
    assert body == f"{oracle[detail['version']]}\n".encode()
    assert hashlib.sha256(body).hexdigest() == result_file["sha256"]
    keys = stack.s3.keys(stack.bucket, f"projects/{project['id']}/")
    assert sum(k.endswith("/walls.txt") for k in keys) == 100
    assert sum(k.endswith(".bfpack") for k in keys) == 10
