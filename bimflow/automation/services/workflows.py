"""Workflows: validation, create/update/delete, and their periodic task in the
database scheduler (django-celery-beat)."""

from __future__ import annotations

import json
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from bimflow.accounts.models import Role
from bimflow.accounts.permissions import require_role
from bimflow.automation.models import Trigger, Workflow, WorkflowStep
from bimflow.automation.selection import model_filter_check
from bimflow.core.errors import ServiceError
from bimflow.projects.models import Project
from bimflow.scripting import selectors as script_selectors
from bimflow.scripting.models import Script
from bimflow.scripting.params import params_validate

MAX_STEPS = 20
FIRE_TASK = "bimflow.automation.tasks.workflow_fire_scheduled"
WRITABLE = (
    "name",
    "description",
    "trigger",
    "cron",
    "interval_seconds",
    "timezone",
    "model_filter",
    "stop_on_failure",
    "is_active",
    "steps",
)


def cron_check(cron: str) -> str:
    """A standard five-field cron expression (minute hour day-of-month month
    day-of-week), or ServiceError naming what is wrong."""
    from croniter import croniter

    cron = " ".join((cron or "").split())
    fields = cron.split(" ") if cron else []
    if len(fields) != 5:
        raise ServiceError(
            f"A schedule needs a cron expression of five fields (minute hour day-of-month "
            f"month day-of-week), e.g. '0 6 * * 1' for Mondays at 06:00; "
            f"'{cron}' has {len(fields)}.",
            field="cron",
        )
    if not croniter.is_valid(cron):
        raise ServiceError(
            f"'{cron}' is not a valid cron expression; e.g. '*/15 * * * *' is every "
            "15 minutes and '0 6 * * 1' is Mondays at 06:00.",
            field="cron",
        )
    return cron


def timezone_check(name: str | None) -> str:
    name = (name or settings.TIME_ZONE).strip()
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ServiceError(
            f"'{name}' is not a time zone; use a name like 'Europe/Amsterdam' or 'UTC'.",
            field="timezone",
        )
    return name


def interval_check(seconds) -> int:
    minimum = settings.BIMFLOW_MIN_SCHEDULE_INTERVAL_S
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < minimum:
        raise ServiceError(
            f"The interval must be a whole number of seconds, at least {minimum} on this server.",
            field="interval_seconds",
        )
    return seconds


def script_usable(script: Script, project_id: int) -> bool:
    """Workflows run for every member, so they use built-ins or scripts shared with
    the project, never someone's private script."""
    return script.builtin or (script.is_public and script.project_id == project_id)


def steps_check(*, user, project_id: int, steps) -> list[tuple[Script, dict]]:
    """Each step's script (id or slug) and parameters, validated against the schema of
    the script's current revision; messages name the step."""
    if not isinstance(steps, list) or not steps:
        raise ServiceError("A workflow needs at least one step.", field="steps")
    if len(steps) > MAX_STEPS:
        raise ServiceError(f"A workflow has at most {MAX_STEPS} steps.", field="steps")
    clean = []
    for n, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or "script" not in step:
            raise ServiceError(
                f'Step {n}: give the script as {{"script": "<slug or id>", "parameters": {{}}}}.',
                field="steps",
            )
        ref = step["script"]
        try:
            script = script_selectors.script_get(user, ref)
        except Http404:
            raise ServiceError(f"Step {n}: there is no script '{ref}' you can use.", field="steps")
        if not script_usable(script, project_id):
            raise ServiceError(
                f"Step {n}: '{script.slug}' is private; share it with this project to use it "
                "in a workflow.",
                field="steps",
            )
        if script.current_revision is None:
            raise ServiceError(f"Step {n}: '{script.slug}' has no code yet.", field="steps")
        try:
            params = params_validate(
                script.current_revision.parameters_schema,
                step.get("parameters") or {},
                context={"project_id": project_id, "user": user},
            )
        except ServiceError as exc:
            raise ServiceError(f"Step {n} ({script.slug}): {exc.message}", field="steps")
        clean.append((script, params))
    return clean


def _active_limit_check(project_id: int, exclude_id: int | None = None) -> None:
    limit = settings.BIMFLOW_MAX_ACTIVE_WORKFLOWS
    qs = Workflow.objects.filter(project_id=project_id, is_active=True)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    if qs.count() >= limit:
        raise ServiceError(
            f"This project already has {limit} active workflows (the limit on this server); "
            "deactivate one first.",
            field="is_active",
        )


def _clean(data: dict, *, user, project_id: int, current: Workflow | None) -> dict:
    """Validate a full set of workflow fields (current values filled in for a PATCH)."""
    out: dict = {}
    name = (data.get("name") or "").strip()
    if not name:
        raise ServiceError("A workflow needs a name.", field="name")
    out["name"] = name[:200]
    out["description"] = data.get("description") or ""
    trigger = data.get("trigger") or Trigger.MANUAL
    if trigger not in Trigger.values:
        raise ServiceError(
            f"The trigger must be one of {', '.join(Trigger.values)}.", field="trigger"
        )
    out["trigger"] = trigger
    out["timezone"] = timezone_check(data.get("timezone"))
    cron, interval = (data.get("cron") or "").strip(), data.get("interval_seconds")
    out["cron"], out["interval_seconds"] = "", None
    if trigger == Trigger.SCHEDULE:
        if cron and interval:
            raise ServiceError(
                "Give either a cron expression or an interval, not both.", field="cron"
            )
        if not cron and not interval:
            raise ServiceError(
                "A scheduled workflow needs a cron expression, e.g. '0 6 * * 1' for Mondays "
                "at 06:00.",
                field="cron",
            )
        if cron:
            out["cron"] = cron_check(cron)
        else:
            out["interval_seconds"] = interval_check(interval)
    out["model_filter"] = model_filter_check(data.get("model_filter"))
    out["stop_on_failure"] = bool(data.get("stop_on_failure", True))
    out["is_active"] = bool(data.get("is_active", True))
    if out["is_active"] and (current is None or not current.is_active):
        _active_limit_check(project_id, exclude_id=current.pk if current else None)
    out["steps"] = steps_check(user=user, project_id=project_id, steps=data.get("steps"))
    return out


