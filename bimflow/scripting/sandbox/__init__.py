"""The OS sandbox that runs user scripts (bubblewrap + cgroups + rlimits + seccomp).

No Django here: the worker calls ``run_job`` with a ``SandboxJob`` and stores what
comes back. See docs/sandbox.md for the threat model.
"""

from __future__ import annotations

from . import slots
from .api import Limits, OutputFile, SandboxError, SandboxJob, SandboxResult
from .launcher import run_job
from .settings import SandboxSettings, configure, get_settings
from .status import become_subreaper, sandbox_status
from .sweep import sweep_stale

__all__ = [
    "Limits",
    "OutputFile",
    "SandboxError",
    "SandboxJob",
    "SandboxResult",
    "SandboxSettings",
    "become_subreaper",
    "configure",
    "get_settings",
    "run_job",
    "sandbox_status",
    "slots",
    "sweep_stale",
]
