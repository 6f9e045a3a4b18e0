"""`bimflow run`, as a real process against the real web and worker processes: live log
lines, the status, the findings summary, files and the result; exit code 0 only when the
execution succeeded."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, server_password
from tests.live import process_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("live_worker"),
]


@pytest.fixture
def cli_env(scripts, live_web):
    user = scripts.user
    return process_env(
        BIMFLOW_URL=live_web, BIMFLOW_USER=user.username, BIMFLOW_PASSWORD=server_password(user)
    )


def bimflow_run(env, *args, timeout=180):
    return subprocess.run(
        [sys.executable, "-m", "bimflow.cli", "run", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def result_json(stdout: str) -> dict:
    return json.loads(stdout.split("Result: ", 1)[1])


def test_run_a_builtin_with_parameters(scripts, small_version, cli_env):
    vid, _ = small_version
    done = bimflow_run(cli_env, "export-csv", str(vid), "-p", "ifc_class=IfcWall",
                       "-p", 'properties=["Pset_WallCommon.FireRating"]')  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Execution ") and lines[0].endswith(
        "export-csv on 'Small' v1 (queued)"
    )
    assert "Wrote elements.csv: 3 rows, 1 property columns." in lines
    assert any(line.startswith("Status: succeeded in ") for line in lines)
    file_line = next(line for line in lines if line.startswith("File: elements.csv ("))
    assert "/api/executions/" in file_line
    result = result_json(done.stdout)
    assert result["rows"] == 3 and result["columns"][-1] == "Pset_WallCommon.FireRating"
    assert "[system] Sandbox:" in done.stderr  # system lines go to stderr

    done = bimflow_run(cli_env, "guid-check", str(vid), "-p", "max_findings_per_guid=many")
    assert done.returncode == 1
    assert "parameters: max_findings_per_guid: 'many' is not of type 'integer'" in done.stderr
    assert "Traceback" not in done.stderr


def test_findings_summary_and_a_failing_script(scripts, small_version, cli_env):
    vid, guids = small_version
    code = f"""
report.error("No fire rating", guid={guids["walls"][0]!r}, rule="fire")
report.error("No fire rating", guid={guids["walls"][1]!r}, rule="fire")
report.warning("Odd name", guid={guids["walls"][2]!r}, rule="name")
result["checked"] = 3
"""
    script = scripts.create(code, name="Reporter")
    done = bimflow_run(cli_env, script["slug"], str(vid))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Findings: 3 (error 2, warning 1)" in done.stdout
    assert result_json(done.stdout) == {"checked": 3}
    # More findings than one page holds: the summary still counts them all.
    many = scripts.create(
        "for i in range(1200):\n    report.error(f'e{i}')\n"
        "for i in range(300):\n    report.info(f'i{i}')\n",
        name="Many",
    )
    done = bimflow_run(cli_env, many["slug"], str(vid))
    assert "Findings: 1,500 (error 1,200, info 300)" in done.stdout, done.stdout

    failing = scripts.create("print('checking')\nraise RuntimeError('no storeys')\n", name="Bad")
    done = bimflow_run(cli_env, str(failing["id"]), str(vid))
    assert done.returncode == 1
    assert "checking" in done.stdout.splitlines()
    assert "Status: failed" in done.stdout
    assert "Error: The script raised RuntimeError: no storeys (line 2)." in done.stderr
    assert "[stderr] RuntimeError: no storeys" in done.stderr


def test_log_lines_are_printed_while_the_script_runs(scripts, small_version, cli_env):
    vid, _ = small_version
    script = scripts.create(
        "import time\nprint('first', flush=True)\ntime.sleep(3)\nprint('second')\n", name="Slow"
    )
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "bimflow.cli", "run", script["slug"], str(vid)],
        cwd=REPO,
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    seen = {}
    for line in proc.stdout:
        seen.setdefault(line.strip(), time.monotonic())
    proc.wait(timeout=120)
    assert proc.returncode == 0
    assert seen["second"] - seen["first"] > 2  # "first" was shown before the end
