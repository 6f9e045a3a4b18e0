"""The bubblewrap command line for one job."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

MB = 1024 * 1024

# Environment inside the sandbox: nothing from the worker, only what Python and the
# numeric libraries need to behave inside the limits.
SANDBOX_ENV = {
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "MALLOC_ARENA_MAX": "2",
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1",
    "MPLCONFIGDIR": "/tmp/.matplotlib",
}
# bwrap itself gets this and nothing else (its pid 1 stays visible in /proc/1/environ).
BWRAP_ENV = {"PATH": "/usr/bin:/bin"}

RUNNER = (
    "import sys;sys.path.insert(0,{lib!r});"
    "from bimflow.scripting.bootstrap.main import main;main(sys.argv[1])"
)


def bwrap_version(bwrap: Path) -> str | None:
    try:
        out = subprocess.run(
            [str(bwrap), "--version"], capture_output=True, text=True, timeout=10, env=BWRAP_ENV
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip().rpartition(" ")[2] or None


def root_links() -> list[str]:
    """/bin, /lib, /lib64, /sbin as on the host (symlinks into /usr, or bound)."""
    args: list[str] = []
    for name in ("/bin", "/lib", "/lib64", "/lib32", "/libx32", "/sbin"):
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
    return args


@dataclass
class Mounts:
    """Host paths as bwrap will see them (staged in root mode) -> sandbox paths."""

    ro: list[tuple[str, str]] = field(default_factory=list)
    output_bind: str | None = None  # root mode: the host tmpfs
    output_mb: int = 100
    tmp_mb: int = 64
    shm_mb: int = 8
    spec: str = ""
    script: str = ""
    pkgroot: str = ""
    bootstrap: str = ""
    ifc: str | None = None


def build_args(
    mounts: Mounts,
    *,
    lib_path: str,
    path_env: str,
    status_fd: int,
    seccomp_fd: int | None,
) -> list[str]:
    """Options for ``--args FD`` (the command itself goes on the real command line)."""
    args = [
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--cap-drop", "ALL",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--hostname", "sandbox",
        "--json-status-fd", str(status_fd),
        "--setenv", "PATH", path_env,
    ]  # fmt: skip
    for key, value in SANDBOX_ENV.items():
        args += ["--setenv", key, value]
    if seccomp_fd is not None:
        args += ["--seccomp", str(seccomp_fd)]
    args += ["--ro-bind", "/usr", "/usr", *root_links()]
    args += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    args += ["--ro-bind-try", "/etc/localtime", "/etc/localtime"]
    args += ["--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys"]
    args += ["--dev", "/dev", "--size", str(mounts.shm_mb * MB), "--tmpfs", "/dev/shm"]
    args += ["--remount-ro", "/dev"]
    args += ["--size", str(mounts.tmp_mb * MB), "--tmpfs", "/tmp"]
    args += ["--dir", "/job/inputs"]
    if mounts.output_bind:
        args += ["--bind", mounts.output_bind, "/job/output"]
    else:
        args += ["--size", str(mounts.output_mb * MB), "--tmpfs", "/job/output"]
    args += [
        "--ro-bind",
        mounts.spec,
        "/job/spec.json",
        "--ro-bind",
        mounts.script,
        "/job/script.py",
    ]
    args += ["--ro-bind", mounts.pkgroot, lib_path]
    args += ["--ro-bind", mounts.bootstrap, f"{lib_path}/bimflow/scripting/bootstrap"]
    if mounts.ifc:
        args += ["--ro-bind", mounts.ifc, f"{lib_path}/bimflow/ifc"]
    for host, inside in mounts.ro:
        args += ["--ro-bind", host, inside]
    args += ["--chdir", "/job/output", "--remount-ro", "/"]
    return args


def command(python: str, lib_path: str) -> list[str]:
    return [python, "-I", "-B", "-X", "utf8", "-c", RUNNER.format(lib=lib_path), "/job/spec.json"]
