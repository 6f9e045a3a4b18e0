"""What a worker does with running executions when it is asked to stop (SIGTERM).

BIMFLOW_SHUTDOWN=finish (the default): Celery's warm shutdown; the worker takes no new
work and exits once its running executions have finished.

BIMFLOW_SHUTDOWN=requeue: the worker's main process tells its pool processes (SIGUSR2);
each stops its running script at once, puts the execution back to `queued` with a line
in its log, and sends it again, so another worker (or this one after its restart) runs
it from the start. For deploys that must not wait for long scripts.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading

log = logging.getLogger(__name__)
SIGNAL = signal.SIGUSR2
requested = threading.Event()


def install_in_pool_process() -> None:
    """In each pool process: remember the request (the runner polls `requested`)."""
    requested.clear()
    signal.signal(SIGNAL, lambda signum, frame: requested.set())


def _children() -> list[int]:
    pids: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{task}/children") as fh:
                pids += [int(p) for p in fh.read().split()]
    return pids


def on_worker_shutting_down(sig=None, how=None, **kwargs) -> None:
    """In the worker's main process, on a warm shutdown (SIGTERM)."""
    from django.conf import settings

    if settings.BIMFLOW_SHUTDOWN != "requeue" or how not in (None, "Warm"):
        return
    children = _children()
    log.info("Stopping: running executions are queued again (%d pool processes)", len(children))
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, SIGNAL)
