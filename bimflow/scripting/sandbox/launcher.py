"""run_job(): one user script (or command) through the sandbox, start to finish.

Steps:
1. Check the job, take the slot's lock, create the job folder and its owner record.
2. Create the job's cgroups (memory+swap, pids, CPU) and, as root, the output tmpfs.
3. Stage host paths, write spec.json and script.py, build the bwrap arguments.
4. Spawn bwrap (cgroup join, private mount namespace, uid drop, rlimits).
5. Stream stdout/stderr as lines, read the channel, watch the clock, the log size,
   memory, files and cancellation; kill the whole job when one of them says so.
6. Make sure nothing of the job is left running; copy out the output files.
7. Decide the status and the one-sentence error; clean up everything.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import bwrap as bwrap_mod
from . import cgroups, jobdir, limits, seccomp, slots
from .api import SandboxError, SandboxJob, SandboxResult
from .channel import ChannelReader
from .jobcheck import check_job
from .outcome import Facts, fmt_seconds
from .running import FILE_WATCH, Running
from .settings import get_settings
from .spawn import SpawnError, SpawnPlan, spawn
from .status import HostStatus, bwrap_stage, ensure_subreaper, host_status

MB = 1024 * 1024


def _result(status: str, error: str, protections: dict[str, Any], started: float) -> SandboxResult:
    return SandboxResult(
        status=status, exit_code=None, error=error, result={}, findings=[], files=[],
        duration_ms=int((time.monotonic() - started) * 1000), peak_memory_kb=None,
        protections=protections, limits_hit=[],
    )  # fmt: skip


def run_job(
    job: SandboxJob,
    *,
    on_line: Callable[[str, str], None],
    on_system: Callable[[str], None],
    should_cancel: Callable[[], bool] = lambda: False,
    unsafe: bool = False,
) -> SandboxResult:
    """Run one job in the sandbox and return what happened (never raises for the
    script's behaviour; raises only if a callback raises, after killing the job)."""
    started = time.monotonic()
    ensure_subreaper()
    try:
        check_job(job)
    except (SandboxError, TypeError, ValueError) as exc:
        message = str(exc) if isinstance(exc, SandboxError) else f"The job is invalid: {exc}."
        on_system(message)
        return _result("failed", message, {}, started)
    host = host_status()
    if host.mode == "unavailable" and not unsafe:
        message = f"Scripts cannot run on this host: {host.reason}"
        on_system(message)
        return _result("failed", message, host.as_dict(), started)
    return _Run(
        job, host, on_line, on_system, should_cancel, unsafe=host.mode == "unavailable"
    ).execute()


class _Run(Running):
    def __init__(
        self,
        job: SandboxJob,
        host: HostStatus,
        on_line: Callable[[str, str], None],
        on_system: Callable[[str], None],
        should_cancel: Callable[[], bool],
        *,
        unsafe: bool,
    ) -> None:
        self.job = job
        self.lim = job.limits
        self.host = host
        self.settings = get_settings()
        self.on_line = on_line
        self.on_system = on_system
        self.should_cancel = should_cancel
        self.unsafe = unsafe
        self.root = host.mode == "root" and not unsafe
        self.uid = self.settings.uid_base + job.slot if self.root else None
        self.gid = self.uid
        self.started = time.monotonic()
        self.facts = Facts(runtime=job.runtime)
        self.close_later: list[int] = []
        self.lock_fd: int | None = None
        self.uid_fd: int | None = None
        self.jd: jobdir.JobDir | None = None
        self.cg: cgroups.JobCgroup | None = None
        self.proc: Any = None
        self.reader: ChannelReader | None = None
        self.sock: socket.socket | None = None
        self.init_pid: int | None = None
        self.rusage: Any = None
        self.exit_time: float | None = None
        self.command: list[str] = []
        self.protections: dict[str, Any] = {}
        self.rlimit_values: dict[str, int] = {}
        self.notes: list[str] = []

    # -- 1-3: prepare ------------------------------------------------------------------

    def _prepare(self) -> tuple[SpawnPlan, str]:
        settings, job, lim = self.settings, self.job, self.lim
        work = jobdir.ensure_work_dir(settings.work_dir, root=self.root)
        self.lock_fd = os.open(
            work / f"slot-{job.slot}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600
        )
        try:
            fcntl.flock(self.lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SandboxError(
                f"Execution slot {job.slot} is already in use by another job."
            ) from None
        if self.uid is not None and not slots.held_here(self.uid):
            # Started without slots.slot_acquire (tests, benchmarks): the uid is host-wide.
            self.uid_fd = slots.try_lock(self.uid)
            if self.uid_fd is None:
                raise SandboxError(
                    f"Sandbox user {self.uid} is already in use by another job on this host."
                )
        pkgroot = jobdir.ensure_pkgroot(work)
        self.jd = jd = jobdir.JobDir.create(work, root=self.root, gid=self.gid)

        layout = self.host.layout
        if layout.usable:
            self.cg = cgroups.JobCgroup(layout, f"{os.getpid()}-{jd.token}")
        jd.write_owner(self.cg.paths if self.cg else [])
        if self.cg is not None:
            try:
                self.cg.create(
                    memory_bytes=lim.memory_mb * MB, max_procs=lim.max_procs, cpus=lim.cpus
                )
            except OSError as exc:
                self.notes.append(
                    f"cgroups could not be created ({exc}); limits are per process only"
                )
                self.cg.remove()
                self.cg = None
        memory_cgroup = bool(self.cg and layout.has("memory"))

        if self.root:
            assert self.uid is not None and self.gid is not None
            try:
                jd.mount_output(
                    size_mb=lim.output_mb,
                    uid=self.uid,
                    gid=self.gid,
                    nr_inodes=lim.max_output_files,
                )
            except OSError as exc:
                raise SandboxError(f"The output folder could not be mounted: {exc}.") from None
        elif self.unsafe:
            jd.out.mkdir(mode=0o700)

        def place(host: Path) -> str:
            return jd.stage_path(host) if self.root else str(host)

        mounts = bwrap_mod.Mounts(output_mb=lim.output_mb, tmp_mb=lim.tmp_mb, shm_mb=lim.shm_mb)
        for tree in settings.python_trees:
            mounts.ro.append((place(tree), str(tree)))
        inside_inputs = {name: f"/job/inputs/{name}" for name in job.inputs}
        for name, path in job.inputs.items():
            mounts.ro.append((place(Path(path)), inside_inputs[name]))
        for inside, host_path in job.ro_mounts.items():
            mounts.ro.append((place(Path(host_path)), inside))
        mounts.bootstrap = place(settings.bootstrap_dir)
        if settings.ifc_dir is not None and settings.ifc_dir.is_dir():
            mounts.ifc = place(settings.ifc_dir)
        mounts.pkgroot = str(pkgroot)
        if self.root:
            mounts.output_bind = str(jd.out)

        # The channel: findings, result and outcome come back here, never on stdout.
        self.sock, child_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.close_later.append(child_sock.detach())
        channel_fd = self.close_later[-1]
        self.sock.setblocking(False)
        self.reader = ChannelReader(self.sock, lim, self.on_system)

        if self.unsafe:
            lib = jd.path / "lib"
            (lib / "bimflow" / "scripting").mkdir(parents=True)
            (lib / "bimflow" / "__init__.py").write_text("")
            (lib / "bimflow" / "scripting" / "__init__.py").write_text("")
            (lib / "bimflow" / "scripting" / "bootstrap").symlink_to(settings.bootstrap_dir)
            if settings.ifc_dir is not None and settings.ifc_dir.is_dir():
                (lib / "bimflow" / "ifc").symlink_to(settings.ifc_dir)
            inside_inputs = {name: str(Path(path).resolve()) for name, path in job.inputs.items()}
            output_dir = str(jd.out)
            send_fds: list[str] = []
        else:
            output_dir = "/job/output"
            # Open directories the bootstrap hands back: the output tmpfs (non-root
            # mode: it exists only inside the sandbox) and, when no memory cgroup
            # counts tmpfs inodes, /tmp and /dev/shm for the file-count watcher.
            send_fds = [] if self.root else ["/job/output"]
            if not memory_cgroup:
                send_fds += list(FILE_WATCH)

        self.rlimit_values = limits.rlimits(
            lim,
            uid_drop=self.root,
            memory_cgroup=memory_cgroup,
            pids_cgroup=bool(self.cg and layout.has("pids")),
        )
        spec = {
            "version": 1,
            "runtime": job.runtime,
            "argv": job.argv,
            "code_path": "/job/script.py" if not self.unsafe else str(jd.path / "script.py"),
            "script_filename": job.script_filename,
            "params": job.params,
            "inputs": inside_inputs,
            "model": inside_inputs.get(job.model_name) if job.model_name else None,
            "datapack": inside_inputs.get(job.datapack_name) if job.datapack_name else None,
            "output_dir": output_dir,
            "extra": job.extra,
            "channel_fd": channel_fd,
            "send_fds": send_fds,
            "nproc": self.rlimit_values.get("NPROC", lim.max_procs),
        }
        mounts.spec = str(jd.write_file("spec.json", json.dumps(spec).encode(), gid=self.gid))
        mounts.script = str(
            jd.write_file("script.py", job.code.encode("utf-8", "surrogatepass"), gid=self.gid)
        )

        join_fds = self.cg.open_join_fds() if self.cg else []
        self.close_later += join_fds
        venv_bin = str(Path(settings.python).parent)
        path_env = f"{venv_bin}:/usr/local/bin:/usr/bin:/bin"
        python = str(settings.python)

        if self.unsafe:
            runner = bwrap_mod.RUNNER.format(lib=str(jd.path / "lib"))
            argv = [python, "-I", "-B", "-X", "utf8", "-c", runner, mounts.spec]
            env = {
                "PATH": path_env,
                **bwrap_mod.SANDBOX_ENV,
                "HOME": str(jd.out),
                "TMPDIR": str(jd.out),
            }
            self.command = argv
            plan = SpawnPlan(
                argv,
                python,
                env,
                (channel_fd,),
                join_fds,
                [],
                None,
                None,
                self.rlimit_values,
                str(jd.out),
            )
            return plan, self._describe(memory_cgroup, seccomp_on=False)

        seccomp_fd = None
        if self.host.seccomp:
            seccomp_fd = self._memfd(
                "bimflow-seccomp", seccomp.build(deny_uncounted_memory=not memory_cgroup)
            )
        status_r, status_w = os.pipe()
        self.status_fd = status_r
        self.close_later.append(status_w)
        os.set_blocking(status_r, False)
        args = bwrap_mod.build_args(
            mounts,
            lib_path=settings.lib_path,
            path_env=path_env,
            status_fd=status_w,
            seccomp_fd=seccomp_fd,
        )
        args_fd = self._memfd("bimflow-args", b"\0".join(a.encode() for a in args) + b"\0")
        assert settings.bwrap is not None
        executable = str(settings.bwrap)
        if self.root:
            base, relative = bwrap_stage(settings, settings.bwrap)
            if base is not None:
                executable = os.path.join(jd.stage_path(base), relative)
        inner = bwrap_mod.command(python, settings.lib_path)
        self.command = ["bwrap", *args, "--", *inner]
        pass_fds = tuple(fd for fd in (args_fd, status_w, seccomp_fd, channel_fd) if fd is not None)
        plan = SpawnPlan(
            argv=["bwrap", "--args", str(args_fd), "--", *inner],
            executable=executable,
            env=dict(bwrap_mod.BWRAP_ENV),
            pass_fds=pass_fds,
            join_fds=join_fds,
            stage_pairs=list(jd.stage_pairs),
            uid=self.uid,
            gid=self.gid,
            rlimits=self.rlimit_values,
        )
        return plan, self._describe(memory_cgroup, seccomp_on=seccomp_fd is not None)

    def _memfd(self, name: str, data: bytes) -> int:
        fd = os.memfd_create(name, os.MFD_CLOEXEC)
        self.close_later.append(fd)
        os.write(fd, data)
        os.lseek(fd, 0, os.SEEK_SET)
        return fd

    def _describe(self, memory_cgroup: bool, *, seccomp_on: bool) -> str:
        lim, layout = self.lim, self.host.layout
        cg_on = self.cg is not None
        parts = []
        if self.unsafe:
            parts.append("UNSAFE MODE, no sandbox")
        if self.root:
            parts.append(f"uid drop to {self.uid}")
        elif self.unsafe:
            parts.append(f"runs as the worker's own uid {os.geteuid()}")
        else:
            parts.append("no uid drop (the worker is not root)")
        if cg_on:
            pieces = []
            if layout.has("memory"):
                pieces.append(f"memory {lim.memory_mb} MB")
            if layout.has("pids"):
                pieces.append(f"pids {lim.max_procs}")
            if layout.has("cpu"):
                pieces.append(f"cpu {lim.cpus:g}")
            parts.append(f"cgroup {layout.host_version} " + " / ".join(pieces))
        else:
            parts.append("no cgroups")
        if not memory_cgroup:
            parts.append(f"memory per process {self.rlimit_values['AS'] // MB} MB (RLIMIT_AS)")
        if not self.unsafe:
            watched = "" if self.root else ", watched"
            parts.append(f"output tmpfs {lim.output_mb} MB{watched}")
            parts.append("seccomp on" if seccomp_on else "seccomp off")
            parts.append("no network")
        else:
            parts.append("network and host files reachable")
        self.protections = {
            "mode": "unsafe" if self.unsafe else self.host.mode,
            "bwrap": self.host.bwrap,
            "uid_drop": self.root,
            "uid": self.uid,
            "cgroups": {
                "memory": cg_on and layout.has("memory"),
                "pids": cg_on and layout.has("pids"),
                "cpu": cg_on and layout.has("cpu"),
                "kill": cg_on and layout.kill,
                "version": layout.host_version,
            },
            "tmpfs_output": not self.unsafe,
            "output_watch": not self.root,
            "seccomp": seccomp_on,
            "network": self.unsafe,
            "pid_namespace": not self.unsafe,
            "rlimits": dict(self.rlimit_values),
            "limits": {
                "timeout_s": lim.timeout_s,
                "memory_mb": lim.memory_mb,
                "max_procs": lim.max_procs,
                "output_mb": lim.output_mb,
                "tmp_mb": lim.tmp_mb,
                "cpus": lim.cpus,
                "log_max_bytes": lim.log_max_bytes,
                "log_max_lines": lim.log_max_lines,
            },  # fmt: skip
        }
        return "Sandbox: " + ", ".join(parts)

    # -- 4-5: run ------------------------------------------------------------------------

    def execute(self) -> SandboxResult:
        try:
            try:
                plan, description = self._prepare()
            except (SandboxError, OSError) as exc:
                message = (
                    str(exc)
                    if isinstance(exc, SandboxError)
                    else f"The sandbox could not be prepared: {exc}."
                )
                self.on_system(message)
                return _result("failed", message, self.protections, self.started)
            if self.unsafe:
                self.on_system(
                    "WARNING: the sandbox is not available on this host "
                    f"({self.host.reason.rstrip('.')}); this script runs UNSANDBOXED as a plain "
                    "process with rlimits only (unsafe mode)."
                )
            self.on_system(description)
            self.on_system(
                f"Limits: time {fmt_seconds(self.lim.timeout_s)} s, /tmp {self.lim.tmp_mb} MB, "
                f"/dev/shm {self.lim.shm_mb} MB, rlimits {limits.describe(self.rlimit_values)}."
            )
            for note in self.notes:
                self.on_system(f"Note: {note}.")
            self.started = time.monotonic()
            try:
                self.proc = spawn(plan)
            except SpawnError as exc:
                message = f"The sandbox could not start: {exc}."
                self.on_system(message)
                return _result("failed", message, self.protections, self.started)
            for fd in self.close_later:
                with contextlib.suppress(OSError):
                    os.close(fd)
            self.close_later = []
            self._loop()
            return self._finish()
        except BaseException:
            self._kill("error")
            raise
        finally:
            self._cleanup()

    def _cleanup(self) -> None:
        problems: list[str] = []
        for fd in self.close_later:
            with contextlib.suppress(OSError):
                os.close(fd)
        if self.reader is not None:
            self.reader.close_fds()
        if self.sock is not None:
            self.sock.close()
        if getattr(self, "status_fd", None) is not None:
            with contextlib.suppress(OSError):
                os.close(self.status_fd)
        if self.proc is not None:
            for pipe in (self.proc.stdout, self.proc.stderr):
                with contextlib.suppress(OSError):
                    pipe.close()
        if self.cg is not None:
            self.cg.kill(wait_s=2.0)
            problems += self.cg.remove()
        if self.jd is not None:
            problems += self.jd.cleanup()
        if self.lock_fd is not None:
            os.close(self.lock_fd)
        if self.uid_fd is not None:
            os.close(self.uid_fd)
        for problem in problems:
            with contextlib.suppress(Exception):
                self.on_system(f"Clean-up problem: {problem}.")


__all__ = ["run_job"]
