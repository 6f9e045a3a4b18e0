"""The child's stdout/stderr as lines, with the log caps applied."""

from __future__ import annotations

from collections.abc import Callable

MAX_LINE_CHARS = 10_000
CUT_MARKER = " … [line cut at {n} characters]"


def _fmt_mb(n_bytes: int) -> str:
    mb = n_bytes / (1024 * 1024)
    return f"{mb:.0f} MB" if mb >= 10 or mb == int(mb) else f"{mb:.1f} MB"


class LineSplitter:
    """Bytes in, complete lines out; invalid UTF-8 replaced, long lines cut.

    A line longer than ``max_chars`` is delivered cut (with a marker) as soon as it
    is known to be too long, and the rest of it is skipped up to its newline, so a
    1 GB line without a newline never sits in memory.
    """

    def __init__(self, max_chars: int = MAX_LINE_CHARS) -> None:
        self.max_chars = max_chars
        # UTF-8 needs at most 4 bytes per character.
        self._max_bytes = 4 * max_chars + 4
        self._buf = bytearray()
        self._skipping = False

    def _decode(self, raw: bytes | bytearray) -> str:
        text = bytes(raw).decode("utf-8", errors="replace")
        if text.endswith("\r"):
            text = text[:-1]
        return text

    def _cut(self, text: str) -> str:
        return text[: self.max_chars] + CUT_MARKER.format(n=f"{self.max_chars:,}")

    def feed(self, data: bytes) -> list[str]:
        lines: list[str] = []
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
            text = self._decode(self._buf)
            self._buf.clear()
            lines.append(self._cut(text) if len(text) > self.max_chars else text)
        rest = data[start:]
        if rest and not self._skipping:
            self._buf += rest
            if len(self._buf) > self._max_bytes:
                text = self._decode(self._buf[: self._max_bytes])
                if len(text) > self.max_chars:
                    lines.append(self._cut(text))
                    self._buf.clear()
                    self._skipping = True
        return lines

    def flush(self) -> list[str]:
        if self._skipping or not self._buf:
            self._buf.clear()
            self._skipping = False
            return []
        text = self._decode(self._buf)
        self._buf.clear()
        return [self._cut(text) if len(text) > self.max_chars else text]


class LogSink:
    """Delivers lines to ``on_line`` until the caps are reached, then drains.

    Past ``max_lines`` lines or ``max_bytes`` bytes, ONE system line says so and
    further output is discarded (still read, so the child never blocks). Past
    ``kill_bytes`` the caller must stop the job: ``must_kill`` turns true.
    """

    def __init__(
        self,
        on_line: Callable[[str, str], None],
        on_system: Callable[[str], None],
        *,
        max_lines: int,
        max_bytes: int,
        kill_bytes: int,
    ) -> None:
        self.on_line = on_line
        self.on_system = on_system
        self.max_lines = max_lines
        self.max_bytes = max_bytes
        self.kill_bytes = kill_bytes
        self.splitters = {"stdout": LineSplitter(), "stderr": LineSplitter()}
        self.lines = 0
        self.bytes = 0  # read from the child
        self.kept_bytes = 0  # delivered to on_line
        self.truncated = False
        self.must_kill = False

    def feed(self, stream: str, data: bytes) -> None:
        self.bytes += len(data)
        if self.bytes > self.kill_bytes:
            self.must_kill = True
        if self.truncated:
            # Only counted from here on: splitting 50 million discarded lines would
            # cost the worker a minute of CPU for nothing.
            return
        self._deliver(stream, self.splitters[stream].feed(data))

    def close(self) -> None:
        if self.truncated:
            return
        for stream, splitter in self.splitters.items():
            self._deliver(stream, splitter.flush())

    def _deliver(self, stream: str, lines: list[str]) -> None:
        for text in lines:
            if self.truncated:
                return
            size = len(text.encode("utf-8", errors="replace")) + 1
            if self.lines >= self.max_lines or self.kept_bytes + size > self.max_bytes:
                self.truncated = True
                self.on_system(
                    f"The log was truncated after {self.lines:,} lines "
                    f"(limits: {self.max_lines:,} lines or {_fmt_mb(self.max_bytes)}); "
                    "further output was discarded."
                )
                return
            self.lines += 1
            self.kept_bytes += size
            self.on_line(stream, text)


def fmt_mb(n_bytes: int) -> str:
    return _fmt_mb(n_bytes)
