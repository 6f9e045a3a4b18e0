"""The data that crosses the sandbox interface (no Django here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Limits:
    timeout_s: float = 300
    memory_mb: int = 2048
    max_procs: int = 64
    output_mb: int = 100
    log_max_bytes: int = 20 * 1024 * 1024
    log_max_lines: int = 200_000
    tmp_mb: int = 64
    cpus: float = 1.0
    # Additions to the interface: caps on what the channel may carry.
    max_findings: int = 1_000_000
    findings_max_bytes: int = 200 * 1024 * 1024
    result_max_bytes: int = 16 * 1024 * 1024
    max_output_files: int = 4096
    shm_mb: int = 8

    @property
    def log_kill_bytes(self) -> int:
        """Past this many bytes of output the job is killed (10x the kept log)."""
        return 10 * self.log_max_bytes


@dataclass
class SandboxJob:
    code: str  # the user's Python source
    params: dict  # already validated parameters (JSON)
    inputs: dict[str, Path]  # name -> host file; mounted read-only at /job/inputs/<name>
    model_name: str | None  # which input is the model file, or None
    datapack_name: str | None  # which input is the data pack, or None
    limits: Limits
    result_dir: Path  # host folder (exists, owned by caller) where copied-out files go
    slot: int = 0  # concurrency slot -> sandbox uid 61000+slot
    script_filename: str = "script.py"  # used in tracebacks
    extra: dict = field(default_factory=dict)  # passed to the bootstrap as-is
    runtime: str = "python"  # "python" (bootstrap) or "command" (argv below)
    argv: list[str] | None = None  # for runtime == "command"
    ro_mounts: dict[str, Path] = field(default_factory=dict)  # sandbox path -> host path


@dataclass
class OutputFile:
    name: str
    path: Path
    size: int
    sha256: str
    content_type: str


@dataclass
class SandboxResult:
    status: str  # "succeeded" | "failed" | "timed_out" | "cancelled"
    exit_code: int | None
    error: str  # "" on success, else ONE human sentence
    result: dict
    findings: list[dict]
    files: list[OutputFile]
    duration_ms: int
    peak_memory_kb: int | None
    protections: dict
    limits_hit: list[str]
    # Addition: what ran, for the execution record ("Record the command").
    command: list[str] = field(default_factory=list)


class SandboxError(Exception):
    """A job could not be started; the message is one sentence for the user."""

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = details or {}
