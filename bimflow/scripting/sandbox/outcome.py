"""From what happened to a run to a status and ONE sentence a person can act on."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from typing import Any

from .api import Limits
from .logstream import fmt_mb


def fmt_seconds(value: float) -> str:
    return f"{value:g}"


@dataclass
class Facts:
    """Everything the launcher observed; filled in as the run goes."""

    runtime: str = "python"
    killed_for: str | None = None  # "cancelled" | "timeout" | "log" | "memory" | "files"
    files_where: str = ""
    files_limit: int = 0
    bwrap_code: int | None = None  # bwrap's exit status (None: killed by a signal)
    exit_record: int | None = None  # the bootstrap's own "exit" message
    error: dict[str, Any] | None = None  # the bootstrap's "error" message (validated)
    result_too_large: bool = False
    oom_kills: int = 0
    setup_error: str | None = None  # bwrap could not build the sandbox
    hello: bool = False  # the bootstrap started
    status_lost: bool = False  # bwrap was reaped by someone else
    limits_hit: list[str] = field(default_factory=list)

    def hit(self, name: str) -> None:
        if name not in self.limits_hit:
            self.limits_hit.append(name)


def _signal_name(number: int) -> str:
    try:
        name = signal.strsignal(number)
    except ValueError:
        name = None
    return (name or f"signal {number}").lower()


def decide(facts: Facts, limits: Limits) -> tuple[str, str, int | None]:
    """(status, error sentence, exit code)."""
    code = facts.bwrap_code
    memory = f"The script was stopped because it used more than {limits.memory_mb} MB of memory."
    if facts.killed_for == "cancelled":
        return "cancelled", "The run was cancelled.", None
    if facts.killed_for == "timeout":
        facts.hit("timeout")
        return (
            "timed_out",
            f"The script ran longer than the {fmt_seconds(limits.timeout_s)} s time limit.",
            None,
        )
    if facts.killed_for == "log":
        facts.hit("log_killed")
        return (
            "failed",
            f"The log exceeded {fmt_mb(limits.log_kill_bytes)} and the script was stopped.",
            None,
        )
    if facts.killed_for == "memory" or facts.oom_kills:
        facts.hit("memory")
        return "failed", memory, None if facts.killed_for else code
    if facts.killed_for == "files":
        facts.hit("files")
        return (
            "failed",
            f"The script created more than {facts.files_limit:,} files in {facts.files_where} and was stopped.",
            None,
        )
    if facts.setup_error and not facts.hello:
        return (
            "failed",
            f"The sandbox could not start: {facts.setup_error.removeprefix('bwrap: ')}.",
            code,
        )
    clean_exit = facts.exit_record is not None and facts.exit_record == code
    if code == 0 and (clean_exit or facts.runtime == "command" or facts.exit_record is None):
        if facts.result_too_large:
            facts.hit("result")
            return (
                "failed",
                f"The script's result is larger than {fmt_mb(limits.result_max_bytes)}.",
                code,
            )
        return "succeeded", "", 0
    error = facts.error
    if error is not None and code is not None and code != 0 and clean_exit:
        return "failed", _error_sentence(error, memory, facts), code
    if code is not None and code > 128 and not clean_exit:
        number = code - 128
        if number == signal.SIGXCPU:
            facts.hit("cpu")
            return "failed", "The script used up its CPU time limit and was stopped.", code
        if number == signal.SIGXFSZ:
            facts.hit("file_size")
            return (
                "failed",
                "The script wrote a file larger than the size limit and was stopped.",
                code,
            )
        return "failed", f"The script crashed (signal {number}, {_signal_name(number)}).", code
    who = "command" if facts.runtime == "command" else "script"
    if code is None:
        return "failed", f"The {who} was stopped by the system.", None
    return "failed", f"The {who} exited with code {code}.", code


def _error_sentence(error: dict[str, Any], memory: str, facts: Facts) -> str:
    kind, kind_type, message, line = error["kind"], error["type"], error["message"], error["line"]
    where = f" (line {line})" if line else ""
    if kind == "memory" or kind_type == "MemoryError":
        facts.hit("memory")
        return memory
    if kind == "syntax":
        return f"The script has a syntax error: {message}{where}."
    if kind == "result":
        return f"The script's result is not JSON-serialisable: {message}."
    if kind == "context":
        return f"The script context could not be prepared: {message}."
    name = kind_type or "an exception"
    text = f": {message}" if message else ""
    return f"The script raised {name}{text}{where}."
