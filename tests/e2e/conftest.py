"""End-to-end fixtures: Debian's Chromium driven by Playwright, against a real web server
and worker started here, with the built web app (frontend/dist) that Django serves.

The browser, the server and the data (a project, three uploaded models) are shared by
the whole package: the data is committed, since the server processes are separate, and
the database is flushed when the package is done, as transactional tests do.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO, require_service, server_password

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
FRONTEND_INDEX = REPO / "frontend" / "dist" / "index.html"
ARTIFACTS = REPO / "test-artifacts" / "e2e"
# Small enough that one shared model (BERNTS, 3.9 MB) is refused with a 413, large
# enough for the ones the tests upload (FZK-Haus is 2.4 MB).
UPLOAD_LIMIT_MB = 3
PASSWORD = "e2e-pass-2468"


@dataclass
class Site:
    url: str
    users: dict[str, object]
    tokens: dict[str, str] = field(default_factory=dict)

    def api(self, username: str, path: str, **params) -> requests.Response:
        """GET an API path as `username` (token auth), for oracles the page must match."""
        return requests.get(
            f"{self.url}{path}",
            params=params,
            headers={"Authorization": f"Token {self.tokens[username]}"},
            timeout=60,
        )

    def json(self, username: str, path: str, **params):
        response = self.api(username, path, **params)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response.json()


@pytest.fixture(autouse=True)
def _django_db_marker():
    """The e2e tests are marked `django_db` so that pytest-django creates the test
    database even when they run alone, but must not get its per-test handling: a
    transaction around each test would hold SQLite's write lock against the server
    processes, and a flush after each would wipe the package's shared data. This
    replaces pytest-django's autouse fixture of that name for this package only."""


