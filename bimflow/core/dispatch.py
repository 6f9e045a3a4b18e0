"""Sending tasks when the broker may be down.

`task.delay()` raises (or blocks for a long time) when Redis cannot be reached. Work
that a request created must not be lost that way, nor must the request fail: the
database row is the record of the work, a publish is retried briefly, and whether it
went out is recorded on the row (`dispatched_at`). What did not go out is sent again by
the reapers that beat runs, and by each worker when it starts (see `pending_resend`
in the projects and scripting apps).
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

# A short retry: a broker that restarts comes back within a second or two; one that is
# down for longer is handled by re-sending later, not by keeping the request waiting.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0.1, "interval_step": 0.3, "interval_max": 0.5}


def task_send(task, *args) -> bool:
    """Publish `task(*args)`; True when the broker took it, False (logged) when not."""
    try:
        task.apply_async(args=args, retry=True, retry_policy=PUBLISH_RETRY)
    except Exception as exc:  # any transport error: the row stays undispatched
        log.warning(
            "Could not send %s%s to the broker (%s: %s); it will be sent again later",
            task.name,
            args,
            exc.__class__.__name__,
            exc,
        )
        return False
    return True


def group_send(signatures) -> bool:
    """Publish a Celery `group` of task signatures (a fan-out); True when the broker took
    them all, False (logged) when not: then the rows stay undispatched and are re-sent."""
    from celery import group

    signatures = list(signatures)
    if not signatures:
        return True
    try:
        group(signatures).apply_async(retry=True, retry_policy=PUBLISH_RETRY)
    except Exception as exc:  # any transport error
        log.warning(
            "Could not send a group of %d tasks to the broker (%s: %s); "
            "they will be sent again later",
            len(signatures),
            exc.__class__.__name__,
            exc,
        )
        return False
    return True
