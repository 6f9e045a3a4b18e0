"""End to end, part 2: running scripts through their generated forms with live logs, the
editor's test run, findings in Validation and in 3D, workflows and batches. Everything
shown is checked against the API and, where it can be, against ifcopenshell.
Screenshots go to test-artifacts/e2e/."""

from __future__ import annotations

import csv
import io
import re
import time

import ifcopenshell
import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import shared_model
from tests.e2e.conftest import (
    RECORD_UPLOAD_STATES,
    assert_fits_the_screen,
    screenshot,
    version_of,
    wait_for_uploads,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db]

FZK = "AC20-FZK-Haus.ifc"
GEELEN = "GEELEN-Breedplaat V1.ifc"
RUN_TIMEOUT_MS = 180_000
VIEWER_TIMEOUT_MS = 120_000
# Prints a line every 0.3 s for about 9 s: long enough that the page must show lines
# while the run is still going.
SLOW_PRINTER = """
import time
for i in range(30):
    print(f"tick {i}", flush=True)
    time.sleep(0.3)
result["ticks"] = 30
"""


def post(site, path: str, body: dict) -> dict:
    resp = requests.post(
        f"{site.url}{path}",
        json=body,
        headers={"Authorization": f"Token {site.tokens['alice']}"},
        timeout=60,
    )
    assert resp.status_code in (200, 201), (path, resp.status_code, resp.text[:500])
    return resp.json()


def open_scripts(ui, site, vid: int, query: str = ""):
    page = ui.page
    page.goto(f"{site.url}/versions/{vid}/scripts{query}")
    page.get_by_test_id("scripts-tab").wait_for()
    return page


def choose(page, test_id: str, option: str, scope=None) -> None:
    """Picks an option of a Mantine Select by its label."""
    (scope or page).get_by_test_id(test_id).click()
    page.get_by_role("option", name=option, exact=True).click()


def wait_final(page, timeout_ms: int = RUN_TIMEOUT_MS):
    view = page.get_by_test_id("execution-view")
    page.wait_for_function(
        """() => {
            const v = document.querySelector('[data-testid="execution-view"]');
            return v && ["succeeded", "failed", "timed_out", "cancelled"].includes(v.dataset.status);
        }""",
        timeout=timeout_ms,
    )
    return view


def flatten(value, path="") -> dict[str, object]:
    """The leaves of a JSON value by dotted path, as the result tree names them."""
    if isinstance(value, dict):
        out = {}
        for key, child in value.items():
            out.update(flatten(child, f"{path}.{key}" if path else str(key)))
        return out
    if isinstance(value, list):
        out = {}
        for i, child in enumerate(value):
            out.update(flatten(child, f"{path}.{i}" if path else str(i)))
        return out
    return {path: value}


def test_a_log_line_appears_while_the_run_is_still_running(ui, site, uploaded):
    vid = version_of(uploaded, FZK)
    script = post(site, "/api/scripts/", {"name": "Slow printer", "code": SLOW_PRINTER})
    page = open_scripts(ui, site, vid, f"?script={script['slug']}")
    page.get_by_test_id("script-details").wait_for()
    page.get_by_test_id("run-script").click()
    view = page.get_by_test_id("execution-view")
    view.wait_for()
    execution_id = int(view.get_attribute("data-execution-id"))
    printed = page.locator('[data-testid="log-line"][data-stream="stdout"]').first
    printed.wait_for(timeout=RUN_TIMEOUT_MS)
    # The page had a printed line while the server still said the run was running.
    status_then = site.json("alice", f"/api/executions/{execution_id}/")["status"]
    shown_then = view.get_attribute("data-status")
    assert status_then == "running", status_then
    assert shown_then == "running", shown_then
    expect(printed).to_contain_text("tick 0")
    screenshot(page, "scripts-live-log")
    wait_final(page)
    lines = site.json("alice", f"/api/executions/{execution_id}/logs/", page_size=1000)["results"]
    stdout = [line["text"] for line in lines if line["stream"] == "stdout"]
    assert stdout == [f"tick {i}" for i in range(30)]
    viewer = page.get_by_test_id("log-viewer")
    expect(viewer).to_have_attribute("data-line-count", str(len(lines)))
    # Line numbers are the sequence numbers, in order.
    seqs = page.get_by_test_id("log-line").evaluate_all("rows => rows.map(r => +r.dataset.seq)")
    assert seqs == sorted(seqs) and seqs[-1] == lines[-1]["seq"]
    # Filtering by stream keeps only that stream's lines.
    for stream in ("system", "stderr"):  # a chip's label toggles its hidden checkbox
        page.get_by_test_id(f"log-stream-{stream}").locator(
            "xpath=following-sibling::label"
        ).click()
    streams = page.get_by_test_id("log-line").evaluate_all(
        "rows => [...new Set(rows.map(r => r.dataset.stream))]"
    )
    assert streams == ["stdout"]