@pytest.fixture(scope="package")
def site(django_db_setup, django_db_blocker, live_worker, log_dir):
    """A web server of its own (a low upload limit, for the 413 case) and two users:
    alice, who will create a project, and bob, whom she adds as a member."""
    require_service(CHROMIUM is not None, "Chromium (apt-get install chromium)")
    require_service(FRONTEND_INDEX.is_file(), "the built web app (cd frontend && npm run build)")
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from tests.live import start_web

    proc, url = start_web(log_dir, BIMFLOW_MAX_UPLOAD_MB=str(UPLOAD_LIMIT_MB))
    try:
        users, tokens = {}, {}
        with django_db_blocker.unblock():
            User = get_user_model()
            for name in ("alice", "bob"):
                user = User.objects.create_user(name, f"{name}@example.com")
                server_password(user, PASSWORD)
                users[name] = user
                tokens[name] = Token.objects.create(user=user).key
        yield Site(url=url, users=users, tokens=tokens)
    finally:
        proc.stop()
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="package")
def chromium(site):
    # Playwright's sync API keeps an event loop in this thread while it runs, and Django
    # refuses ORM calls then: the database work is done before it starts (site) and
    # after it stops (site's flush, which this fixture's teardown precedes).
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def assert_fits_the_screen(page, what: str) -> None:
    """Laptop screen: the page itself never scrolls sideways (wide tables scroll inside)."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
    assert overflow <= 0, f"{what}: the page is {overflow} px wider than the window"


def sign_in(page, site: Site, username: str, *, next_path: str = "/projects") -> None:
    """Through the login page, as a person does."""
    page.goto(f"{site.url}{next_path}")
    page.wait_for_url(re.compile(r"/login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(next_path) + r"$"))


# --- the browser session and the data every test builds on ---------------------------


@dataclass
class Ui:
    """Alice's signed-in page, and the errors it threw or logged (every test checks that
    none happened)."""

    page: object
    errors: list[str]


@pytest.fixture(scope="package")
def ui(chromium, site):
    # A laptop screen: the layout must work at 1280 x 800 (less the browser's chrome).
    context = chromium.new_context(viewport={"width": 1280, "height": 720}, color_scheme="light")
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    # The browser's own line for every 4xx answer is expected (the tests provoke them).
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and not message.text.startswith("Failed to load resource")
            and errors.append(f"console: {message.text}")
        ),
    )
    sign_in(page, site, "alice")
    yield Ui(page=page, errors=errors)
    context.close()


@pytest.fixture(autouse=True)
def _no_uncaught_page_errors(request):
    yield
    if "ui" in request.fixturenames:
        ui = request.getfixturevalue("ui")
        errors, ui.errors[:] = list(ui.errors), []
        assert not errors, errors


@pytest.fixture(scope="package")
def project(ui, site):
    """A project alice creates through the New project dialog; its id and the toast."""
    page = ui.page
    page.goto(f"{site.url}/projects")
    page.get_by_test_id("projects-empty").wait_for()
    screenshot(page, "projects-empty")
    page.get_by_test_id("new-project").click()
    form = page.get_by_test_id("create-project-form")
    form.get_by_label("Name").fill("Tower E2E")
    form.get_by_label("Description").fill("Made by the end-to-end tests")
    form.get_by_role("button", name="Create project").click()
    page.wait_for_url(re.compile(r"/projects/\d+/models$"))
    toast = page.locator(".mantine-Notification-root").filter(has_text="Tower E2E")
    toast.wait_for()
    project_id = int(re.search(r"/projects/(\d+)/", page.url).group(1))
    return {"id": project_id, "toast": toast.inner_text()}


def drop_files(page, test_id: str, paths: list[Path]) -> None:
    """Drag and drop files onto an element, as from a file manager (a real DataTransfer)."""
    import base64

    payload = [{"name": p.name, "b64": base64.b64encode(p.read_bytes()).decode()} for p in paths]
    transfer = page.evaluate_handle(
        """(files) => {
            const dt = new DataTransfer();
            for (const f of files) {
                const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
                dt.items.add(new File([bytes], f.name));
            }
            return dt;
        }""",
        payload,
    )
    target = page.get_by_test_id(test_id)
    for event in ("dragenter", "dragover", "drop"):
        target.dispatch_event(event, {"dataTransfer": transfer})


RECORD_UPLOAD_STATES = """() => {
    window.__uploadStates = {};
    const record = () => {
        for (const row of document.querySelectorAll('[data-testid="upload-row"]')) {
            const states = (window.__uploadStates[row.dataset.fileName] ??= []);
            if (states.at(-1) !== row.dataset.state) states.push(row.dataset.state);
        }
    };
    new MutationObserver(record).observe(document.body, {
        subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"],
    });
}"""

SETTLED = ("ready", "failed", "error")


def wait_for_uploads(page, names: list[str], timeout_s: float = 240) -> dict[str, dict]:
    """Waits until each named upload row has settled; returns its state, error and version."""
    page.wait_for_function(
        """([names, settled]) => names.every((n) => {
            const row = document.querySelector(
                `[data-testid="upload-row"][data-file-name="${CSS.escape(n)}"]`);
            return row && settled.includes(row.dataset.state);
        })""",
        arg=[names, list(SETTLED)],
        timeout=timeout_s * 1000,
    )
    rows = {}
    for name in names:
        row = page.locator(f'[data-testid="upload-row"][data-file-name="{name}"]')
        error = row.get_by_test_id("upload-error")
        rows[name] = {
            "state": row.get_attribute("data-state"),
            "status": row.get_attribute("data-error-status"),
            "version": row.get_attribute("data-version-id"),
            "error": error.inner_text() if error.count() else None,
        }
    return rows


# The three shared models the tests upload at once (an IFC4, an IFC2X3, a zipped IFC).
MODELS = ["AC20-FZK-Haus.ifc", "GEELEN-Breedplaat V1.ifc", "ROOT-Vebo.ifczip"]


@pytest.fixture(scope="package")
def uploaded(ui, site, project):
    """The three shared models dropped on the project at once; waits until each settles.

    Returns {file name: {"state", "version" (id), "error", "states" (as they changed)}}.
    """
    from tests.conftest import shared_model

    paths = [shared_model(name) for name in MODELS]
    page = ui.page
    page.goto(f"{site.url}/projects/{project['id']}/models")
    page.get_by_test_id("models-empty").wait_for()
    page.evaluate(RECORD_UPLOAD_STATES)
    drop_files(page, "upload-dropzone", paths)
    rows = wait_for_uploads(page, MODELS)
    states = page.evaluate("() => window.__uploadStates")
    for name in MODELS:
        rows[name]["states"] = states.get(name, [])
        if rows[name]["version"]:
            rows[name]["version"] = int(rows[name]["version"])
    screenshot(page, "project-models-uploaded")
    return rows


def version_of(uploaded: dict, name: str) -> int:
    row = uploaded[name]
    assert row["state"] == "ready", row
    return row["version"]
