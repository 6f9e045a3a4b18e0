"""The project activity feed and per-user notifications (in-app, and e-mail for those
who opted in)."""

import pytest
from django.core import mail

from tests.automation.conftest import FAILING_SCRIPT, shared_script
from tests.conftest import api_client, ingest
from tests.ifc_factory import small_building

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing(personas):
    return shared_script(personas["coordinator"], personas["project"], "Fails", FAILING_SCRIPT)


def run_script(user, script, version, capture):
    from bimflow.scripting.runner import execution_run
    from bimflow.scripting.services import execution_create

    ex = execution_create(script=script, version=version, parameters={}, user=user)
    with capture(execute=True):  # the signal is sent after the commit
        execution_run(execution_id=ex.pk)
    ex.refresh_from_db()
    return ex


def test_feed_and_notifications(
    personas, upload, tmp_path, failing, builtins, django_capture_on_commit_callbacks, settings
):
    from bimflow.scripting.models import Script

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    p = personas["project"].pk
    carol_user = personas["coordinator"]
    carol = api_client(carol_user)
    assert carol.put("/api/notifications/preferences/", {"email": True}).json() == {"email": True}
    good, bad = tmp_path / "Tower.ifc", tmp_path / "Broken.ifc"
    small_building(good, walls=2)
    data = good.read_bytes()
    at = data.index(b"IFCWALL(")  # an unparseable instance: found only by the full read
    bad.write_bytes(data[:at] + b"IFCWALL(#@!garbage" + data[at + len(b"IFCWALL(") :])
    done = []
    for path in (good, bad):
        # Each request and task commits on its own; the callbacks run at each commit.
        with django_capture_on_commit_callbacks(execute=True):
            vid = upload(carol, p, path).json()["id"]
        with django_capture_on_commit_callbacks(execute=True):
            done.append(ingest(vid))
    version, broken = done
    assert (version.status, broken.status) == ("ready", "failed")
    ok = run_script(carol_user, Script.objects.get(slug="guid-check"), version,
                    django_capture_on_commit_callbacks)  # fmt: skip

    ko = run_script(carol_user, failing, version, django_capture_on_commit_callbacks)
    assert (ok.status, ko.status) == ("succeeded", "failed")

    feed = api_client(personas["viewer"]).get(f"/api/projects/{p}/activity/").json()["results"]
    lines = [(e["kind"], e["status"], e["actor"]) for e in reversed(feed)]
    assert lines == [
        ("upload", "", "carol"),
        ("version_ready", "ready", "carol"),
        ("upload", "", "carol"),
        ("version_failed", "failed", "carol"),
        ("execution", "succeeded", "carol"),
        ("execution", "failed", "carol"),
    ]
    assert feed[0]["data"] == {"execution": ko.pk, "version": version.pk, "model": version.model_id}
    assert feed[0]["message"].startswith(f"{failing.slug} on 'Tower' v1: failed")
    assert feed[1]["message"] == "guid-check on 'Tower' v1: succeeded with 0 findings."
    only = api_client(personas["viewer"]).get(f"/api/projects/{p}/activity/?kind=version_failed")
    assert [e["data"]["version"] for e in only.json()["results"]] == [broken.pk]

    # Carol started both failures; nobody else hears about them.
    notes = carol.get("/api/notifications/").json()
    assert [n["kind"] for n in notes["results"]] == ["execution", "version_failed"]
    assert all(not n["read"] for n in notes["results"])
    assert api_client(personas["admin"]).get("/api/notifications/").json()["count"] == 0
    assert sorted(m.subject for m in mail.outbox) == sorted(
        f"[bimflow] {n['message']}"[:130] for n in notes["results"]
    )
    assert {tuple(m.to) for m in mail.outbox} == {("carol@example.com",)}

    first = notes["results"][0]["id"]
    assert carol.post(f"/api/notifications/{first}/read/").json()["read"] is True
    assert (
        api_client(personas["admin"]).post(f"/api/notifications/{first}/read/").status_code == 404
    )
    unread = carol.get("/api/notifications/?unread=true").json()
    assert [n["kind"] for n in unread["results"]] == ["version_failed"]
    assert carol.post("/api/notifications/read/", {}, format="json").json() == {"marked": 1}
    assert carol.get("/api/notifications/?unread=true").json()["count"] == 0


def test_no_email_without_opting_in(personas, upload, tmp_path, failing, settings,
                                    django_capture_on_commit_callbacks):  # fmt: skip
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    carol = api_client(personas["coordinator"])
    path = tmp_path / "T.ifc"
    small_building(path)
    version = ingest(upload(carol, personas["project"].pk, path).json()["id"])
    assert carol.get("/api/notifications/preferences/").json() == {"email": False}
    run_script(personas["coordinator"], failing, version, django_capture_on_commit_callbacks)
    assert carol.get("/api/notifications/").json()["count"] == 1
    assert mail.outbox == []