def test_guid_check_through_the_generated_form_equals_the_api(ui, site, uploaded):
    vid = version_of(uploaded, FZK)
    page = open_scripts(ui, site, vid)
    page.get_by_test_id("script-search").fill("guid")
    page.locator('[data-testid="script-item"][data-slug="guid-check"]').click()
    form = page.get_by_test_id("schema-form")
    field = form.get_by_test_id("param-max_findings_per_guid")
    # The default from the schema is filled in; a value under the minimum is refused.
    expect(field).to_have_value("1000")
    field.fill("0")
    page.get_by_test_id("run-script").click()
    expect(form).to_contain_text("must be at least 1")
    field.fill("500")
    page.get_by_test_id("run-script").click()
    view = wait_final(page)
    execution_id = int(view.get_attribute("data-execution-id"))
    api = site.json("alice", f"/api/executions/{execution_id}/")
    assert api["parameters"]["max_findings_per_guid"] == 500
    assert view.get_attribute("data-status") == api["status"] == "succeeded"
    expect(page.get_by_test_id("execution-status")).to_have_attribute("data-status", "succeeded")

    page.get_by_test_id("tab-result").click()
    page.get_by_test_id("json-leaf").first.wait_for()
    leaves = page.get_by_test_id("json-leaf").evaluate_all(
        "rows => rows.map(r => [r.dataset.path, JSON.parse(r.dataset.value)])"
    )
    expected = flatten(api["result"])
    shown = dict(leaves)
    # Every leaf the tree shows equals the API's; the first levels are all shown.
    assert shown and all(expected[path] == value for path, value in shown.items())
    top_level = {p for p, v in expected.items() if "." not in p}
    assert top_level <= set(shown)

    page.get_by_test_id("tab-findings").click()
    page.get_by_test_id("findings-total").wait_for()
    findings = site.json("alice", f"/api/executions/{execution_id}/findings/", page_size=1000)
    expect(page.get_by_test_id("findings-total")).to_have_attribute(
        "data-count", str(findings["count"])
    )
    rows = page.get_by_test_id("finding-row").evaluate_all(
        "rows => rows.map(r => [r.dataset.guid, r.dataset.rule, r.dataset.severity])"
    )
    assert rows == [[f["guid"] or "", f["rule"], f["severity"]] for f in findings["results"][:50]]
    history = page.locator(f'[data-testid="history-row"][data-execution-id="{execution_id}"]')
    expect(history).to_have_attribute("data-status", "succeeded")
    assert_fits_the_screen(page, "the scripts tab")
    screenshot(page, "scripts-guid-check")


def test_export_csv_downloads_the_rows_ifcopenshell_finds(ui, site, uploaded):
    vid = version_of(uploaded, FZK)
    page = open_scripts(ui, site, vid, "?script=export-csv")
    form = page.get_by_test_id("schema-form")
    form.get_by_test_id("param-ifc_class").fill("IfcWindow")
    page.get_by_test_id("run-script").click()
    view = wait_final(page)
    assert view.get_attribute("data-status") == "succeeded"
    page.get_by_test_id("tab-files").click()
    link = page.locator('[data-testid="result-file"][data-name="elements.csv"]').get_by_test_id(
        "result-file-link"
    )
    with page.expect_download() as download:
        link.click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    model = ifcopenshell.open(str(shared_model(FZK)))
    windows = {w.GlobalId: w for w in model.by_type("IfcWindow") if w.is_a() == "IfcWindow"}
    assert {r["guid"] for r in rows} == set(windows)
    assert all(r["class"] == "IfcWindow" for r in rows)
    assert {r["guid"]: r["name"] for r in rows} == {g: w.Name or "" for g, w in windows.items()}
    screenshot(page, "scripts-export-csv")


