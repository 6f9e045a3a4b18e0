"""Membership changes. Every project keeps at least one admin."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from bimflow.accounts.models import Membership, Role
from bimflow.core.errors import ServiceError

User = get_user_model()


def _find_user(*, user_id: int | None, username: str | None):
    qs = User.objects.filter(is_active=True)
    user = None
    if user_id is not None:
        user = qs.filter(pk=user_id).first()
    elif username:
        user = qs.filter(username=username).first()
    if user is None:
        raise ServiceError(f"There is no user {username or user_id!r}.", field="username")
    return user


def _check_last_admin(project_id: int, membership: Membership) -> None:
    if membership.role == Role.ADMIN and (
        Membership.objects.filter(project_id=project_id, role=Role.ADMIN).count() <= 1
    ):
        raise ServiceError("A project needs at least one admin; make someone else admin first.")


@transaction.atomic
def membership_add(
    *, project_id: int, role: str, user_id: int | None = None, username: str | None = None
) -> Membership:
    """Add a user to the project (or change their role if already a member)."""
    if role not in Role.values:
        raise ServiceError(f"Role must be one of {', '.join(Role.values)}.", field="role")
    user = _find_user(user_id=user_id, username=username)
    membership, created = Membership.objects.get_or_create(
        project_id=project_id, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        return membership_update(project_id=project_id, user_id=user.pk, role=role)
    return membership


@transaction.atomic
def membership_update(*, project_id: int, user_id: int, role: str) -> Membership:
    if role not in Role.values:
        raise ServiceError(f"Role must be one of {', '.join(Role.values)}.", field="role")
    membership = (
        Membership.objects.select_for_update()
        .filter(project_id=project_id, user_id=user_id)
        .first()
    )
    if membership is None:
        raise ServiceError("This user is not a member of the project.", status_code=404)
    if role != Role.ADMIN:
        _check_last_admin(project_id, membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, project_id: int, user_id: int) -> None:
    membership = (
        Membership.objects.select_for_update()
        .filter(project_id=project_id, user_id=user_id)
        .first()
    )
    if membership is None:
        raise ServiceError("This user is not a member of the project.", status_code=404)
    _check_last_admin(project_id, membership)
    membership.delete()
