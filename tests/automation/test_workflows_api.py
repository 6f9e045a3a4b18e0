"""Workflow CRUD through the API: validation with messages a coordinator can act on,
the periodic task in the database scheduler following the workflow, the limits."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from tests.automation.conftest import shared_script
from tests.conftest import api_client

pytestmark = pytest.mark.django_db

PARAM_SCHEMA = {
    "type": "object",
    "properties": {"limit": {"type": "integer", "minimum": 1, "default": 5}},
}


@pytest.fixture
def checker(personas, builtins):
    return shared_script(
        personas["coordinator"], personas["project"], "Checker", "print(params)\n", PARAM_SCHEMA
    )


def create(client, project_id, **data):
    body = {"name": "Check ARK", "trigger": "manual", "steps": [{"script": "guid-check"}]}
    body.update(data)
    return client.post(f"/api/projects/{project_id}/workflows/", body, format="json")


def test_create_with_ordered_steps_and_defaults(personas, coordinator_client, checker):
    p = personas["project"].pk
    resp = create(
        coordinator_client,
        p,
        model_filter="ARK-*",
        steps=[{"script": "guid-check"}, {"script": checker.slug, "parameters": {}}],
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert [s["script_slug"] for s in body["steps"]] == ["guid-check", checker.slug]
    assert [s["position"] for s in body["steps"]] == [0, 1]
    # The schema's default is filled in when the workflow is saved.
    assert body["steps"][1]["parameters"] == {"limit": 5}
    assert body["steps"][0]["parameters"] == {"max_findings_per_guid": 1000}
    assert body["model_filter"] == "ARK-*" and body["stop_on_failure"] is True
    assert body["is_active"] is True and body["next_run_at"] is None
    assert body["created_by"] == "carol"
    assert body["limits"]["max_active_workflows"] == 10
    assert body["limits"]["max_runs_per_hour"] == 10
    listed = coordinator_client.get(f"/api/projects/{p}/workflows/").json()
    assert [w["id"] for w in listed["results"]] == [body["id"]]
    assert coordinator_client.get(f"/api/workflows/{body['id']}/").json() == body


def test_step_parameters_are_validated_against_the_scripts_schema(
    personas, coordinator_client, checker
):
    resp = create(
        coordinator_client,
        personas["project"].pk,
        steps=[{"script": "guid-check"}, {"script": checker.slug, "parameters": {"limit": 0}}],
    )
    assert resp.status_code == 400
    message = resp.json()["steps"][0]
    assert message.startswith(f"Step 2 ({checker.slug}): limit:")
    assert "minimum of 1" in message


@pytest.mark.parametrize(
    "steps, expected",
    [
        ([], "A workflow needs at least one step."),
        ([{"script": "no-such-script"}], "Step 1: there is no script 'no-such-script'"),
        ([{"nope": 1}], 'Step 1: give the script as {"script"'),
    ],
)
def test_bad_steps_are_refused(personas, coordinator_client, builtins, steps, expected):
    resp = create(coordinator_client, personas["project"].pk, steps=steps)
    assert resp.status_code == 400
    assert resp.json()["steps"][0].startswith(expected)


def test_a_private_script_cannot_be_a_step(personas, coordinator_client, builtins):
    from bimflow.scripting.services import script_create

    mine = script_create(user=personas["coordinator"], name="Mine", code="pass\n")
    resp = create(coordinator_client, personas["project"].pk, steps=[{"script": mine.slug}])
    assert resp.status_code == 400
    assert "is private; share it with this project" in resp.json()["steps"][0]


@pytest.mark.parametrize(
    "cron, expected",
    [
        ("0 6 * *", "has 4"),
        ("61 6 * * 1", "'61 6 * * 1' is not a valid cron expression"),
        ("every monday", "has 2"),
    ],
)
def test_invalid_cron_is_a_clear_400(personas, coordinator_client, builtins, cron, expected):
    resp = create(coordinator_client, personas["project"].pk, trigger="schedule", cron=cron)
    assert resp.status_code == 400
    assert expected in resp.json()["cron"][0]
    assert PeriodicTask.objects.filter(name__startswith="workflow-").count() == 0


def test_schedule_needs_a_cron_or_interval_and_a_real_time_zone(
    personas, coordinator_client, builtins
):
    p = personas["project"].pk
    resp = create(coordinator_client, p, trigger="schedule")
    assert resp.status_code == 400 and "needs a cron expression" in resp.json()["cron"][0]
    resp = create(coordinator_client, p, trigger="schedule", cron="0 6 * * 1", timezone="Mars/Base")
    assert resp.json() == {
        "timezone": ["'Mars/Base' is not a time zone; use a name like 'Europe/Amsterdam' or 'UTC'."]
    }
    resp = create(coordinator_client, p, trigger="schedule", interval_seconds=5)
    assert resp.status_code == 400
    assert "at least 60" in resp.json()["interval_seconds"][0]


def _next_monday_0630(now_local: datetime) -> datetime:
    """The oracle: the next Monday 06:30 strictly after `now_local`, by plain date math."""
    day = now_local.replace(hour=6, minute=30, second=0, microsecond=0)
    while day.weekday() != 0 or day <= now_local:
        day = (day + timedelta(days=1)).replace(hour=6, minute=30)
    return day


def test_schedule_creates_its_periodic_task_and_shows_next_run(
    personas, coordinator_client, builtins
):
    tz = "Europe/Amsterdam"
    resp = create(
        coordinator_client, personas["project"].pk, trigger="schedule", cron="30 6 * * 1",
        timezone=tz,
    )  # fmt: skip
    assert resp.status_code == 201, resp.content
    body = resp.json()
    task = PeriodicTask.objects.get(name=f"workflow-{body['id']}")
    assert task.task == "bimflow.automation.tasks.workflow_fire_scheduled"
    assert task.args == f"[{body['id']}]" and task.enabled
    c = task.crontab
    assert (c.minute, c.hour, c.day_of_month, c.month_of_year, c.day_of_week) == (
        "30", "6", "*", "*", "1",
    )  # fmt: skip
    assert str(c.timezone) == tz
    expected = _next_monday_0630(timezone.now().astimezone(ZoneInfo(tz)))
    assert datetime.fromisoformat(body["next_run_at"]) == expected

    wid = body["id"]
    # Deactivating disables the task; a new cron reschedules it; another trigger removes it.
    assert (
        coordinator_client.patch(f"/api/workflows/{wid}/", {"is_active": False}).status_code == 200
    )
    task.refresh_from_db()
    assert not task.enabled
    assert coordinator_client.get(f"/api/workflows/{wid}/").json()["next_run_at"] is None
    resp = coordinator_client.patch(
        f"/api/workflows/{wid}/", {"is_active": True, "cron": "0 7 * * *"}, format="json"
    )
    assert resp.status_code == 200, resp.content
    task.refresh_from_db()
    assert task.enabled and (task.crontab.minute, task.crontab.hour) == ("0", "7")
    assert (
        coordinator_client.patch(f"/api/workflows/{wid}/", {"trigger": "manual"}).status_code == 200
    )
    assert not PeriodicTask.objects.filter(pk=task.pk).exists()
    coordinator_client.patch(f"/api/workflows/{wid}/", {"trigger": "schedule", "cron": "0 7 * * *"})
    task = PeriodicTask.objects.get(name=f"workflow-{wid}")
    assert coordinator_client.delete(f"/api/workflows/{wid}/").status_code == 204
    assert not PeriodicTask.objects.filter(pk=task.pk).exists()


def test_interval_schedule_uses_the_configured_minimum(
    personas, coordinator_client, builtins, settings
):
    settings.BIMFLOW_MIN_SCHEDULE_INTERVAL_S = 2
    resp = create(
        coordinator_client, personas["project"].pk, trigger="schedule", interval_seconds=1
    )
    assert "at least 2 on this server" in resp.json()["interval_seconds"][0]
    resp = create(
        coordinator_client, personas["project"].pk, trigger="schedule", interval_seconds=3
    )
    assert resp.status_code == 201, resp.content
    task = PeriodicTask.objects.get(name=f"workflow-{resp.json()['id']}")
    assert (task.interval.every, task.interval.period, task.crontab) == (3, "seconds", None)
    assert resp.json()["limits"]["min_schedule_interval_s"] == 2


def test_active_workflows_are_limited_per_project(personas, coordinator_client, builtins, settings):
    settings.BIMFLOW_MAX_ACTIVE_WORKFLOWS = 2
    p = personas["project"].pk
    assert create(coordinator_client, p).status_code == 201
    assert create(coordinator_client, p).status_code == 201
    resp = create(coordinator_client, p)
    assert resp.status_code == 400
    assert resp.json() == {
        "is_active": [
            "This project already has 2 active workflows (the limit on this server); "
            "deactivate one first."
        ]
    }
    inactive = create(coordinator_client, p, is_active=False)
    assert inactive.status_code == 201
    resp = coordinator_client.patch(f"/api/workflows/{inactive.json()['id']}/", {"is_active": True})
    assert resp.status_code == 400 and "2 active workflows" in resp.json()["is_active"][0]
    limits = coordinator_client.get(f"/api/automation/limits/?project={p}").json()
    assert limits["max_active_workflows"] == 2 and limits["active_workflows"] == 2


def test_viewers_read_but_cannot_change(personas, coordinator_client, builtins):
    p = personas["project"].pk
    wid = create(coordinator_client, p).json()["id"]
    viewer = api_client(personas["viewer"])
    assert viewer.get(f"/api/workflows/{wid}/").status_code == 200
    assert viewer.get(f"/api/projects/{p}/workflows/").json()["count"] == 1
    resp = create(viewer, p)
    assert resp.status_code == 403 and "viewer" in resp.json()["detail"]
    assert viewer.patch(f"/api/workflows/{wid}/", {"name": "x"}).status_code == 403
    assert viewer.delete(f"/api/workflows/{wid}/").status_code == 403
    assert viewer.post(f"/api/workflows/{wid}/run/", {}, format="json").status_code == 403
    assert viewer.post(f"/api/workflows/{wid}/backfill/").status_code == 403
