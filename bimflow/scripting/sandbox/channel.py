"""The host's side of the channel: untrusted JSON lines from inside the sandbox.

The bootstrap writes findings, the result and the outcome here, but the user's code
shares its process and can write anything to the same fd. So every message is
validated and capped, nothing here may raise into the caller, and the channel is
always drained so the child never blocks on it.
"""

from __future__ import annotations

import array
import contextlib
import json
import os
import socket
from collections.abc import Callable
from typing import Any

from .api import Limits

SEVERITIES = ("error", "warning", "info")
MAX_MESSAGE_CHARS = 10_000
MAX_DETAILS_BYTES = 64 * 1024
MAX_FDS = 8


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _loads(data: bytes) -> Any:
    return json.loads(data, parse_constant=_reject_constant)


def _short_str(value: Any, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value[:limit]


class ChannelReader:
    def __init__(
        self, sock: socket.socket, limits: Limits, on_system: Callable[[str], None]
    ) -> None:
        self.sock = sock
        self.limits = limits
        self.on_system = on_system
        self.findings: list[dict[str, Any]] = []
        self.findings_bytes = 0
        self.findings_capped = False
        self.result: dict[str, Any] | None = None
        self.result_too_large = False
        self.error: dict[str, Any] | None = None
        self.exit_code: int | None = None
        self.malformed = 0
        self.fds: dict[str, int] = {}
        self._pending_fds: list[int] = []
        self._fds_settled = False
        self._first_line = True
        self._buf = bytearray()
        self._skipping = False
        self._max_line = limits.result_max_bytes + 64 * 1024
        self.eof = False
        self.hello = False  # the bootstrap's first message arrived

    # -- reading -----------------------------------------------------------------

    def read(self) -> bool:
        """Read what is available (non-blocking socket); False when nothing was there.

        Sets ``eof`` when the other side is gone.
        """
        try:
            data, ancdata, flags, _addr = self.sock.recvmsg(
                256 * 1024, socket.CMSG_SPACE(MAX_FDS * array.array("i").itemsize)
            )
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            self.eof = True
            return False
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds = array.array("i")
                fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
                self._take_fds(list(fds))
        if flags & socket.MSG_CTRUNC:
            self.malformed += 1
        if not data:
            self.eof = True
            return False
        self._feed(data)
        return True

    def _take_fds(self, fds: list[int]) -> None:
        # Only the very first batch (the bootstrap's, sent before user code runs)
        # is kept; anything later is closed at once.
        if self._fds_settled or not self._first_line:
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            return
        self._pending_fds = fds
        self._fds_settled = True

    def _feed(self, data: bytes) -> None:
        start = 0
        while True:
            newline = data.find(b"\n", start)
            if newline < 0:
                break
            piece = data[start:newline]
            start = newline + 1
            if self._skipping:
                self._skipping = False
                self._buf.clear()
                continue
            self._buf += piece
            line = bytes(self._buf)
            self._buf.clear()
            self._handle(line)
        rest = data[start:]
        if rest and not self._skipping:
            self._buf += rest
            if len(self._buf) > self._max_line:
                if self._buf.startswith(b'{"t": "result"'):
                    self.result_too_large = True
                else:
                    self.malformed += 1
                self._buf.clear()
                self._skipping = True

    # -- messages ------------------------------------------------------------------

    def _handle(self, line: bytes) -> None:
        first = self._first_line
        self._first_line = False
        try:
            message = _loads(line)
            if not isinstance(message, dict):
                raise ValueError("not an object")
            kind = message.get("t")
            if kind == "finding":
                self._finding(message, len(line))
            elif kind == "result":
                self._result(message, len(line))
            elif kind == "error":
                self._error(message)
            elif kind == "exit":
                code = message.get("code")
                if not isinstance(code, int) or isinstance(code, bool):
                    raise ValueError("bad exit code")
                self.exit_code = code
            elif kind == "hello" and first:
                self._hello(message)
            else:
                raise ValueError("unknown message")
        except (ValueError, TypeError, RecursionError):
            self.malformed += 1
        finally:
            if first and self._pending_fds:
                # The fds came with something other than a proper hello.
                self.close_fds()

    def _hello(self, message: dict[str, Any]) -> None:
        names = message.get("fds")
        fds, self._pending_fds = self._pending_fds, []
        if not isinstance(names, list) or len(names) != len(fds):
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            raise ValueError("bad hello")
        self.hello = True
        for name, fd in zip(names, fds, strict=True):
            if isinstance(name, str) and name not in self.fds:
                self.fds[name] = fd
            else:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _finding(self, message: dict[str, Any], size: int) -> None:
        if self.findings_capped:
            return
        if (
            len(self.findings) >= self.limits.max_findings
            or self.findings_bytes + size > self.limits.findings_max_bytes
        ):
            self.findings_capped = True
            self.on_system(
                f"The script reported more than {len(self.findings):,} findings; "
                "further findings were discarded."
            )
            return
        severity = message.get("severity")
        if severity not in SEVERITIES:
            raise ValueError("bad severity")
        text = message.get("message")
        if not isinstance(text, str):
            raise ValueError("bad message")
        details = message.get("details") or {}
        if not isinstance(details, dict):
            raise ValueError("bad details")
        if len(json.dumps(details)) > MAX_DETAILS_BYTES:
            details = {"truncated": True}
        self.findings.append(
            {
                "severity": severity,
                "message": text[:MAX_MESSAGE_CHARS],
                "guid": _short_str(message.get("guid"), 64),
                "rule": _short_str(message.get("rule"), 200),
                "ifc_class": _short_str(message.get("ifc_class"), 100),
                "details": details,
            }
        )
        self.findings_bytes += size

    def _result(self, message: dict[str, Any], size: int) -> None:
        if size > self.limits.result_max_bytes:
            self.result_too_large = True
            return
        result = message.get("result")
        if not isinstance(result, dict):
            raise ValueError("result is not a dict")
        self.result = result

    def _error(self, message: dict[str, Any]) -> None:
        kind = message.get("kind")
        if kind not in ("exception", "syntax", "memory", "result", "context"):
            raise ValueError("bad error kind")
        line = message.get("line")
        if line is not None and (not isinstance(line, int) or isinstance(line, bool)):
            line = None
        self.error = {
            "kind": kind,
            "type": (_short_str(message.get("type"), 100) or "").strip(),
            "message": " ".join((_short_str(message.get("message"), 500) or "").split()),
            "line": line,
        }

    def close_fds(self) -> None:
        for fd in list(self.fds.values()) + self._pending_fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        self.fds.clear()
        self._pending_fds = []
