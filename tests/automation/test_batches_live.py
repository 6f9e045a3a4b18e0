"""Batch jobs through a real worker: every shared model, one execution per ready
version, a matrix whose counts equal the executions' findings (and an ifcopenshell
oracle); the summary as CSV and XLSX; cancelling; the `bimflow batch` CLI."""

import csv
import io
import subprocess
import sys

import openpyxl
import pytest
from rest_framework.authtoken.models import Token

from tests.automation.conftest import (
    COUNTING_SCRIPT,
    SLEEP_SCRIPT,
    counting_oracle,
    open_ifc,
    shared_script,
    upload_live,
    wait_ready,
)
from tests.conftest import REPO, api_client, shared_model, shared_models
from tests.ifc_factory import small_building
from tests.live import process_env, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

READABLE = [p.name for p in shared_models() if p.name != "V_L_Constructief.ifc"]
GEELEN = [f"GEELEN-Breedplaat V{n}.ifc" for n in (1, 2, 3)]


def all_findings(client, execution_id: int) -> list[dict]:
    rows, page = [], 1
    while True:
        data = client.get(
            f"/api/executions/{execution_id}/findings/?page_size=1000&page={page}"
        ).json()
        rows += data["results"]
        if not data["next"]:
            return rows
        page += 1


def wait_batch(client, batch_id: int, timeout: float = 400) -> dict:
    return wait_for(
        lambda: (b := client.get(f"/api/batches/{batch_id}/").json())["status"] != "running" and b,
        timeout=timeout,
        what=f"batch {batch_id} to end",
    )


