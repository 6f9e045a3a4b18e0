"""Reading scripts and executions, with who may see what."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from bimflow.accounts.permissions import require_role, visible_project_ids
from bimflow.scripting.models import Execution, Script


def scripts_visible(user) -> QuerySet[Script]:
    """Built-ins, the user's own scripts, and scripts shared with their projects."""
    qs = Script.objects.select_related("current_revision", "owner", "project")
    if user.is_superuser:
        return qs
    projects = visible_project_ids(user)
    return qs.filter(Q(builtin=True) | Q(owner=user) | Q(is_public=True, project_id__in=projects))


def script_get(user, ref) -> Script:
    """A script by id or slug, if the user may see it (else 404)."""
    qs = scripts_visible(user)
    ref = str(ref)
    script = qs.filter(pk=int(ref)).first() if ref.isdigit() else qs.filter(slug=ref).first()
    if script is None:
        raise Http404("No such script.")
    return script


def executions_visible(user) -> QuerySet[Execution]:
    qs = Execution.objects.select_related("script", "revision", "version__model", "triggered_by")
    projects = visible_project_ids(user)
    return qs if projects is None else qs.filter(project_id__in=projects)


def execution_get(user, execution_id: int) -> Execution:
    execution = (
        Execution.objects.select_related("script", "revision", "version__model", "triggered_by")
        .filter(pk=execution_id)
        .first()
    )
    if execution is None:
        raise Http404("Not found.")
    require_role(user, execution.project_id)
    return execution
