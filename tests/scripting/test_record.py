"""Every execution keeps its provenance: the exact code revision, the parameters, the
model's sha256, and the bimflow and ifcopenshell versions that ran it."""

from __future__ import annotations

import hashlib
import json

import ifcopenshell
import pytest

import bimflow

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("live_worker"),
]


def revision_sha(code: str, schema: dict) -> str:
    """The documented formula (docs/scripting.md): code, a marker, the schema's JSON."""
    payload = code + "\n#schema:" + json.dumps(schema, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def test_each_execution_records_what_ran(scripts, personas, tmp_path):
    from tests.ifc_factory import small_building
    from tests.scripting.conftest import upload_ready

    path = tmp_path / "Provenance.ifc"
    small_building(path, walls=2)
    vid = upload_ready(scripts.client, scripts.project.pk, path)
    v1 = "print('revision one')\nresult['params'] = params\n"
    script = scripts.create(v1, name="evolving")
    first = scripts.wait(scripts.start(script["id"], vid)["id"])

    schema = {"type": "object", "properties": {"limit": {"type": "integer", "default": 7}}}
    v2 = "print('revision two')\nresult['params'] = params\n"
    resp = scripts.client.patch(
        f"/api/scripts/{script['id']}/", {"code": v2, "parameters_schema": schema}, format="json"
    )
    assert resp.json()["revision"] == 2
    second = scripts.wait(scripts.start(script["id"], vid, {})["id"])
    third = scripts.wait(scripts.start(script["id"], vid, {"limit": 3})["id"])

    revisions = {
        r["number"]: r for r in scripts.client.get(f"/api/scripts/{script['id']}/revisions/").json()
    }
    model_sha = hashlib.sha256(path.read_bytes()).hexdigest()
    for body, number, code, params in (
        (first, 1, v1, {}),
        (second, 2, v2, {"limit": 7}),
        (third, 2, v2, {"limit": 3}),
    ):
        assert body["status"] == "succeeded", body["error"]
        assert body["revision"] == number and revisions[number]["code"] == code
        assert body["script_sha256"] == revisions[number]["sha256"]
        assert body["script_sha256"] == revision_sha(code, revisions[number]["parameters_schema"])
        assert body["parameters"] == params and body["result"] == {"params": params}
        assert body["model_sha256"] == model_sha
        assert body["bimflow_version"] == bimflow.__version__
        assert body["ifcopenshell_version"] == ifcopenshell.version
        assert body["triggered_by"] == "carol"
        assert body["queued_at"] <= body["started_at"] <= body["finished_at"]
        assert body["duration_ms"] > 0 and body["exit_code"] == 0
        assert body["peak_memory_kb"] > 0
        # What the sandbox enforced and the limits it ran with are kept too.
        assert body["protections"]["mode"] == "root" and body["protections"]["uid_drop"]
        assert body["limits"]["timeout_s"] == 300 and body["limits"]["hit"] == []
        # ... and the first log lines say the same in words.
        first_line = scripts.logs(body["id"])[0]
        assert first_line["stream"] == "system"
        assert first_line["text"].startswith("Sandbox: uid drop to 61")
        assert "seccomp on, no network" in first_line["text"]
    assert "revision one" in scripts.log_text(first["id"])
    assert "revision two" in scripts.log_text(second["id"])
    # The record survives later edits of the script.
    scripts.client.patch(f"/api/scripts/{script['id']}/", {"code": "print(3)\n"}, format="json")
    assert scripts.get(first["id"])["script_sha256"] == first["script_sha256"]
    assert scripts.get(first["id"])["revision"] == 1