def test_a_new_script_test_run_shows_its_finding_in_validation_and_3d(ui, site, uploaded):
    vid = version_of(uploaded, FZK)
    model = ifcopenshell.open(str(shared_model(FZK)))
    first_wall = min(model.by_type("IfcWall"), key=lambda w: w.id()).GlobalId
    page = open_scripts(ui, site, vid)
    page.get_by_test_id("new-script").click()
    editor = page.get_by_test_id("script-editor")
    editor.wait_for()
    page.get_by_test_id("script-name-input").fill("First wall")
    code = (
        'walls = elements[elements["ifc_class"].isin(["IfcWall", "IfcWallStandardCase"])]\n'
        'wall = walls.sort_values("step_id").iloc[0]\n'
        'report.error("The first wall.", guid=wall["guid"], rule="first-wall")\n'
        'result["wall"] = wall["guid"]\n'
    )
    content = page.get_by_test_id("code-editor").locator(".cm-content")
    content.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    content.fill(code)
    # The editor completes the script context's names.
    page.keyboard.press("Enter")
    page.keyboard.type("save_out")
    page.keyboard.press("Control+Space")
    expect(page.locator(".cm-tooltip-autocomplete")).to_contain_text("save_output")
    page.keyboard.press("Escape")
    for _ in range(len("save_out")):
        page.keyboard.press("Backspace")
    screenshot(page, "scripts-editor")
    card = page.get_by_test_id("test-run-card")
    card.get_by_test_id("run-script").click()
    view = wait_final(page)
    execution_id = int(view.get_attribute("data-execution-id"))
    api = site.json("alice", f"/api/executions/{execution_id}/")
    assert api["status"] == "succeeded", api["error"]
    assert api["result"] == {"wall": first_wall}

    page.goto(f"{site.url}/versions/{vid}/validation")
    page.get_by_test_id("validation-tab").wait_for()
    row = page.locator(
        f'[data-testid="vfinding-row"][data-rule="first-wall"][data-guid="{first_wall}"]'
    )
    expect(row).to_have_count(1)
    checks = site.json("alice", f"/api/versions/{vid}/checks/")["checks"]
    for check in checks:
        shown = page.locator(f'[data-testid="check-row"][data-slug="{check["script_slug"]}"]')
        expect(shown).to_have_attribute("data-outcome", check["outcome"])
        expect(shown).to_have_attribute("data-total", str(check["counts"]["total"]))
    row.click()
    viewer = page.get_by_test_id("ifc-viewer")
    expect(viewer).to_have_attribute("data-load-state", "ready", timeout=VIEWER_TIMEOUT_MS)
    expect(viewer).to_have_attribute("data-selected-guid", first_wall)
    expect(page.get_by_test_id("element-details")).to_have_attribute("data-guid", first_wall)
    screenshot(page, "validation-finding-in-3d")

    # The Overview's card shows the same checks.
    page.goto(f"{site.url}/versions/{vid}/overview")
    for check in checks:
        shown = page.locator(f'[data-testid="overview-check"][data-slug="{check["script_slug"]}"]')
        expect(shown).to_have_attribute("data-outcome", check["outcome"])
    screenshot(page, "overview-validation-card")


