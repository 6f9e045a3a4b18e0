"""sweep_stale(): remove what a crashed worker left behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import time
from pathlib import Path

from . import cgroups, jobdir, slots
from .procs import uid_processes, uid_table
from .settings import get_settings


def _owner_alive(record: dict | None) -> bool:
    if not record or not isinstance(record.get("pid"), int):
        return False
    return jobdir.pid_alive(record["pid"], record.get("start"))


def sweep_stale(*, min_age_s: float = 60.0) -> list[str]:
    """Remove job folders, mounts and cgroups whose worker is gone; returns notes.

    Run on worker start. Safe while other workers run: anything whose owner process
    is alive, or whose execution slot is locked, is left alone.
    """
    settings = get_settings()
    work = settings.work_dir
    notes: list[str] = []
    layout = cgroups.detect()
    if work.is_dir():
        for entry in sorted(work.iterdir()):
            if entry.name.startswith(jobdir.JOB_PREFIX):
                record = jobdir.read_owner(entry)
                if _owner_alive(record):
                    continue
                if record is None and time.time() - entry.lstat().st_mtime < min_age_s:
                    continue  # being created right now by a live worker
                for path in (record or {}).get("cgroups", []):
                    if (
                        isinstance(path, str)
                        and f"/{cgroups.PARENT_NAME}/{cgroups.JOB_PREFIX}" in path
                    ):
                        notes += cgroups.kill_and_remove(Path(path))
                job = jobdir.JobDir(entry, entry.name[len(jobdir.JOB_PREFIX) :], os.geteuid() == 0)
                problems = job.cleanup()
                notes += problems or [f"removed stale job folder {entry.name}"]
            elif entry.name.startswith(f".{jobdir.PKGROOT}-"):
                if time.time() - entry.lstat().st_mtime > min_age_s:
                    shutil.rmtree(entry, ignore_errors=True)
    for directory in cgroups.stale_job_dirs(layout):
        pid_text = directory.name[len(cgroups.JOB_PREFIX) :].partition("-")[0]
        if pid_text.isdigit() and jobdir.pid_alive(int(pid_text)):
            continue
        notes += cgroups.kill_and_remove(directory) or [f"removed stale cgroup {directory}"]
    if os.geteuid() == 0:
        notes += _kill_strays(settings.uid_base, settings.max_slots)
    return notes


def _kill_strays(uid_base: int, max_slots: int) -> list[str]:
    """Kill processes of sandbox uids that no job on this host holds. The uid's lock
    (host-wide, see slots.py) is taken while killing, so a job starting at that moment
    waits for its slot instead of losing its processes; a uid held by a running job of
    any worker, work folder or test session is never touched."""
    notes: list[str] = []
    by_uid: dict[int, list[int]] = {}
    for pid, uid in uid_table(range(uid_base, uid_base + max_slots)):
        by_uid.setdefault(uid, []).append(pid)
    for uid in sorted(by_uid):
        if slots.held_here(uid):
            continue
        fd = slots.try_lock(uid)
        if fd is None:
            continue  # a live job runs as this uid
        try:
            for pid in uid_processes(uid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                notes.append(f"killed stray process {pid} of sandbox uid {uid}")
        finally:
            os.close(fd)
    return notes