def _steps_store(workflow: Workflow, steps: list[tuple[Script, dict]]) -> None:
    workflow.steps.all().delete()
    WorkflowStep.objects.bulk_create(
        WorkflowStep(workflow=workflow, position=i, script=script, parameters=params)
        for i, (script, params) in enumerate(steps)
    )


@transaction.atomic
def workflow_create(*, project: Project, user, **data) -> Workflow:
    """A new workflow of the project (coordinators and admins)."""
    require_role(user, project.pk, Role.COORDINATOR)
    clean = _clean(data, user=user, project_id=project.pk, current=None)
    steps = clean.pop("steps")
    workflow = Workflow.objects.create(project=project, created_by=user, **clean)
    _steps_store(workflow, steps)
    schedule_sync(workflow=workflow)
    return workflow


def workflow_as_data(workflow: Workflow) -> dict:
    """The writable fields of a workflow as they would be sent (for a partial update)."""
    data = {key: getattr(workflow, key) for key in WRITABLE if key != "steps"}
    data["steps"] = [
        {"script": s.script_id, "parameters": s.parameters}
        for s in workflow.steps.order_by("position")
        if s.script_id is not None
    ]
    return data


@transaction.atomic
def workflow_update(*, workflow: Workflow, user, **changes) -> Workflow:
    """Change a workflow (any field; `steps` replaces all steps). Its periodic task
    follows: created, rescheduled, disabled or removed."""
    require_role(user, workflow.project_id, Role.COORDINATOR)
    workflow = Workflow.objects.select_for_update().get(pk=workflow.pk)
    data = workflow_as_data(workflow)
    data.update({k: v for k, v in changes.items() if k in WRITABLE})
    # Setting one kind of schedule clears the other (both at once is refused below).
    if changes.get("cron") and not changes.get("interval_seconds"):
        data["interval_seconds"] = None
    if changes.get("interval_seconds") and not changes.get("cron"):
        data["cron"] = ""
    clean = _clean(data, user=user, project_id=workflow.project_id, current=workflow)
    steps = clean.pop("steps")
    for key, value in clean.items():
        setattr(workflow, key, value)
    workflow.save()
    if "steps" in changes:
        _steps_store(workflow, steps)
    schedule_sync(workflow=workflow)
    return workflow


@transaction.atomic
def workflow_delete(*, workflow: Workflow, user) -> None:
    """Delete a workflow, its periodic task and its run history."""
    require_role(user, workflow.project_id, Role.COORDINATOR)
    task = workflow.periodic_task
    workflow.delete()
    if task is not None:
        task.delete()


def schedule_sync(*, workflow: Workflow) -> None:
    """Make the workflow's row in the database scheduler match it: a crontab (in the
    workflow's time zone) or an interval, enabled only while the workflow is active.
    Saving through the model (not a queryset update) bumps the scheduler's change
    marker, so a running beat reloads within its loop interval (5 s)."""
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    task = workflow.periodic_task
    if workflow.trigger != Trigger.SCHEDULE:
        if task is not None:
            workflow.periodic_task = None
            workflow.save(update_fields=["periodic_task"])
            task.delete()
        return
    if task is None:
        name = f"workflow-{workflow.pk}"
        task = PeriodicTask.objects.filter(name=name).first() or PeriodicTask(name=name)
    task.task = FIRE_TASK
    task.args = json.dumps([workflow.pk])
    task.kwargs = "{}"
    task.description = f"Workflow '{workflow.name}' of project {workflow.project_id}"
    task.enabled = workflow.is_active
    task.crontab = task.interval = None
    if workflow.interval_seconds:
        task.interval, _ = IntervalSchedule.objects.get_or_create(
            every=workflow.interval_seconds, period=IntervalSchedule.SECONDS
        )
    else:
        minute, hour, dom, month, dow = workflow.cron.split(" ")
        task.crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_month=dom,
            month_of_year=month,
            day_of_week=dow,
            timezone=workflow.timezone,
        )
    task.save()
    if workflow.periodic_task_id != task.pk:
        workflow.periodic_task = task
        workflow.save(update_fields=["periodic_task"])


def next_run_at(workflow: Workflow, *, now: datetime | None = None) -> datetime | None:
    """When the schedule fires next (None for other triggers or inactive workflows)."""
    if workflow.trigger != Trigger.SCHEDULE or not workflow.is_active:
        return None
    now = now or timezone.now()
    if workflow.cron:
        from croniter import croniter

        local = now.astimezone(zoneinfo.ZoneInfo(workflow.timezone))
        return croniter(workflow.cron, local).get_next(datetime)
    if workflow.interval_seconds:
        task = workflow.periodic_task
        base = (task.last_run_at if task else None) or workflow.updated_at
        due = base + timedelta(seconds=workflow.interval_seconds)
        return max(due, now)
    return None