def test_an_on_upload_workflow_made_in_the_ui_runs_on_a_new_version(
    ui, site, project, uploaded, tmp_path
):
    page = ui.page
    page.goto(f"{site.url}/projects/{project['id']}/workflows")
    page.get_by_test_id("new-workflow").click()
    page.get_by_test_id("workflow-name").fill("GUIDs on upload")
    page.get_by_test_id("workflow-filter").fill("GEELEN*")
    page.get_by_test_id("add-step").click()
    choose(page, "step-script", "GUID check (guid-check)")
    expect(page.get_by_test_id("step-0-param-max_findings_per_guid")).to_have_value("1000")
    screenshot(page, "workflow-editor")
    page.get_by_test_id("save-workflow").click()
    row = page.locator('[data-testid="workflow-row"][data-name="GUIDs on upload"]')
    row.wait_for()
    workflow_id = int(row.get_attribute("data-id"))
    workflow = site.json("alice", f"/api/workflows/{workflow_id}/")
    assert (workflow["trigger"], workflow["model_filter"]) == ("on_upload", "GEELEN*")
    assert [s["script_slug"] for s in workflow["steps"]] == ["guid-check"]

    model = ifcopenshell.open(str(shared_model(GEELEN)))
    model.by_type("IfcProject")[0].Description = "Revised by the e2e test"
    revised = tmp_path / "GEELEN revised.ifc"
    model.write(str(revised))
    page.goto(f"{site.url}/projects/{project['id']}/models")
    page.evaluate(RECORD_UPLOAD_STATES)
    model_row = page.locator('[data-testid="model-row"][data-model-name="GEELEN-Breedplaat V1"]')
    with page.expect_file_chooser() as chooser:
        model_row.get_by_test_id("upload-new-version").click()
    chooser.value.set_files(str(revised))
    upload = wait_for_uploads(page, [revised.name])[revised.name]
    assert upload["state"] == "ready", upload
    new_version = int(upload["version"])

    page.goto(f"{site.url}/projects/{project['id']}/workflows")
    run = page.locator(f'[data-testid="workflow-run"][data-version="{new_version}"]')
    run.wait_for(timeout=RUN_TIMEOUT_MS)
    expect(run).to_have_attribute("data-workflow", "GUIDs on upload")
    runs = site.json("alice", "/api/workflow-runs/", workflow=workflow_id)["results"]
    assert [(r["version"], r["source"]) for r in runs] == [(new_version, "upload")]
    screenshot(page, "workflow-runs")
    # Stop it firing for the other tests' uploads.
    requests.patch(
        f"{site.url}/api/workflows/{workflow_id}/",
        json={"is_active": False},
        headers={"Authorization": f"Token {site.tokens['alice']}"},
        timeout=30,
    ).raise_for_status()


def test_a_batch_over_all_models_fills_its_matrix(ui, site, project, uploaded):
    page = ui.page
    page.goto(f"{site.url}/projects/{project['id']}/batches")
    page.get_by_test_id("new-batch").click()
    choose(page, "batch-script", "GUID check (guid-check)")
    models = site.json("alice", f"/api/projects/{project['id']}/models/", page_size=100)
    models = models["results"] if isinstance(models, dict) else models
    ready = {m["latest_version"]["id"] for m in models if m["latest_version"]["status"] == "ready"}
    preview = page.get_by_test_id("batch-preview")
    expect(preview).to_have_attribute("data-count", str(len(ready)))
    shown = page.get_by_test_id("preview-version").evaluate_all(
        "rows => rows.map(r => +r.dataset.versionId)"
    )
    assert set(shown) == ready
    page.get_by_test_id("batch-create").get_by_test_id("run-script").click()
    detail = page.get_by_test_id("batch-detail")
    detail.wait_for()
    batch_id = int(detail.get_attribute("data-batch-id"))
    page.wait_for_function(
        """() => {
            const d = document.querySelector('[data-testid="batch-detail"]');
            return d && d.dataset.status !== "running";
        }""",
        timeout=RUN_TIMEOUT_MS * 2,
    )
    api = site.json("alice", f"/api/batches/{batch_id}/")
    rows = page.get_by_test_id("matrix-row").evaluate_all(
        "rows => rows.map(r => [+r.dataset.versionId, r.dataset.status, +r.dataset.findings])"
    )
    assert rows == [[r["version"], r["status"], r["findings_total"]] for r in api["matrix"]]
    assert {r[0] for r in rows} == ready
    expect(detail).to_have_attribute("data-status", api["status"])
    screenshot(page, "batch-matrix")
    # The run the user started ends with a toast.
    toast = page.locator('[data-testid="run-toast"]').filter(has_text=f"Batch {batch_id}")
    toast.wait_for(timeout=30_000)


def test_the_bell_lists_a_failed_run(ui, site, uploaded):
    vid = version_of(uploaded, FZK)
    script = post(site, "/api/scripts/", {"name": "Fails", "code": "raise SystemExit(2)\n"})
    ex = post(site, "/api/executions/", {"script": script["slug"], "version": vid})
    deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
    while site.json("alice", f"/api/executions/{ex['id']}/")["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.5)
    unread = site.json("alice", "/api/notifications/", unread="true")
    page = ui.page
    page.goto(f"{site.url}/projects")
    count = page.get_by_test_id("notification-count")
    expect(count).to_have_attribute("data-count", str(unread["count"]), timeout=30_000)
    page.get_by_test_id("notification-bell").click()
    items = page.get_by_test_id("notification-item")
    expect(items.first).to_contain_text(re.compile(r"Fails|fails|failed"))
    screenshot(page, "notifications")
    page.keyboard.press("Escape")
