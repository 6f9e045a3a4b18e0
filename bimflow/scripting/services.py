"""Scripts, revisions and executions: the writes."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from bimflow.accounts.models import Role
from bimflow.accounts.permissions import require_role
from bimflow.core.errors import ServiceError
from bimflow.projects.models import ModelVersion, VersionStatus
from bimflow.scripting.models import (
    Category,
    Execution,
    ExecutionStatus,
    Runtime,
    Script,
    ScriptRevision,
)
from bimflow.scripting.params import params_validate, schema_check

MAX_CODE_BYTES = 5 * 1024 * 1024
LIMIT_KEYS = {
    "timeout_s": "BIMFLOW_SCRIPT_MAX_TIMEOUT_S",
    "memory_mb": "BIMFLOW_SCRIPT_MAX_MEMORY_MB",
    "max_procs": "BIMFLOW_SCRIPT_MAX_PROCS_MAX",
    "output_mb": "BIMFLOW_SCRIPT_MAX_OUTPUT_MB",
    "log_mb": "BIMFLOW_SCRIPT_MAX_LOG_MB",
}


def code_check(code: str) -> None:
    """Raise ServiceError (400) for code that is too large or does not compile."""
    if not isinstance(code, str) or not code.strip():
        raise ServiceError("The script has no code.", field="code")
    if len(code.encode("utf-8")) > MAX_CODE_BYTES:
        raise ServiceError("The script is larger than 5 MB.", field="code")
    try:
        compile(code, "script.py", "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise ServiceError(
            f"Syntax error on line {exc.lineno}: {exc.msg}"
            + (f" ({exc.text.strip()})" if exc.text else ""),
            field="code",
        )
    except ValueError as exc:  # e.g. null bytes
        raise ServiceError(f"The script cannot be compiled: {exc}", field="code")


def limits_check(limits: dict | None) -> dict:
    """A script's own limits: each at most the operator's maximum."""
    limits = limits or {}
    if not isinstance(limits, dict):
        raise ServiceError("Limits must be an object.", field="limits")
    clean = {}
    for key, value in limits.items():
        if key not in LIMIT_KEYS:
            raise ServiceError(
                f"Unknown limit '{key}'; known: {', '.join(LIMIT_KEYS)}.", field="limits"
            )
        maximum = getattr(settings, LIMIT_KEYS[key])
        if not isinstance(value, (int, float)) or value <= 0:
            raise ServiceError(f"Limit '{key}' must be a positive number.", field="limits")
        if value > maximum:
            raise ServiceError(
                f"Limit '{key}' may be at most {maximum} on this server.", field="limits"
            )
        clean[key] = value
    return clean


def _sha(code: str, schema: dict) -> str:
    payload = code + "\n#schema:" + json.dumps(schema or {}, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def revision_add(*, script: Script, code: str, parameters_schema: dict, user) -> ScriptRevision:
    """Add an immutable revision and make it current."""
    number = (script.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
    rev = ScriptRevision.objects.create(
        script=script,
        number=number,
        code=code,
        parameters_schema=parameters_schema or {},
        sha256=_sha(code, parameters_schema),
        created_by=user,
    )
    script.current_revision = rev
    script.parameters_schema = parameters_schema or {}
    script.save(update_fields=["current_revision", "parameters_schema", "updated_at"])
    return rev


def _unique_slug(base: str) -> str:
    base = slugify(base)[:80] or "script"
    slug, n = base, 2
    while Script.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def script_create(
    *,
    user,
    name: str,
    code: str,
    description: str = "",
    category: str = Category.CUSTOM,
    parameters_schema: dict | None = None,
    project_id: int | None = None,
    is_public: bool = False,
    slug: str | None = None,
    limits: dict | None = None,
) -> Script:
    """A user's script: private to them, or shared with a project's members."""
    if not (name or "").strip():
        raise ServiceError("A script needs a name.", field="name")
    if category not in Category.values:
        raise ServiceError(
            f"Category must be one of {', '.join(Category.values)}.", field="category"
        )
    if project_id is not None:
        require_role(user, project_id, Role.COORDINATOR)
    elif is_public:
        raise ServiceError("Choose the project to share the script with.", field="project")
    code_check(code)
    schema = parameters_schema or {"type": "object", "properties": {}}
    schema_check(schema)
    if slug and slug.startswith("_"):
        raise ServiceError("A slug cannot start with an underscore.", field="slug")
    if slug and Script.objects.filter(slug=slug).exists():
        raise ServiceError(f"The slug '{slug}' is taken.", field="slug")
    script = Script.objects.create(
        slug=slug or _unique_slug(name),
        name=name.strip(),
        description=description or "",
        category=category,
        runtime=Runtime.PYTHON,
        parameters_schema=schema,
        limits=limits_check(limits),
        is_public=is_public,
        owner=user,
        project_id=project_id,
    )
    revision_add(script=script, code=code, parameters_schema=schema, user=user)
    return script


def script_copy(
    *,
    script: Script,
    user,
    name: str | None = None,
    project_id: int | None = None,
    is_public: bool = False,
) -> Script:
    """A new script of the user's own, starting from another one's current code,
    parameters schema and limits (how a built-in is customised: built-ins themselves
    cannot be changed)."""
    rev = script.current_revision
    if rev is None:
        raise ServiceError("This script has no code to copy.", field="script")
    return script_create(
        user=user,
        name=(name or "").strip() or f"{script.name} (copy)",
        code=rev.code,
        description=script.description,
        category=script.category,
        parameters_schema=rev.parameters_schema,
        project_id=project_id,
        is_public=is_public,
        limits=script.limits,
    )


def script_can_edit(user, script: Script) -> bool:
    if script.builtin:
        return False
    if user.is_superuser or script.owner_id == user.pk:
        return True
    return False


@transaction.atomic
def script_update(*, script: Script, user, **changes) -> Script:
    """Change a script; new code or a new schema makes a new revision."""
    if script.builtin:
        raise ServiceError(
            "Built-in scripts cannot be changed; copy one to start from it.", status_code=403
        )
    if not script_can_edit(user, script):
        raise ServiceError("Only the script's owner can change it.", status_code=403)
    code = changes.pop("code", None)
    schema = changes.pop("parameters_schema", None)
    if "limits" in changes:
        changes["limits"] = limits_check(changes["limits"])
    if "project" in changes:
        changes["project_id"] = changes.pop("project")
    if changes.get("project_id") is not None:
        require_role(user, changes["project_id"], Role.COORDINATOR)
    for key, value in changes.items():
        if key in {"name", "description", "category", "is_public", "limits", "project_id"}:
            setattr(script, key, value)
    if script.is_public and script.project_id is None:
        raise ServiceError("Choose the project to share the script with.", field="project")
    script.save()
    rev = script.current_revision
    if code is not None or schema is not None:
        new_code = code if code is not None else rev.code
        new_schema = schema if schema is not None else rev.parameters_schema
        code_check(new_code)
        schema_check(new_schema)
        if new_code != rev.code or new_schema != rev.parameters_schema:
            revision_add(script=script, code=new_code, parameters_schema=new_schema, user=user)
    return script


def script_delete(*, script: Script, user) -> None:
    if not script_can_edit(user, script):
        raise ServiceError(
            "Only the script's owner can delete it; built-ins cannot be.", status_code=403
        )
    if script.executions.exists():
        # Executions keep their exact code and provenance, so their script stays.
        raise ServiceError(
            "This script has executions that refer to it, so it is kept for their history; "
            "stop sharing it instead.",
            status_code=409,
        )
    script.delete()


def active_count(user) -> int:
    return Execution.objects.filter(
        triggered_by=user, status__in=[ExecutionStatus.QUEUED, ExecutionStatus.RUNNING]
    ).count()


def execution_create(
    *,
    script: Script,
    version: ModelVersion,
    parameters: dict | None,
    user,
    enforce_user_limit: bool = True,
    dispatch: bool = True,
) -> Execution:
    """Validate and queue a run of the script's current revision on a ready version.

    With `dispatch=False` the caller sends it (a batch sends its executions as a group)."""
    from bimflow.scripting.tasks import execution_send

    require_role(user, version.model.project_id, Role.COORDINATOR)
    if version.status != VersionStatus.READY:
        raise ServiceError(
            f"Version {version.number} of '{version.model.name}' is {version.status}; "
            "scripts run on ready versions.",
            field="version",
        )
    rev = script.current_revision
    if rev is None:
        raise ServiceError("This script has no code yet.", field="script")
    params = params_validate(
        rev.parameters_schema,
        parameters,
        context={"project_id": version.model.project_id, "version": version, "user": user},
    )
    limit = settings.BIMFLOW_MAX_ACTIVE_EXECUTIONS_PER_USER
    if enforce_user_limit and limit and active_count(user) >= limit:
        raise ServiceError(
            f"You already have {limit} executions queued or running (the limit); "
            "wait for one to finish or cancel one.",
            status_code=429,
        )
    import ifcopenshell

    import bimflow

    execution = Execution.objects.create(
        script=script,
        revision=rev,
        version=version,
        project_id=version.model.project_id,
        parameters=params,
        triggered_by=user,
        script_sha256=rev.sha256,
        model_sha256=version.sha256,
        bimflow_version=bimflow.__version__,
        ifcopenshell_version=ifcopenshell.version,
    )
    if dispatch:
        transaction.on_commit(lambda: execution_send(execution.pk))
    return execution


def execution_cancel(*, execution: Execution, user) -> Execution:
    """Cancel a queued execution at once; ask the worker to kill a running one."""
    require_role(user, execution.project_id, Role.COORDINATOR)
    if execution.is_final:
        raise ServiceError(f"This execution already ended ({execution.status}).", status_code=409)
    now = timezone.now()
    cancelled = Execution.objects.filter(pk=execution.pk, status=ExecutionStatus.QUEUED).update(
        status=ExecutionStatus.CANCELLED,
        finished_at=now,
        error="Cancelled before it started.",
        cancel_requested=True,
    )
    if not cancelled:
        Execution.objects.filter(pk=execution.pk).update(cancel_requested=True)
    execution.refresh_from_db()
    return execution
