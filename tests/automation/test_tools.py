"""External tools: registration (settings or admin), the installation check, and a real
tool (ifctester, run as `python -m ifctester`) running on a version in the sandbox
through the worker, compared with ifctester run here directly."""

import json
import os
import subprocess
import sys
from pathlib import Path

import ifcopenshell
import pytest
from ifctester import ids, reporter

from tests.automation.conftest import upload_live, wait_ready
from tests.conftest import api_client
from tests.ifc_factory import small_building
from tests.live import wait_for

MISSING = "/nonexistent/bin/ifcconvert"


def tools_by_name(client) -> dict:
    resp = client.get("/api/tools/")
    assert resp.status_code == 200, resp.content
    return {t["name"]: t for t in resp.json()}


@pytest.mark.django_db
def test_installation_check_from_settings(personas, settings, caplog):
    settings.BIMFLOW_TOOLS = [
        {"name": "ifcconvert", "executable": MISSING, "args": ["{input}", "{output_dir}/x.glb"]},
        {"name": "python", "executable": sys.executable, "args": ["-c", "pass"]},
        {"name": "hangs", "executable": "/bin/sleep", "version_args": ["30"]},
        {"name": "broken", "executable": "/bin/true", "args": ["{model}"]},
    ]
    client = api_client(personas["viewer"])
    tools = tools_by_name(client)
    assert set(tools) == {"ifcconvert", "python", "hangs"}
    assert "unknown placeholder {model}" in caplog.text  # logged and left out

    missing = tools["ifcconvert"]
    assert (missing["installed"], missing["version"], missing["path"]) == (False, None, None)
    assert missing["detail"] == f"'{MISSING}' was not found on this server (or is not executable)."
    present = tools["python"]
    oracle = subprocess.run([sys.executable, "--version"], capture_output=True, text=True)
    assert present["installed"] is True and present["path"] == sys.executable
    assert present["version"] == (oracle.stdout or oracle.stderr).splitlines()[0].strip()
    assert present["script"] == "tool-python" and present["from_settings"] is True
    hangs = tools["hangs"]
    assert hangs["installed"] is True and hangs["version"] is None
    assert hangs["detail"] == "It did not answer 30 within 5 s."

    # Each tool is a built-in script of runtime `command` that every member can run.
    script = client.get("/api/scripts/tool-python/").json()
    assert (script["runtime"], script["builtin"], script["limits"]) == (
        "command", True, {"timeout_s": 600},
    )  # fmt: skip
    assert json.loads(script["code"])["executable"] == sys.executable

    # A tool taken out of the settings is retired: its script is hidden.
    settings.BIMFLOW_TOOLS = settings.BIMFLOW_TOOLS[:1]
    tools = tools_by_name(client)
    assert tools["python"]["is_active"] is False
    assert client.get("/api/scripts/tool-python/").status_code == 404


def test_command_paths_in_the_sandbox(settings, tmp_path):
    from bimflow.scripting.runner import command_job

    settings.BIMFLOW_SANDBOX = "bwrap"
    data = tmp_path / "rules"
    data.mkdir()
    code = json.dumps(
        {
            "executable": sys.executable,
            "args": ["-m", "tool", str(data / "a.ids"), "{input}", "-o", "{output_dir}/r.json"],
            "mounts": [str(data), "/usr/share"],
        }
    )
    job = command_job(code, "model.ifc", tmp_path / "m.ifc")
    # The executable is a venv's python: the whole venv is mounted (it finds its
    # pyvenv.cfg), at its own path unless that is under /tmp (the sandbox's own /tmp),
    # like a checkout cloned there; such folders go to /mnt/tools/N with arguments
    # rewritten; /usr is there already.
    venv = os.path.dirname(os.path.dirname(sys.executable))
    assert os.path.isfile(os.path.join(venv, "pyvenv.cfg"))
    venv_inside = "/mnt/tools/0" if venv.startswith("/tmp/") else venv
    data_inside = "/mnt/tools/1"  # numbered by position among the tool's folders
    assert job["ro_mounts"] == {venv_inside: Path(venv), data_inside: data}
    assert job["argv"] == [
        venv_inside + sys.executable[len(venv):], "-m", "tool", f"{data_inside}/a.ids",
        "/job/inputs/model.ifc", "-o", "/job/output/r.json",
    ]  # fmt: skip


IDS_WALL_NAMES = ("W1", "W2")


