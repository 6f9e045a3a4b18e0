"""The running half of a job: watch it, kill it when needed, collect what it left.

A mixin of ``launcher._Run``: it shares that class's state (the process, the
channel reader, the cgroups, the facts) and is split out only to keep each
module readable.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import stat
import time
from typing import Any

from . import outputs
from .api import SandboxResult
from .logstream import LogSink
from .outcome import decide
from .procs import uid_processes

MB = 1024 * 1024
POLL_S = 0.05
DRAIN_GRACE_S = 2.0
FILE_WATCH = {"/tmp": 20_000, "/dev/shm": 2_000}  # inode caps when no memory cgroup counts them


class Running:
    """Watching, killing and collecting; state lives in ``launcher._Run``."""

    # Shared state, set up by launcher._Run.
    job: Any
    lim: Any
    host: Any
    root: bool
    unsafe: bool
    uid: int | None
    started: float
    facts: Any
    proc: Any
    reader: Any
    sock: Any
    cg: Any
    jd: Any
    status_fd: int
    init_pid: int | None
    rusage: Any
    exit_time: float | None
    sink: LogSink
    command: list[str]
    protections: dict[str, Any]
    on_line: Any
    on_system: Any
    should_cancel: Any

    def _kill(self, reason: str) -> None:
        if self.facts.killed_for is None and reason != "error":
            self.facts.killed_for = reason
        if self.cg is not None:
            self.cg.kill(wait_s=0.5)
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(OSError):
                if self.unsafe:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                else:
                    self.proc.kill()

    def _on_line(self, stream: str, text: str) -> None:
        if stream == "stderr" and not self.facts.hello and text.startswith("bwrap: "):
            self.facts.setup_error = self.facts.setup_error or text
        self.on_line(stream, text)

    def _loop(self) -> None:
        proc, lim, reader = self.proc, self.lim, self.reader
        assert proc is not None and reader is not None and self.sock is not None
        sink = LogSink(
            self._on_line, self.on_system,
            max_lines=lim.log_max_lines, max_bytes=lim.log_max_bytes, kill_bytes=lim.log_kill_bytes,
        )  # fmt: skip
        self.sink = sink
        sel = selectors.DefaultSelector()
        for stream, pipe in (("stdout", proc.stdout), ("stderr", proc.stderr)):
            os.set_blocking(pipe.fileno(), False)
            sel.register(pipe.fileno(), selectors.EVENT_READ, stream)
        sel.register(self.sock, selectors.EVENT_READ, "channel")
        status_buf = b""
        if not self.unsafe:
            sel.register(self.status_fd, selectors.EVENT_READ, "status")
        deadline = self.started + lim.timeout_s
        next_cancel_check = 0.0
        try:
            while True:
                for key, _mask in sel.select(timeout=POLL_S):
                    what = key.data
                    if what == "channel":
                        for _ in range(64):
                            if not reader.read():
                                break
                        self.facts.hello = self.facts.hello or reader.hello
                        if reader.eof:
                            sel.unregister(key.fileobj)
                        continue
                    data_eof = False
                    for _ in range(16):
                        try:
                            data = os.read(key.fd, 65536)
                        except BlockingIOError:
                            break
                        if not data:
                            data_eof = True
                            break
                        if what == "status":
                            status_buf += data
                        else:
                            sink.feed(what, data)
                    if data_eof:
                        sel.unregister(key.fileobj)
                    if what == "status":
                        status_buf = self._status_lines(status_buf)
                now = time.monotonic()
                if self.exit_time is None:
                    self._reap()
                if self.facts.killed_for is None:
                    if now >= next_cancel_check:
                        next_cancel_check = now + 0.1
                        if self.should_cancel():
                            self._kill("cancelled")
                    if self.facts.killed_for is None:
                        self._watch(now, deadline, sink)
                open_streams = [
                    k for k in sel.get_map().values() if k.data in ("stdout", "stderr", "channel")
                ]
                if self.exit_time is not None and not open_streams:
                    break
                if self.exit_time is not None and now - self.exit_time > DRAIN_GRACE_S:
                    # Something outside our reach still holds a pipe: stop reading.
                    self._kill("error")
                    break
            sink.close()
        finally:
            sel.close()
            if self.exit_time is None:
                self._kill("error")
                self.proc.wait()
                self._reap()

    def _status_lines(self, buf: bytes) -> bytes:
        while b"\n" in buf:
            line, _, buf = buf.partition(b"\n")
            with contextlib.suppress(ValueError):
                message = json.loads(line)
                if isinstance(message, dict) and isinstance(message.get("child-pid"), int):
                    self.init_pid = message["child-pid"]
        return buf[-4096:]

    def _reap(self) -> None:
        assert self.proc is not None
        try:
            pid, status, rusage = os.wait4(self.proc.pid, os.WNOHANG)
        except ChildProcessError:
            # Someone else reaped bwrap: its status is lost; the bootstrap's own
            # exit message (if any) stands in for it in _finish().
            self.exit_time = time.monotonic()
            self.proc.returncode = -1
            self.facts.bwrap_code = None
            self.facts.status_lost = True
            return
        if pid == 0:
            return
        self.exit_time = time.monotonic()
        self.rusage = rusage
        if os.WIFEXITED(status):
            self.proc.returncode = os.WEXITSTATUS(status)
            self.facts.bwrap_code = self.proc.returncode
        else:
            self.proc.returncode = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else -1
            self.facts.bwrap_code = None

    def _watch(self, now: float, deadline: float, sink: LogSink) -> None:
        if now > deadline:
            self._kill("timeout")
        elif sink.must_kill:
            self._kill("log")
        elif self.cg is not None and self.host.layout.has("memory") and self.cg.oom_kills():
            self._kill("memory")
        elif self.reader is not None and not (
            self.cg is not None and self.host.layout.has("memory")
        ):
            for name, fd in self.reader.fds.items():
                cap = self.lim.max_output_files if name == "/job/output" else FILE_WATCH.get(name)
                if cap is None:
                    continue
                with contextlib.suppress(OSError):
                    info = os.fstatvfs(fd)
                    if info.f_files - info.f_ffree > cap + 1:
                        self.facts.files_where = name.replace("/job/output", "the output folder")
                        self.facts.files_limit = cap
                        self._kill("files")
                        return

    # -- 6-7: finish -----------------------------------------------------------------------

    def _finish(self) -> SandboxResult:
        facts, lim, reader = self.facts, self.lim, self.reader
        assert reader is not None and self.jd is not None
        facts.exit_record = reader.exit_code
        if facts.status_lost and reader.exit_code is not None:
            facts.bwrap_code = reader.exit_code
        facts.error = reader.error
        facts.result_too_large = reader.result_too_large
        facts.hello = facts.hello or reader.hello
        self._reap_init()
        peak_kb = None
        if self.cg is not None:
            left = self.cg.procs()
            if left:
                self.cg.kill()
                self.on_system(f"Stopped {len(left)} process(es) the script left running.")
            facts.oom_kills = self.cg.oom_kills() if self.host.layout.has("memory") else 0
            if self.cg.pids_refused():
                facts.hit("processes")
                self.on_system(f"The script reached the limit of {lim.max_procs} processes.")
            peak = self.cg.peak_bytes()
            peak_kb = peak // 1024 if peak else None
        if self.uid is not None:
            self._kill_uid_leftovers()
        if peak_kb is None and self.rusage is not None:
            peak_kb = int(self.rusage.ru_maxrss) or None
        if self.sink.truncated:
            facts.hit("log_truncated")
        if reader.findings_capped:
            facts.hit("findings")
        if reader.malformed:
            self.on_system(
                f"Ignored {reader.malformed} malformed message(s) on the script's result channel."
            )

        status, error, exit_code = decide(facts, lim)
        files = self._copy_outputs()
        result = reader.result if (reader.result is not None and status == "succeeded") else {}
        if error and status != "succeeded":
            self.on_system(error)
        return SandboxResult(
            status=status,
            exit_code=exit_code,
            error=error,
            result=result,
            findings=reader.findings,
            files=files,
            duration_ms=int(((self.exit_time or time.monotonic()) - self.started) * 1000),
            peak_memory_kb=peak_kb,
            protections=self.protections,
            limits_hit=facts.limits_hit,
            command=self.command,
        )

    def _reap_init(self) -> None:
        """Reap bwrap's pid 1, which comes back to us (a subreaper) as an orphan.

        bwrap's monitor exits as soon as it knows the script's exit status; its
        in-namespace init then dies of --die-with-parent's SIGKILL a moment later.
        """
        if self.init_pid is None:
            return
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            try:
                pid, _status = os.waitpid(self.init_pid, os.WNOHANG)
            except ChildProcessError:
                return  # not ours (someone else reaped it, or we are no subreaper)
            if pid:
                return
            time.sleep(0.001)

    def _kill_uid_leftovers(self) -> None:
        """No process of the sandbox uid may outlive the job (the slot lock is ours)."""
        assert self.uid is not None
        left = uid_processes(self.uid)
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if left:
            self.on_system(f"Stopped {len(left)} process(es) of the sandbox user left running.")

    def _copy_outputs(self) -> list[outputs.OutputFile]:
        assert self.jd is not None and self.reader is not None
        lim = self.lim
        fd = None
        if self.root or self.unsafe:
            with contextlib.suppress(OSError):
                fd = os.open(
                    self.jd.out, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
                )
        else:
            candidate = self.reader.fds.get("/job/output")
            if candidate is not None and is_output_tmpfs(candidate, lim.output_mb):
                fd = candidate
            elif candidate is not None:
                self.on_system(
                    "The output folder handed over by the sandbox was not valid; no files were copied."
                )
        if fd is None:
            return []
        try:
            with contextlib.suppress(OSError):
                info = os.fstatvfs(fd)
                if (not self.unsafe and info.f_bfree == 0) or (self.root and info.f_ffree == 0):
                    self.facts.hit("output")
                    self.on_system(
                        f"The output folder reached its {lim.output_mb} MB / file-count limit."
                    )
            report = outputs.copy_outputs(
                fd,
                self.job.result_dir,
                max_bytes=lim.output_mb * MB,
                max_files=lim.max_output_files,
            )
        finally:
            if fd not in self.reader.fds.values():
                os.close(fd)
        if report.capped:
            self.facts.hit("output")
        for note in report.skipped[:20]:
            self.on_system(f"Output not offered: {note}")
        if len(report.skipped) > 20:
            self.on_system(f"... and {len(report.skipped) - 20} more files not offered.")
        return report.files


def is_output_tmpfs(fd: int, output_mb: int) -> bool:
    try:
        info = os.fstat(fd)
        fs = os.fstatvfs(fd)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and fs.f_blocks * fs.f_frsize == output_mb * MB
