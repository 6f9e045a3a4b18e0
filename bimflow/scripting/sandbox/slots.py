"""Execution slots, unique on the host: slot N runs as sandbox uid `uid_base + N`.

A uid must never be shared by two running jobs, whatever worker, work folder or test
session they belong to: the end of one job kills every process left of its uid, and
a worker starting up kills processes of uids that no job holds. So the lock that says
"this uid is in use" is one file per uid in one folder for the whole host
(BIMFLOW_SLOT_DIR, default /run/bimflow-slots), held for as long as the job runs.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .settings import get_settings

_held: dict[int, int] = {}  # uid -> open, locked file descriptor of this process
_held_lock = threading.Lock()


def slot_dir() -> Path:
    explicit = os.environ.get("BIMFLOW_SLOT_DIR")
    path = Path(explicit) if explicit else Path("/run/bimflow-slots")
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not os.access(path, os.W_OK):
            raise PermissionError(path)
    except OSError:
        if explicit:
            raise
        path = Path(tempfile.gettempdir()) / f"bimflow-slots-{os.geteuid()}"
        path.mkdir(parents=True, exist_ok=True)
    return path


def try_lock(uid: int) -> int | None:
    """Lock the uid's file without waiting: its descriptor, or None if someone has it."""
    return _try_lock_file(f"uid-{uid}.lock")


def _try_lock_file(name: str) -> int | None:
    fd = os.open(slot_dir() / name, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def held_here(uid: int) -> bool:
    with _held_lock:
        return uid in _held


@contextmanager
def slot_acquire(max_slots: int = 64, poll_s: float = 0.2) -> Iterator[int]:
    """The first free slot on this host, held until the block ends (waits if none).

    Both the slot number and its uid are locked: the uid for the reasons above, the
    number because a job's folder lock is named by it (`<work dir>/slot-N.lock`), which
    workers with other uid bases, or of an older bimflow (which locked only `N.lock`
    here), share on the same host."""
    base = get_settings().uid_base
    while True:
        for slot in range(max_slots):
            uid = base + slot
            if held_here(uid):
                continue
            number_fd = _try_lock_file(f"{slot}.lock")
            if number_fd is None:
                continue
            fd = try_lock(uid)
            if fd is None:
                os.close(number_fd)
                continue
            with _held_lock:
                _held[uid] = fd
            try:
                yield slot
            finally:
                with _held_lock:
                    _held.pop(uid, None)
                os.close(fd)
                os.close(number_fd)
            return
        time.sleep(poll_s)


@contextmanager
def uid_claimed(uid: int) -> Iterator[bool]:
    """For a job started without `slot_acquire` (tests, benchmarks): hold the uid's
    lock for the job; yields False when another job has it."""
    if held_here(uid):
        yield True
        return
    fd = try_lock(uid)
    if fd is None:
        yield False
        return
    with _held_lock:
        _held[uid] = fd
    try:
        yield True
    finally:
        with _held_lock:
            _held.pop(uid, None)
        os.close(fd)
