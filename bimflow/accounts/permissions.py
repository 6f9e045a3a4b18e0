"""Project access: who may see and do what.

A non-member gets 404 for every object of a project (the project's existence is not
revealed); a member whose role is too low gets 403 with a sentence; superusers see all.
"""

from __future__ import annotations

from django.http import Http404
from rest_framework.exceptions import PermissionDenied

from bimflow.accounts.models import ROLE_RANK, Membership, Role

ACTION_WORDS = {
    Role.COORDINATOR: "upload models or run scripts",
    Role.ADMIN: "manage members or delete",
}


def project_role(user, project_id: int) -> str | None:
    """The user's role in the project, 'admin' for superusers, None for non-members."""
    if not user or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    return (
        Membership.objects.filter(user=user, project_id=project_id)
        .values_list("role", flat=True)
        .first()
    )


def require_role(user, project_id: int, minimum: str = Role.VIEWER) -> str:
    """Return the user's role or raise 404 (non-member) / 403 (role too low)."""
    role = project_role(user, project_id)
    if role is None:
        raise Http404("Not found.")
    if ROLE_RANK[Role(role)] < ROLE_RANK[Role(minimum)]:
        what = ACTION_WORDS.get(Role(minimum), "do this")
        raise PermissionDenied(
            f"Your role in this project is {role}; only a {minimum} or higher may {what}."
        )
    return role


def visible_project_ids(user):
    """A queryset of project ids the user can read (None means every project)."""
    if user.is_superuser:
        return None
    return Membership.objects.filter(user=user).values("project_id")
