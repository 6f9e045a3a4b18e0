"""Per-job cgroups: memory (+swap), pids and CPU limits, and a kill switch.

Supports cgroup v2 (``memory.max``, ``pids.max``, ``cpu.max``, ``cgroup.kill`` in
one tree), v1 (memory/pids/cpu controllers) and the hybrid layout of these machines
(v1 controllers; the v2 tree at ``/sys/fs/cgroup/unified`` used only for
``cgroup.kill``). Job cgroups are created *below the worker's own cgroup* in each
hierarchy (``<own>/bimflow/job-<token>``), so whatever limits the host puts on the
worker still hold for its jobs, and a delegated subtree (systemd ``Delegate=yes``)
is enough for a non-root worker.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

CONTROLLERS = ("memory", "pids", "cpu")
PARENT_NAME = "bimflow"
JOB_PREFIX = "job-"
CPU_PERIOD_US = 100_000


@dataclass
class Hierarchy:
    version: str  # "v1" or "v2"
    own: Path  # the directory of the worker's own cgroup
    controllers: set[str] = field(default_factory=set)  # the ones jobs get here
    kill: bool = False  # cgroup.kill available (v2, kernel >= 5.14)

    @property
    def parent(self) -> Path:
        return self.own / PARENT_NAME


@dataclass
class CgroupLayout:
    host_version: str | None  # "v1" | "v2" | "hybrid" | None
    hierarchies: list[Hierarchy]
    memsw: bool = False  # v1 memory+swap limit available
    reason: str = ""

    def has(self, controller: str) -> bool:
        return any(controller in h.controllers for h in self.hierarchies)

    @property
    def kill(self) -> bool:
        return any(h.kill for h in self.hierarchies)

    @property
    def usable(self) -> bool:
        return bool(self.hierarchies)

    def summary(self) -> dict[str, object]:
        return {
            "memory": self.has("memory"),
            "pids": self.has("pids"),
            "cpu": self.has("cpu"),
            "kill": self.kill,
            "version": self.host_version,
        }


def parse_mounts(mountinfo: str) -> list[tuple[str, str, str, set[str]]]:
    """(fstype, mount root, mount point, super options) of the cgroup mounts."""
    found = []
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields = left.split()
        fstype, _source, superopts = (right.split() + ["", "", ""])[:3]
        if fstype in ("cgroup", "cgroup2") and len(fields) > 4:
            mount_point = fields[4].replace("\\040", " ")
            found.append((fstype, fields[3], mount_point, set(superopts.split(","))))
    return found


def _mounts() -> list[tuple[str, str, str, set[str]]]:
    with open("/proc/self/mountinfo", encoding="utf-8") as handle:
        return parse_mounts(handle.read())


def parse_own(proc_cgroup: str) -> tuple[dict[str, str], str | None]:
    """Our cgroup path per v1 controller, and in the v2 tree, from /proc/self/cgroup."""
    v1: dict[str, str] = {}
    v2 = None
    for line in proc_cgroup.splitlines():
        hid, controllers, path = line.split(":", 2)
        if hid == "0" and controllers == "":
            v2 = path
        else:
            for name in controllers.split(","):
                v1[name] = path
    return v1, v2


def _own_paths() -> tuple[dict[str, str], str | None]:
    with open("/proc/self/cgroup", encoding="utf-8") as handle:
        return parse_own(handle.read())


def join_path(mount_point: str, mount_root: str, own: str) -> Path | None:
    if mount_root != "/" and not (own == mount_root or own.startswith(mount_root + "/")):
        return None
    relative = own[len(mount_root) :] if mount_root != "/" else own
    return Path(mount_point + relative.rstrip("/")) if relative.strip("/") else Path(mount_point)


def _write(path: Path, value: str) -> None:
    with open(path, "w", encoding="ascii") as handle:
        handle.write(value)


def _probe_dir(parent: Path) -> bool:
    """Can we create job cgroups under ``parent``? (mkdir + rmdir a probe)"""
    try:
        parent.mkdir(exist_ok=True)
        probe = parent / f"probe-{os.getpid()}-{time.monotonic_ns()}"
        probe.mkdir()
        probe.rmdir()
        return True
    except OSError:
        return False


def _enable_v2(own: Path, parent: Path, wanted: set[str]) -> set[str]:
    """Delegate controllers own -> bimflow -> jobs; returns what is enabled."""
    try:
        available = set((own / "cgroup.controllers").read_text().split())
    except OSError:
        return set()
    enabled = set()
    for name in sorted(wanted & available):
        try:
            current = set((own / "cgroup.subtree_control").read_text().split())
            if name not in current:
                _write(own / "cgroup.subtree_control", f"+{name}")
            _write(parent / "cgroup.subtree_control", f"+{name}")
            enabled.add(name)
        except OSError:
            # EBUSY: the worker's own cgroup holds processes (the v2 "no internal
            # processes" rule); the operator must give the worker a delegated leaf.
            continue
    return enabled


def detect() -> CgroupLayout:
    """Which cgroup limits this process can put on its jobs (cheap; run once)."""
    try:
        mounts = _mounts()
        own_v1, own_v2 = _own_paths()
    except OSError as exc:
        return CgroupLayout(None, [], reason=f"cannot read cgroup information: {exc}")
    v1_mounts = [m for m in mounts if m[0] == "cgroup"]
    v2_mounts = [m for m in mounts if m[0] == "cgroup2"]
    if v2_mounts and not v1_mounts:
        host_version: str | None = "v2"
    elif v1_mounts and v2_mounts:
        host_version = "hybrid"
    elif v1_mounts:
        host_version = "v1"
    else:
        host_version = None

    hierarchies: list[Hierarchy] = []
    reasons: list[str] = []
    memsw = False
    taken: set[str] = set()
    if v2_mounts and own_v2 is not None:
        _fstype, root, point, _opts = v2_mounts[0]
        own = join_path(point, root, own_v2)
        if own is not None and _probe_dir(own / PARENT_NAME):
            parent = own / PARENT_NAME
            controllers = _enable_v2(own, parent, set(CONTROLLERS))
            probe = parent / f"probe-{os.getpid()}"
            kill = False
            try:
                probe.mkdir(exist_ok=True)
                kill = (probe / "cgroup.kill").exists()
            except OSError:
                pass
            finally:
                with contextlib.suppress(OSError):
                    probe.rmdir()
            hierarchies.append(Hierarchy("v2", own, controllers, kill))
            taken |= controllers
        else:
            reasons.append("the cgroup v2 tree is not writable by this user")
    for _fstype, root, point, opts in v1_mounts:
        wanted = (opts & set(CONTROLLERS)) - taken
        if not wanted:
            continue
        own_path = next((own_v1[c] for c in wanted if c in own_v1), None)
        own = join_path(point, root, own_path) if own_path is not None else None
        if own is None or not _probe_dir(own / PARENT_NAME):
            reasons.append(f"the cgroup v1 {'/'.join(sorted(wanted))} controller is not writable")
            continue
        hierarchies.append(Hierarchy("v1", own, wanted))
        taken |= wanted
        if "memory" in wanted:
            memsw = (own / "memory.memsw.limit_in_bytes").exists()
    return CgroupLayout(host_version, hierarchies, memsw, "; ".join(reasons))


class JobCgroup:
    """The cgroups of one job, one directory per hierarchy."""

    def __init__(self, layout: CgroupLayout, token: str) -> None:
        self.layout = layout
        self.name = JOB_PREFIX + token
        self.dirs = [(h, h.parent / self.name) for h in layout.hierarchies]

    @property
    def paths(self) -> list[str]:
        return [str(d) for _h, d in self.dirs]

    def create(self, *, memory_bytes: int, max_procs: int, cpus: float) -> None:
        for hierarchy, directory in self.dirs:
            directory.mkdir(mode=0o755)
            c = hierarchy.controllers
            if hierarchy.version == "v2":
                if "memory" in c:
                    _write(directory / "memory.max", str(memory_bytes))
                    with contextlib.suppress(OSError):
                        _write(directory / "memory.swap.max", "0")
                    with contextlib.suppress(OSError):
                        _write(directory / "memory.oom.group", "1")
                if "pids" in c:
                    _write(directory / "pids.max", str(max_procs))
                if "cpu" in c:
                    _write(directory / "cpu.max", f"{int(cpus * CPU_PERIOD_US)} {CPU_PERIOD_US}")
            else:
                if "memory" in c:
                    _write(directory / "memory.limit_in_bytes", str(memory_bytes))
                    if self.layout.memsw:
                        _write(directory / "memory.memsw.limit_in_bytes", str(memory_bytes))
                if "pids" in c:
                    _write(directory / "pids.max", str(max_procs))
                if "cpu" in c:
                    _write(directory / "cpu.cfs_period_us", str(CPU_PERIOD_US))
                    _write(directory / "cpu.cfs_quota_us", str(int(cpus * CPU_PERIOD_US)))

    def open_join_fds(self) -> list[int]:
        """Opened before the fork; the child writes "0" to each to join."""
        return [os.open(d / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC) for _h, d in self.dirs]

    def _read(self, controller: str, v1_name: str, v2_name: str) -> str | None:
        for hierarchy, directory in self.dirs:
            if controller in hierarchy.controllers:
                name = v2_name if hierarchy.version == "v2" else v1_name
                try:
                    return (directory / name).read_text()
                except OSError:
                    return None
        return None

    @staticmethod
    def _field(text: str | None, key: str) -> int:
        for line in (text or "").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == key:
                return int(parts[1])
        return 0

    def oom_kills(self) -> int:
        text = self._read("memory", "memory.oom_control", "memory.events")
        return self._field(text, "oom_kill")

    def memory_failcnt(self) -> int:
        text = self._read("memory", "memory.failcnt", "memory.events")
        if text is None:
            return 0
        return int(text.strip()) if text.strip().isdigit() else self._field(text, "max")

    def pids_refused(self) -> int:
        return self._field(self._read("pids", "pids.events", "pids.events"), "max")

    def peak_bytes(self) -> int | None:
        text = self._read("memory", "memory.max_usage_in_bytes", "memory.peak")
        try:
            return int(text.strip()) if text else None
        except ValueError:
            return None

    def procs(self) -> set[int]:
        found: set[int] = set()
        for _h, directory in self.dirs:
            with contextlib.suppress(OSError):
                found |= {int(p) for p in (directory / "cgroup.procs").read_text().split()}
        return found

    def kill(self, wait_s: float = 2.0) -> bool:
        """Kill every process of the job; True when none is left."""
        for hierarchy, directory in self.dirs:
            if hierarchy.kill:
                with contextlib.suppress(OSError):
                    _write(directory / "cgroup.kill", "1")
        deadline = time.monotonic() + wait_s
        while True:
            left = self.procs()
            if not left:
                return True
            for pid in left:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)

    def remove(self) -> list[str]:
        problems = []
        for _h, directory in self.dirs:
            problems += remove_dir(directory)
        return problems


def remove_dir(directory: Path, wait_s: float = 2.0) -> list[str]:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            directory.rmdir()
            return []
        except FileNotFoundError:
            return []
        except OSError as exc:
            # EBUSY right after the last process died: the kernel is still tearing down.
            if exc.errno != errno.EBUSY or time.monotonic() > deadline:
                return [f"cannot remove cgroup {directory}: {exc.strerror}"]
            time.sleep(0.02)


def stale_job_dirs(layout: CgroupLayout) -> list[Path]:
    found = []
    for hierarchy in layout.hierarchies:
        with contextlib.suppress(OSError):
            found += [p for p in hierarchy.parent.iterdir() if p.name.startswith(JOB_PREFIX)]
    return found


def kill_and_remove(directory: Path) -> list[str]:
    """Sweep helper: kill what is left in a job cgroup directory and remove it."""
    kill_file = directory / "cgroup.kill"
    if kill_file.exists():
        with contextlib.suppress(OSError):
            _write(kill_file, "1")
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            pids = [int(p) for p in (directory / "cgroup.procs").read_text().split()]
        except OSError:
            break
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)
    return remove_dir(directory)