def write_ids(path: Path) -> None:
    """Walls must be named W1 or W2 (so some pass and some fail)."""
    spec = ids.Specification(name="Wall names", ifcVersion=["IFC4"])
    spec.applicability.append(ids.Entity(name="IFCWALL"))
    value = ids.Restriction(options={"enumeration": list(IDS_WALL_NAMES)})
    spec.requirements.append(ids.Attribute(name="Name", value=value))
    document = ids.Ids(title="Wall naming")
    document.specifications.append(spec)
    document.to_xml(str(path))


def log_text(client, execution_id: int) -> str:
    resp = client.get(f"/api/executions/{execution_id}/logs.txt")
    return b"".join(resp.streaming_content).decode()


def summary(report: dict) -> list:
    return [
        (s["name"], s["status"], s["total_checks"], s["total_checks_pass"])
        for s in report["specifications"]
    ]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_tool_runs_on_a_version_and_returns_its_files(
    personas, upload, live_worker, builtins, tmp_path
):
    from bimflow.automation.services.tools import tool_save

    rules = tmp_path / "ids"
    rules.mkdir()
    write_ids(rules / "walls.ids")
    os.chmod(rules, 0o755)
    os.chmod(rules / "walls.ids", 0o644)
    tool_save(
        data={
            "name": "ifctester",
            "executable": sys.executable,
            "args": ["-m", "ifctester", str(rules / "walls.ids"), "{input}", "-r", "Json",
                     "-o", "{output_dir}/report.json"],
            "mounts": [str(rules)],
            "timeout_s": 120,
        }
    )  # fmt: skip
    tool_save(data={"name": "gone", "executable": MISSING, "args": ["{input}"]})

    carol = api_client(personas["coordinator"])
    path = tmp_path / "Walls.ifc"
    small_building(path, walls=4, wall_names=["W1", "W2", "X3", "Y4"])
    vid = upload_live(carol, upload, personas["project"].pk, path)
    wait_ready([vid])

    def run(slug):
        resp = carol.post("/api/executions/", {"script": slug, "version": vid}, format="json")
        assert resp.status_code == 201, resp.content
        eid = resp.json()["id"]
        return wait_for(
            lambda: (
                (e := carol.get(f"/api/executions/{eid}/").json())["status"]
                not in ("queued", "running")
                and e
            ),
            timeout=180,
            what=f"{slug} to finish",
        )

    done = run("tool-ifctester")
    assert done["status"] == "succeeded", (done["error"], log_text(carol, done["id"]))
    assert [f["name"] for f in done["files"]] == ["report.json"]
    served = json.loads(b"".join(carol.get(done["files"][0]["url"]).streaming_content))
    specs = ids.open(str(rules / "walls.ids"))
    model = ifcopenshell.open(str(path))  # kept: the report reads its entities
    specs.validate(model)
    oracle = reporter.Json(specs).report()
    assert summary(served) == summary(oracle) == [("Wall names", False, 4, 2)]
    assert "Finished validating:" in log_text(
        carol, done["id"]
    )  # the tool's own output, as live log lines

    gone = run("tool-gone")
    assert gone["status"] == "failed"
    assert gone["error"].startswith(
        f"The tool's program '{MISSING}' is not installed on this worker"
    )


@pytest.mark.django_db
def test_registering_a_tool_in_the_admin(django_user_model, client):
    from bimflow.automation.models import ExternalTool

    root = django_user_model.objects.create_superuser("root", "r@example.com", "pw-12345678")
    client.force_login(root)
    form = {
        "name": "convert",
        "description": "IFC to something",
        "executable": sys.executable,
        "args": json.dumps(["-c", "pass", "{input}", "{output_dir}"]),
        "version_args": "[]",
        "mounts": "[]",
        "timeout_s": "60",
        "is_active": "on",
    }
    bad = client.post("/admin/automation/externaltool/add/", {**form, "args": '["{nope}"]'})
    assert bad.status_code == 200 and "unknown placeholder {nope}" in bad.content.decode()
    resp = client.post("/admin/automation/externaltool/add/", form)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    tool = ExternalTool.objects.get(name="convert")
    assert tool.script.slug == "tool-convert" and tool.script.runtime == "command"
    assert tool.script.limits == {"timeout_s": 60}
    assert json.loads(tool.script.current_revision.code)["args"] == json.loads(form["args"])
    client.post(f"/admin/automation/externaltool/{tool.pk}/delete/", {"post": "yes"})
    assert not ExternalTool.objects.filter(pk=tool.pk).exists()
    tool.script.refresh_from_db()
    assert (tool.script.builtin, tool.script.is_public) == (False, False)
