"""Validate a job before anything is created for it."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .api import SandboxError, SandboxJob
from .settings import get_settings

RESERVED = (
    "/",
    "/usr",
    "/etc",
    "/proc",
    "/dev",
    "/tmp",
    "/job",
    "/opt/bimflow",
    "/bin",
    "/lib",
    "/lib64",
    "/sbin",
)
_NAME_OK = re.compile(r"^[^/\x00-\x1f\x7f]{1,255}$")


def check_job(job: SandboxJob) -> None:
    """Raise SandboxError with one sentence if the job cannot run as given."""
    settings = get_settings()
    if not 0 <= job.slot < settings.max_slots:
        raise SandboxError(f"Execution slot {job.slot} is outside 0..{settings.max_slots - 1}.")
    if job.runtime not in ("python", "command"):
        raise SandboxError(f"Unknown script runtime {job.runtime!r}.")
    if job.runtime == "command" and not job.argv:
        raise SandboxError("A command job needs argv.")
    for name, path in job.inputs.items():
        if not _NAME_OK.match(name) or name in (".", ".."):
            raise SandboxError(f"The input name {name!r} is not allowed.")
        if not Path(path).exists():
            raise SandboxError(f"The input {name} is missing on the worker.")
    for key in (job.model_name, job.datapack_name):
        if key is not None and key not in job.inputs:
            raise SandboxError(f"{key!r} is not one of the job's inputs.")
    for inside, host in job.ro_mounts.items():
        norm = os.path.normpath(inside)
        if (
            not inside.startswith("/")
            or norm != inside
            or any(norm == r or (r != "/" and norm.startswith(r + "/")) for r in RESERVED)
        ):
            raise SandboxError(f"The sandbox path {inside!r} cannot be used for an extra mount.")
        if not Path(host).exists():
            raise SandboxError(f"The extra mount {host} is missing on the worker.")
    lim = job.limits
    if not (
        lim.timeout_s > 0
        and lim.memory_mb >= 32
        and lim.max_procs >= 4
        and lim.output_mb >= 1
        and lim.tmp_mb >= 1
        and lim.shm_mb >= 1
        and lim.cpus >= 0.01
        and lim.log_max_bytes > 0
        and lim.log_max_lines > 0
        and lim.max_output_files >= 16
    ):
        raise SandboxError(f"The limits are not usable: {lim}.")
    if not job.result_dir.is_dir():
        raise SandboxError("The result folder does not exist.")
    json.dumps(job.params)
    json.dumps(job.extra)
