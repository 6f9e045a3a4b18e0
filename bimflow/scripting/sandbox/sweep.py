"""sweep_stale(): remove what a crashed worker left behind."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import time
from pathlib import Path

from . import cgroups, jobdir
from .procs import uid_processes
from .settings import get_settings


def _owner_alive(record: dict | None) -> bool:
    if not record or not isinstance(record.get("pid"), int):
        return False
    return jobdir.pid_alive(record["pid"], record.get("start"))


def _slot_free(work: Path, slot: int) -> bool:
    lock = work / f"slot-{slot}.lock"
    if not lock.exists():
        return True
    fd = os.open(lock, os.O_RDWR | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


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
    if os.geteuid() == 0 and work.is_dir():
        for slot in range(settings.max_slots):
            uid = settings.uid_base + slot
            if not (work / f"slot-{slot}.lock").exists() or not _slot_free(work, slot):
                continue
            for pid in uid_processes(uid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                notes.append(f"killed stray process {pid} of sandbox uid {uid}")
    return notes
