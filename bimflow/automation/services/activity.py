"""The project activity feed and per-user notifications (in-app, e-mail if opted in)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from bimflow.automation.models import (
    ActivityEvent,
    Notification,
    NotificationPreference,
)

log = logging.getLogger(__name__)


def event_record(
    *, project_id: int, kind: str, message: str, actor=None, status: str = "", **data
) -> ActivityEvent:
    """One line of a project's activity feed; `data` holds the ids it is about."""
    return ActivityEvent.objects.create(
        project_id=project_id,
        kind=kind,
        status=status,
        actor=actor if getattr(actor, "pk", None) else None,
        message=message,
        data=data,
    )


def notify(*, users, project_id: int | None, kind: str, message: str, **data) -> int:
    """Tell each user (once, however often listed) in the app, and by e-mail when they
    opted in and have an address. A mail server that is down is logged, never raised."""
    seen: set[int] = set()
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        Notification.objects.create(
            user=user, project_id=project_id, kind=kind, message=message, data=data
        )
        wants = NotificationPreference.objects.filter(user=user, email=True).exists()
        if wants and user.email:
            try:
                send_mail(
                    subject=f"[bimflow] {(message.splitlines() or [''])[0][:120]}",
                    message=message,
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[user.email],
                )
            except Exception:  # noqa: BLE001 - any mail failure must not fail the run
                log.exception("Could not e-mail notification to user %s", user.pk)
    return len(seen)


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (the listed ones, or all); returns how many."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def preference_set(*, user, email: bool) -> NotificationPreference:
    pref, _ = NotificationPreference.objects.update_or_create(user=user, defaults={"email": email})
    return pref
