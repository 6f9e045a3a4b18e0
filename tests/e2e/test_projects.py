"""End to end, in Chromium against a real server and worker: sign in, projects, multi-file
upload with per-file progress and errors, members, the dark theme."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import shared_model
from tests.e2e.conftest import (
    MODELS,
    PASSWORD,
    RECORD_UPLOAD_STATES,
    UPLOAD_LIMIT_MB,
    assert_fits_the_screen,
    screenshot,
    sign_in,
    wait_for_uploads,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db]


def test_sign_in_refuses_a_wrong_password_then_returns_to_the_page_asked_for(chromium, site):
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{site.url}/projects")
        page.wait_for_url(re.compile(r"/login\?next=%2Fprojects$"))
        page.get_by_label("Username").fill("alice")
        page.get_by_label("Password").fill("not-her-password")
        page.get_by_role("button", name="Sign in").click()
        # The server's own sentence, not a generic one.
        expect(page.get_by_test_id("login-error")).to_have_text("Wrong username or password.")
        screenshot(page, "login-wrong-password")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{site.url}/projects")
        page.get_by_role("heading", name="Projects", exact=True).wait_for()
        # A session cookie, and the CSRF cookie that unsafe requests need.
        cookies = {c["name"] for c in context.cookies()}
        assert {"sessionid", "csrftoken"} <= cookies
    finally:
        context.close()


def test_create_a_project(ui, site, project):
    page = ui.page
    assert project["toast"] == "Project “Tower E2E” created."
    projects = site.json("alice", "/api/projects/")["results"]
    assert [(p["id"], p["name"], p["role"]) for p in projects] == [
        (project["id"], "Tower E2E", "admin")
    ]
    page.goto(f"{site.url}/projects")
    card = page.get_by_test_id("project-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Tower E2E")
    expect(card).to_contain_text("Made by the end-to-end tests")
    card.click()
    page.wait_for_url(f"{site.url}/projects/{project['id']}/models")
    expect(page.get_by_test_id("project-name")).to_have_text("Tower E2E")


def test_three_models_dropped_at_once_each_reach_ready(ui, site, project, uploaded):
    for name in MODELS:
        row = uploaded[name]
        assert row["state"] == "ready", row
        # Each file had its own row that went through upload and processing to ready.
        assert row["states"][0] in ("queued", "uploading"), row
        seen = [state for state in row["states"] if state != "queued"]
        assert seen == ["uploading", "processing", "ready"], row
    page = ui.page
    for name in MODELS:
        upload_row = page.locator(f'[data-testid="upload-row"][data-file-name="{name}"]')
        expect(upload_row.get_by_test_id("upload-progress")).to_have_attribute("data-value", "100")
    # The models table agrees with the API: one model per file, version 1, ready, counts.
    models = {m["name"]: m for m in site.json("alice", f"/api/projects/{project['id']}/models/")}
    assert sorted(models) == sorted(n.rsplit(".", 1)[0] for n in MODELS)
    # The table followed the uploads by itself (no reload).
    page.get_by_test_id("models-table").wait_for()
    for name, model in models.items():
        latest = model["latest_version"]
        assert latest["status"] == "ready" and latest["number"] == 1
        assert latest["id"] == uploaded[latest["file_name"]]["version"]
        row = page.locator(f'[data-testid="model-row"][data-model-name="{name}"]')
        expect(row.get_by_test_id("model-version-number")).to_have_text(re.compile("^v1$", re.I))
        expect(row).to_contain_text(re.compile("ready", re.I))
        assert latest["element_count"] > 0
        expect(row.get_by_test_id("model-element-count")).to_have_text(
            f"{latest['element_count']:,}"
        )
        expect(row).to_contain_text("alice")


def test_each_refused_or_failed_file_says_why(ui, site, project, uploaded, tmp_path):
    """A duplicate (409), a file over the limit (413), something that is not IFC (400), a
    damaged IFC that fails at ingest, and a file that is not even .ifc, in one batch."""
    damaged = tmp_path / "Damaged.ifc"
    data = shared_model("GEELEN-Breedplaat V1.ifc").read_bytes()
    middle = data.index(b"\n", len(data) // 2) + 1
    damaged.write_bytes(data[:middle] + b"#999999=IFCWALL(garbage (( here;\n" + data[middle:])
    notes = tmp_path / "notes.txt"
    notes.write_text("not a model")
    files = [
        shared_model("GEELEN-Breedplaat V1.ifc"),  # identical to the uploaded version 1
        shared_model("BERNTS-Staalconstructie.ifc"),  # 3.9 MB, over the 3 MB limit
        shared_model("V_L_Constructief.ifc"),  # a Git LFS pointer, not IFC
        damaged,
        notes,
    ]
    page = ui.page
    page.goto(f"{site.url}/projects/{project['id']}/models")
    page.get_by_test_id("models-table").wait_for()
    page.evaluate(RECORD_UPLOAD_STATES)
    page.get_by_test_id("upload-dropzone").locator("input[type=file]").set_input_files(files)
    rows = wait_for_uploads(page, [f.name for f in files])
    screenshot(page, "project-upload-errors")
    assert_fits_the_screen(page, "the models page with uploads")

    # What the API answers for the same refused files is what the person reads.
    def refused(path) -> requests.Response:
        with open(path, "rb") as fh:
            return requests.post(
                f"{site.url}/api/projects/{project['id']}/versions/",
                files={"file": (path.name, fh)},
                headers={"Authorization": f"Token {site.tokens['alice']}"},
                timeout=60,
            )

    duplicate = rows["GEELEN-Breedplaat V1.ifc"]
    answer = refused(files[0])
    assert answer.status_code == 409
    assert duplicate["state"] == "error" and duplicate["status"] == "409"
    assert duplicate["error"] == answer.json()["detail"]
    assert "identical to version 1 of model 'GEELEN-Breedplaat V1'" in duplicate["error"]

    too_big = rows["BERNTS-Staalconstructie.ifc"]
    answer = refused(files[1])
    assert answer.status_code == 413
    assert too_big["status"] == "413" and too_big["error"] == answer.json()["detail"]
    assert f"larger than the {UPLOAD_LIMIT_MB} MB upload limit" in too_big["error"]

    not_ifc = rows["V_L_Constructief.ifc"]
    answer = refused(files[2])
    assert answer.status_code == 400
    assert not_ifc["status"] == "400" and not_ifc["error"] == answer.json()["file"][0]
    assert not_ifc["error"].startswith("This is not an IFC file")

    failed = rows["Damaged.ifc"]
    assert failed["state"] == "failed", failed
    version = site.json("alice", f"/api/versions/{failed['version']}/")
    assert version["status"] == "failed" and failed["error"] == version["error"]
    assert "damaged" in failed["error"] and "Traceback" not in failed["error"]

    text = rows["notes.txt"]
    assert text["state"] == "error" and text["status"] is None
    assert "not an IFC file" in text["error"]

    # Nothing refused became a model; the failed one is listed with its reason.
    models = {m["name"]: m for m in site.json("alice", f"/api/projects/{project['id']}/models/")}
    assert sorted(models) == sorted([n.rsplit(".", 1)[0] for n in MODELS] + ["Damaged"])
    row = page.locator('[data-testid="model-row"][data-model-name="Damaged"]')
    expect(row).to_contain_text(re.compile("failed", re.I))
    # Its workspace says why, on the Overview and on every data tab.
    page.goto(f"{site.url}/versions/{failed['version']}/overview")
    expect(page.get_by_test_id("version-error")).to_contain_text(version["error"])
    page.get_by_test_id("tab-statistics").click()
    expect(page.get_by_test_id("version-not-ready")).to_contain_text(version["error"])
    expect(page.get_by_test_id("version-not-ready")).to_contain_text(
        "Statistics cannot be shown for this version."
    )


def test_members_are_added_changed_and_removed_by_the_admin(ui, site, project, chromium):
    page = ui.page
    members_api = f"/api/projects/{project['id']}/members/"
    page.goto(f"{site.url}/projects/{project['id']}/members")
    form = page.get_by_test_id("add-member-form")
    # An unknown user: the server's sentence, under the field it is about.
    username = form.get_by_label("Username")
    username.fill("nobody")
    form.get_by_role("button", name="Add member").click()
    expect(form.get_by_text("There is no user 'nobody'.", exact=True)).to_be_visible()
    expect(username).to_have_attribute("aria-invalid", "true")

    # Usernames are suggested as one types.
    username.fill("b")
    page.get_by_role("option", name="bob", exact=True).click()
    expect(username).to_have_value("bob")
    form.get_by_label("Role").click()
    page.get_by_role("option", name=re.compile("^Coordinator")).click()
    form.get_by_role("button", name="Add member").click()
    page.locator('[data-testid="member-row"][data-username="bob"]').wait_for()
    assert {m["username"]: m["role"] for m in site.json("alice", members_api)} == {
        "alice": "admin",
        "bob": "coordinator",
    }
    screenshot(page, "project-members")
    assert_fits_the_screen(page, "the members page")

    # Bob, signed in elsewhere, sees the project and may upload.
    context = chromium.new_context(viewport={"width": 1280, "height": 720})
    bob = context.new_page()
    try:
        sign_in(bob, site, "bob", next_path=f"/projects/{project['id']}/models")
        bob.get_by_test_id("upload-dropzone").wait_for()

        page.get_by_role("textbox", name="Role of bob").click()
        page.get_by_role("option", name="Viewer", exact=True).click()
        page.locator(".mantine-Notification-root").filter(has_text="bob is now viewer").wait_for()
        assert {m["username"]: m["role"] for m in site.json("alice", members_api)}["bob"] == (
            "viewer"
        )
        bob.reload()
        bob.get_by_test_id("upload-not-allowed").wait_for()
        assert bob.get_by_test_id("upload-dropzone").count() == 0

        # Removing asks first; cancelling keeps him.
        page.get_by_role("button", name="Remove bob from the project").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("Remove bob from this project?")
        dialog.get_by_role("button", name="Cancel").click()
        assert "bob" in {m["username"] for m in site.json("alice", members_api)}
        page.get_by_role("button", name="Remove bob from the project").click()
        page.get_by_test_id("confirm-button").click()
        page.locator('[data-testid="member-row"][data-username="bob"]').wait_for(state="detached")
        assert [m["username"] for m in site.json("alice", members_api)] == ["alice"]
        # Bob no longer sees the project: not found, not a crash.
        bob.reload()
        bob.get_by_text("Not found.").wait_for()
    finally:
        context.close()


def test_dark_theme_toggle_is_remembered(ui, site, project):
    page = ui.page
    page.goto(f"{site.url}/projects/{project['id']}/models")
    html = page.locator("html")
    expect(html).to_have_attribute("data-mantine-color-scheme", "light")
    background = "() => getComputedStyle(document.body).backgroundColor"
    light = page.evaluate(background)
    page.get_by_test_id("theme-toggle").click()
    expect(html).to_have_attribute("data-mantine-color-scheme", "dark")
    dark = page.evaluate(background)
    assert _luminance(dark) < 0.2 < 0.8 < _luminance(light), (light, dark)
    screenshot(page, "project-models-dark")
    page.reload()
    page.get_by_test_id("models-table").wait_for()
    expect(html).to_have_attribute("data-mantine-color-scheme", "dark")
    # The toggle says what it does (a tooltip and an accessible name).
    expect(page.get_by_test_id("theme-toggle")).to_have_attribute(
        "aria-label", "Switch to light theme (Ctrl+J)"
    )
    page.keyboard.press("Control+j")
    expect(html).to_have_attribute("data-mantine-color-scheme", "light")


def _luminance(css_colour: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css_colour)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
