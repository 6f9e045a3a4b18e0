"""Resource limits (setrlimit) applied in the child before bwrap starts."""

from __future__ import annotations

import math
import os
import resource

from .api import Limits

MB = 1024 * 1024
NOFILE = 1024


def rlimits(
    limits: Limits, *, uid_drop: bool, memory_cgroup: bool, pids_cgroup: bool = False
) -> dict[str, int]:
    """Name -> value (soft = hard) for this job.

    - CPU: a backstop behind the wall clock (per process, so it is generous).
    - AS: tight (memory limit + room for thread stacks and mappings) only when no
      memory cgroup counts the real usage; with the cgroup it is a loose 4x bound
      that still turns "allocate 50 GB" into a prompt MemoryError.
    - NPROC: counts per real uid, so it only means something after the uid drop;
      without it the bootstrap caps processes inside its own user namespace. With a
      pids cgroup it sits a little above pids.max, so that the cgroup (which counts
      refusals, so the user can be told) is the limit that bites.
    - FSIZE: one file can never be larger than the output folder or /tmp.
    """
    cpu_count = os.cpu_count() or 1
    cpu_s = math.ceil(limits.timeout_s * max(1.0, min(limits.cpus, cpu_count))) + 10
    if memory_cgroup:
        address_space = max(4 * limits.memory_mb, limits.memory_mb + 2048) * MB
    else:
        address_space = (limits.memory_mb + 512) * MB
    values = {
        "CPU": cpu_s,
        "AS": address_space,
        "FSIZE": max(limits.output_mb, limits.tmp_mb) * MB,
        "NOFILE": NOFILE,
        "CORE": 0,
        "MSGQUEUE": 0,
    }
    if uid_drop:
        values["NPROC"] = limits.max_procs + (8 if pids_cgroup else 0)
    return values


def apply(values: dict[str, int]) -> None:
    """Run in the child (after the uid drop): lower every limit, soft = hard."""
    for name, value in values.items():
        which = getattr(resource, f"RLIMIT_{name}")
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        if name == "CPU":
            # SIGXCPU at the soft limit, SIGKILL at the hard one.
            resource.setrlimit(
                which, (value, value + 5 if hard == resource.RLIM_INFINITY else hard)
            )
        else:
            resource.setrlimit(which, (value, value))


def describe(values: dict[str, int]) -> str:
    parts = []
    for name, value in values.items():
        if name in ("AS", "FSIZE"):
            parts.append(f"{name.lower()} {value // MB} MB")
        elif name == "CPU":
            parts.append(f"cpu {value} s")
        else:
            parts.append(f"{name.lower()} {value}")
    return ", ".join(parts)
