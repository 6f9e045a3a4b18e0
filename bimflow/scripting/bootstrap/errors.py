"""Tracebacks that show the user's frames, not ours."""

from __future__ import annotations

import os
import sys
import traceback

TYPE_CHECKING = False  # importing typing costs milliseconds at start-up
if TYPE_CHECKING:
    from typing import Any

_BOOTSTRAP_DIR = os.path.dirname(os.path.abspath(__file__))


def _is_bootstrap_frame(filename: str) -> bool:
    return os.path.dirname(os.path.abspath(filename)) == _BOOTSTRAP_DIR


def _strip(te: traceback.TracebackException, seen: set[int]) -> None:
    if id(te) in seen:
        return
    seen.add(id(te))
    te.stack = traceback.StackSummary.from_list(
        [frame for frame in te.stack if not _is_bootstrap_frame(frame.filename)]
    )
    for chained in (te.__cause__, te.__context__):
        if chained is not None:
            _strip(chained, seen)


def format_user_traceback(exc: BaseException) -> str:
    te = traceback.TracebackException(type(exc), exc, exc.__traceback__, capture_locals=False)
    _strip(te, set())
    return "".join(te.format())


def user_line(exc: BaseException, script_filename: str) -> int | None:
    """The line of the deepest frame in the user's script."""
    if isinstance(exc, SyntaxError) and exc.filename == script_filename:
        return exc.lineno
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == script_filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def describe(exc: BaseException, script_filename: str) -> dict[str, Any]:
    """What the host needs to write one sentence about the failure."""
    if isinstance(exc, SyntaxError) and exc.filename == script_filename:
        kind, message = "syntax", str(exc.msg)
    elif isinstance(exc, MemoryError):
        kind, message = "memory", str(exc)
    else:
        kind, message = "exception", str(exc)
    return {
        "t": "error",
        "kind": kind,
        "type": type(exc).__qualname__,
        "message": message[:1000],
        "line": user_line(exc, script_filename),
    }


def print_user_traceback(exc: BaseException) -> None:
    try:
        text = format_user_traceback(exc)
    except Exception:  # noqa: BLE001 - never lose the original error over formatting
        text = f"{type(exc).__name__}: {exc}\n"
    sys.stderr.write(text)
    sys.stderr.flush()