def test_batch_over_every_shared_model(personas, upload, live_worker, builtins, tmp_path):
    if not READABLE:
        shared_model("AC20-FZK-Haus.ifc")  # skips (or fails in CI) with the reason
    p = personas["project"].pk
    carol = api_client(personas["coordinator"])
    counting = shared_script(personas["coordinator"], personas["project"], "Count", COUNTING_SCRIPT)
    files = {}
    for name in READABLE:
        # GEELEN V1 -> V2 -> V3 are three versions of one model.
        model = "GEELEN-Breedplaat" if name in GEELEN else None
        vid = upload_live(carol, upload, p, shared_model(name), model=model)
        files[vid] = shared_model(name)
    wait_ready(list(files), timeout=600)

    resp = carol.post(
        f"/api/projects/{p}/batches/",
        {"script": counting.slug, "versions": "all"},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    created = resp.json()
    assert created["total"] == len(files) and created["versions"] == "all"
    body = wait_batch(carol, created["id"])
    assert body["status"] == "succeeded", [r for r in body["matrix"] if r["status"] != "succeeded"]
    assert (body["total"], body["done"], body["failed"], body["running"]) == (
        len(files),
        len(files),
        0,
        0,
    )

    matrix = body["matrix"]
    assert sorted(r["version"] for r in matrix) == sorted(files)
    geelen = [r for r in matrix if r["model"] == "GEELEN-Breedplaat"]
    assert [r["version_number"] for r in geelen] == [1, 2, 3]
    for row in matrix:
        execution = carol.get(f"/api/executions/{row['execution']}/").json()
        assert (execution["version"], execution["status"]) == (row["version"], "succeeded")
        assert row["duration_ms"] == execution["duration_ms"]
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in all_findings(carol, row["execution"]):
            counts[f["severity"]] += 1
        assert row["findings"] == counts, row
        assert row["findings_total"] == execution["findings_count"]
        assert counts == counting_oracle(open_ifc(files[row["version"]], tmp_path)), row["model"]

    text = carol.get(f"/api/batches/{created['id']}/summary.csv").content.decode()
    table = list(csv.DictReader(io.StringIO(text)))
    assert [(r["model"], int(r["version"]), int(r["errors"]), int(r["warnings"])) for r in table] == [
        (r["model"], r["version_number"], r["findings"]["error"], r["findings"]["warning"])
        for r in matrix
    ]  # fmt: skip
    xlsx = carol.get(f"/api/batches/{created['id']}/summary.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:7] == ("model", "version", "status", "errors", "warnings", "infos", "findings")
    assert [(r[0], r[1], r[2], r[6]) for r in rows[1:]] == [
        (r["model"], r["version_number"], r["status"], r["findings_total"]) for r in matrix
    ]

    # "latest" takes one version per model; the filter is a glob on model names.
    latest = carol.post(
        f"/api/projects/{p}/batches/",
        {"script": counting.slug, "versions": "latest", "model_filter": "geelen*"},
        format="json",
    ).json()
    assert [(r["model"], r["version_number"]) for r in latest["matrix"]] == [
        ("GEELEN-Breedplaat", 3)
    ]
    assert wait_batch(carol, latest["id"])["status"] == "succeeded"
    feed = carol.get(f"/api/projects/{p}/activity/?kind=batch").json()["results"]
    assert [e["data"]["batch"] for e in feed] == [latest["id"], created["id"]]


def test_cancelling_a_running_batch_cancels_its_executions(
    personas, upload, live_worker, builtins, tmp_path
):
    p = personas["project"].pk
    carol = api_client(personas["coordinator"])
    sleeper = shared_script(personas["coordinator"], personas["project"], "Sleep", SLEEP_SCRIPT)
    ids = []
    for n in range(4):
        path = tmp_path / f"M{n}.ifc"
        small_building(path, walls=n + 1)
        ids.append(upload_live(carol, upload, p, path))
    wait_ready(ids)
    batch = carol.post(
        f"/api/projects/{p}/batches/",
        {"script": sleeper.slug, "versions": "all", "parameters": {"seconds": 120}},
        format="json",
    ).json()
    assert batch["total"] == 4
    wait_for(
        lambda: carol.get(f"/api/batches/{batch['id']}/").json()["running"] >= 1,
        timeout=120,
        what="an execution of the batch to run",
    )
    before = {
        r["execution"]: r["status"]
        for r in carol.get(f"/api/batches/{batch['id']}/").json()["matrix"]
    }
    assert "queued" in before.values() and "running" in before.values(), before
    resp = carol.post(f"/api/batches/{batch['id']}/cancel/")
    assert resp.status_code == 202 and resp.json()["status"] == "cancelled"
    final = wait_for(
        lambda: (b := carol.get(f"/api/batches/{batch['id']}/").json())["finished"] == 4 and b,
        timeout=60,
        what="every execution to end",
    )
    assert {r["status"] for r in final["matrix"]} == {"cancelled"}
    assert final["cancelled"] == 4 and final["status"] == "cancelled"
    assert carol.post(f"/api/batches/{batch['id']}/cancel/").status_code == 409


def test_batch_cli_with_progress(personas, upload, live_worker, live_web, builtins, tmp_path):
    p = personas["project"]
    carol = api_client(personas["coordinator"])
    ids = []
    for name, walls in (("ARK-1", 2), ("ARK-2", 3), ("STR-1", 1)):
        path = tmp_path / f"{name}.ifc"
        small_building(path, walls=walls)
        ids.append(upload_live(carol, upload, p.pk, path))
    wait_ready(ids)
    token, _ = Token.objects.get_or_create(user=personas["coordinator"])
    env = process_env(BIMFLOW_URL=live_web, BIMFLOW_TOKEN=token.key)
    done = subprocess.run(
        [sys.executable, "-m", "bimflow.cli", "batch", p.name, "guid-check", "--filter", "ARK-*",
         "-p", "max_findings_per_guid=5"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout, done.stderr)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Batch ") and "guid-check on 2 versions" in lines[0]
    assert [line.split()[:3] for line in lines[2:4]] == [
        ["ARK-1", "1", "succeeded"], ["ARK-2", "1", "succeeded"],
    ]  # fmt: skip
    assert "succeeded: 2 succeeded, 0 failed, 0 cancelled of 2." in lines[-1]
    assert "Running" in done.stderr  # the progress bar
    from bimflow.automation.models import BatchJob

    batch = BatchJob.objects.get()
    assert batch.parameters == {"max_findings_per_guid": 5} and batch.model_filter == "ARK-*"
    refused = subprocess.run(
        [sys.executable, "-m", "bimflow.cli", "batch", p.name, "guid-check", "--filter", "NONE-*"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert refused.returncode == 1
    assert "No model matching 'NONE-*' has a ready version to run on." in refused.stderr
    assert "Traceback" not in refused.stderr
