"""Start bwrap: join cgroups, stage host paths, drop to the sandbox uid, set rlimits.

The work between fork and exec (``preexec_fn``) is limited to plain system calls
on values prepared beforehand: write "0" to pre-opened ``cgroup.procs`` fds, enter
a private mount namespace and bind-mount the job's host paths onto mount points
the sandbox uid can reach, ``setgroups([])``/``setresgid``/``setresuid``, then
``setrlimit``.

Why the private mount namespace: after the uid drop, bwrap resolves every source
path as the sandbox uid, so inputs, the Python environment or the bootstrap under a
0700 directory (``/root``, a data dir) would be unreachable. bwrap 0.11's
``--ro-bind-fd`` does not help: it ``realpath()``s ``/proc/self/fd/N`` and so still
walks the original path as the unprivileged uid (measured: "Can't find source path
/proc/self/fd/3: Permission denied"). Root binds them instead, in a mount namespace
that only this child and the sandbox inherit, so nothing appears on the host and
nothing needs unmounting afterwards.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field

from . import libc
from . import limits as rlimits_mod


@dataclass
class SpawnPlan:
    argv: list[str]
    executable: str
    env: dict[str, str]
    pass_fds: tuple[int, ...] = ()
    join_fds: list[int] = field(default_factory=list)
    stage_pairs: list[tuple[str, str]] = field(default_factory=list)
    uid: int | None = None
    gid: int | None = None
    rlimits: dict[str, int] = field(default_factory=dict)
    cwd: str | None = None


class SpawnError(Exception):
    pass


def _child_setup(plan: SpawnPlan, error_fd: int) -> Callable[[], None]:
    join_fds = list(plan.join_fds)
    stage_pairs = list(plan.stage_pairs)
    uid, gid = plan.uid, plan.gid
    values = dict(plan.rlimits)

    def setup() -> None:
        step = "joining the cgroups"
        try:
            for fd in join_fds:
                os.write(fd, b"0")
            if stage_pairs:
                step = "making a private mount namespace"
                libc.unshare(libc.CLONE_NEWNS)
                libc.mount(None, "/", None, libc.MS_REC | libc.MS_SLAVE)
                for host, point in stage_pairs:
                    step = f"binding {host}"
                    libc.mount(host, point, None, libc.MS_BIND | libc.MS_REC)
            if uid is not None and gid is not None:
                step = "dropping privileges"
                os.setgroups([])
                os.setresgid(gid, gid, gid)
                os.setresuid(uid, uid, uid)
            step = "setting rlimits"
            rlimits_mod.apply(values)
        except BaseException as exc:
            os.write(error_fd, f"{step}: {exc}".encode(errors="replace")[:4000])
            raise

    return setup


def spawn(plan: SpawnPlan) -> subprocess.Popen[bytes]:
    """Popen with stdout/stderr pipes; raises SpawnError with the child's reason."""
    read_err, write_err = os.pipe()
    try:
        try:
            return subprocess.Popen(
                plan.argv,
                executable=plan.executable,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=plan.env,
                cwd=plan.cwd,
                pass_fds=plan.pass_fds,
                close_fds=True,
                start_new_session=True,
                preexec_fn=_child_setup(plan, write_err),  # noqa: PLW1509 - see module docstring
            )
        except subprocess.SubprocessError as exc:
            os.close(write_err)
            write_err = -1
            detail = os.read(read_err, 4000).decode(errors="replace")
            raise SpawnError(detail or str(exc)) from None
        except OSError as exc:
            raise SpawnError(f"cannot start {plan.executable}: {exc.strerror}") from None
    finally:
        if write_err >= 0:
            os.close(write_err)
        os.close(read_err)
