"""Job folders on the host: spec, script, staging mount points, output tmpfs.

Layout (names are opaque because the sandbox's mount table shows host paths)::

    <work_dir>/                       0711 root (0700 when not root)
      pkgroot-1/bimflow/...           synthetic package root mounted at /opt/bimflow/lib
      j-<token>/                      0710 root:<sandbox gid>
        owner.json                    who created it: sweep_stale() reads it
        spec.json, script.py          0640 root:<sandbox gid>
        out/                          root mode: sized tmpfs owned by the sandbox uid
        stage/s0, s1, ...             root mode: mount points for host paths, bound in
                                      a private mount namespace of the child only
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from . import libc

JOB_PREFIX = "j-"
PKGROOT = "pkgroot-1"


def ensure_work_dir(path: Path, *, root: bool) -> Path:
    """Create the work folder, or refuse one that someone else could tamper with."""
    mode = 0o711 if root else 0o700
    if root:
        # bwrap runs as the sandbox uid and must walk down to the job folders.
        for parent in path.absolute().parents:
            if parent.exists() and not os.stat(parent).st_mode & stat.S_IXOTH:
                raise OSError(
                    f"the sandbox work folder {path} is below {parent}, which the sandbox "
                    "users cannot traverse (needs o+x); set BIMFLOW_SANDBOX_DIR"
                )
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=mode, parents=True)
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise OSError(f"{path} is not a directory")
    if info.st_uid != os.geteuid():
        raise OSError(f"{path} belongs to uid {info.st_uid}, not to this worker")
    if stat.S_IMODE(info.st_mode) != mode:
        os.chmod(path, mode)
    return path


def ensure_pkgroot(work_dir: Path) -> Path:
    """An empty ``bimflow`` package with mount points for ifc/ and the bootstrap.

    Mounted read-only at /opt/bimflow/lib so that ``import bimflow.ifc.datapack``
    works in the sandbox without the real ``bimflow/__init__.py`` or any other part
    of the source tree.
    """
    root = work_dir / PKGROOT
    marker = root / "bimflow" / "scripting" / "bootstrap"
    if marker.is_dir() and (root / "bimflow" / "ifc").is_dir():
        return root
    building = work_dir / f".{PKGROOT}-{secrets.token_hex(6)}"
    for folder in ("bimflow/ifc", "bimflow/scripting/bootstrap"):
        (building / folder).mkdir(parents=True, mode=0o755)
    for init in ("bimflow/__init__.py", "bimflow/scripting/__init__.py"):
        (building / init).write_text('"""Synthetic package root inside the sandbox."""\n')
    for dirpath, _dirnames, filenames in os.walk(building):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
    try:
        os.rename(building, root)
    except OSError:
        # Another worker built it first.
        shutil.rmtree(building, ignore_errors=True)
    return root


def _proc_start_time(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            data = handle.read()
    except OSError:
        return None
    # The command name may contain spaces and parentheses: split after the last ")".
    return data.rpartition(")")[2].split()[19]


def pid_alive(pid: int, start: str | None = None) -> bool:
    current = _proc_start_time(pid)
    return current is not None and (start is None or current == start)


def mounts_under(path: Path) -> list[str]:
    prefix = str(path).rstrip("/") + "/"
    found = []
    with open("/proc/self/mountinfo", encoding="utf-8") as handle:
        for line in handle:
            point = line.split()[4].replace("\\040", " ")
            if point.startswith(prefix) or point == str(path):
                found.append(point)
    return sorted(found, key=len, reverse=True)


@dataclass
class JobDir:
    path: Path
    token: str
    root: bool
    stage_pairs: list[tuple[str, str]] = field(default_factory=list)  # (host, mount point)
    output_mounted: bool = False

    @classmethod
    def create(cls, work_dir: Path, *, root: bool, gid: int | None) -> JobDir:
        token = secrets.token_hex(12)
        path = work_dir / f"{JOB_PREFIX}{token}"
        path.mkdir(mode=0o700)
        job = cls(path, token, root)
        if root and gid is not None:
            os.chown(path, 0, gid)
            os.chmod(path, 0o710)
        return job

    @property
    def out(self) -> Path:
        return self.path / "out"

    @property
    def stage(self) -> Path:
        return self.path / "stage"

    def write_owner(self, cgroup_paths: list[str]) -> None:
        record = {
            "pid": os.getpid(),
            "start": _proc_start_time(os.getpid()),
            "cgroups": cgroup_paths,
        }
        owner = self.path / "owner.json"
        fd = os.open(owner, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(record, handle)

    def write_file(self, name: str, data: bytes, *, gid: int | None) -> Path:
        target = self.path / name
        fd = os.open(
            target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o640 if gid else 0o600
        )
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if gid is not None and self.root:
            os.chown(target, 0, gid)
        return target

    def mount_output(self, *, size_mb: int, uid: int, gid: int, nr_inodes: int) -> None:
        """Root mode: the writable output folder is a sized tmpfs owned by the sandbox uid."""
        self.out.mkdir(mode=0o700)
        options = f"size={size_mb}m,nr_inodes={nr_inodes},mode=0700,uid={uid},gid={gid}"
        libc.mount(
            "tmpfs",
            str(self.out),
            "tmpfs",
            libc.MS_NOSUID | libc.MS_NODEV | libc.MS_NOEXEC,
            options,
        )
        self.output_mounted = True

    def stage_path(self, host: Path) -> str:
        """A mount point under stage/ for ``host`` (bound in the child's namespace)."""
        self.stage.mkdir(mode=0o755, exist_ok=True)
        point = self.stage / f"s{len(self.stage_pairs)}"
        if host.is_dir():
            point.mkdir(mode=0o755)
        else:
            point.touch(mode=0o644)
        self.stage_pairs.append((str(host), str(point)))
        return str(point)

    def cleanup(self) -> list[str]:
        problems: list[str] = []
        for point in mounts_under(self.path):
            try:
                libc.umount(point)
            except OSError as exc:
                problems.append(f"cannot unmount {point}: {exc}")
        if problems:
            return problems  # never delete through a mount that is still there
        shutil.rmtree(self.path, ignore_errors=True)
        if self.path.exists():
            problems.append(f"cannot remove {self.path}")
        return problems


def read_owner(path: Path) -> dict | None:
    try:
        with open(path / "owner.json", encoding="utf-8") as handle:
            record = json.load(handle)
        return record if isinstance(record, dict) else None
    except (OSError, ValueError):
        return None
