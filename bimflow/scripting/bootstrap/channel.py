"""The bootstrap's side of the channel to the host: JSON lines on an inherited fd.

Stdout and stderr stay the user's plain log; findings, the result and the outcome
travel here. The user's code can write to this fd too (it runs in the same
process), so the host treats everything it reads here as untrusted input.
"""

from __future__ import annotations

import json
import os
import time

TYPE_CHECKING = False  # importing typing costs milliseconds at start-up
if TYPE_CHECKING:
    from typing import Any

_FLUSH_BYTES = 64 * 1024
_FLUSH_SECONDS = 0.2


class Channel:
    """Buffered writer of JSON messages; a closed or broken channel is ignored."""

    def __init__(self, fd: int | None) -> None:
        self.fd = fd
        self._buf: list[bytes] = []
        self._size = 0
        self._last_flush = time.monotonic()
        if fd is not None:
            # Tools started by the script must not inherit the channel.
            os.set_inheritable(fd, False)

    def send(self, message: dict[str, Any], *, flush: bool = False) -> None:
        self.send_raw(json.dumps(message, ensure_ascii=False, allow_nan=False), flush=flush)

    def send_raw(self, line: str, *, flush: bool = False) -> None:
        """Send one already-serialised JSON object (no newline inside)."""
        data = line.encode("utf-8") + b"\n"
        self._buf.append(data)
        self._size += len(data)
        if (
            flush
            or self._size >= _FLUSH_BYTES
            or time.monotonic() - self._last_flush >= _FLUSH_SECONDS
        ):
            self.flush()

    def flush(self) -> None:
        self._last_flush = time.monotonic()
        if not self._buf:
            return
        data = b"".join(self._buf)
        self._buf.clear()
        self._size = 0
        if self.fd is None:
            return
        view = memoryview(data)
        try:
            while view:
                written = os.write(self.fd, view)
                view = view[written:]
        except OSError:
            # The host went away or the script closed our fd: nothing left to tell.
            self.fd = None

    def hello(self, names: list[str], fds: list[int]) -> None:
        """The first message, before any user code runs: "the bootstrap is up".

        It carries open directories for the host (non-root mode: the output tmpfs,
        which exists only in here); the host keeps fds from this message only.
        """
        if self.fd is None:
            return
        if not fds:
            self.send_raw('{"t": "hello", "fds": []}', flush=True)
            return
        import socket

        payload = json.dumps({"t": "hello", "fds": names}).encode() + b"\n"
        sock = socket.socket(fileno=os.dup(self.fd))
        try:
            socket.send_fds(sock, [payload], fds)
        except OSError:
            self.fd = None
        finally:
            sock.close()
