"""Entry point inside the sandbox: read the job spec, run the user's script.

Steps:
1. Read ``spec.json`` (read-only, written by the host).
2. Hand the host open fds of the output folder, /tmp and /dev/shm (the host watches
   and, in non-root mode, copies out of a tmpfs that only exists in here).
3. Cap our own process count (RLIMIT_NPROC inside the user namespace).
4. Compile and run the script with the context globals (or exec a command).
5. Send the result and the outcome on the channel; exit 0, 1 or the script's code.
"""

from __future__ import annotations

import json
import os
import sys

from .channel import Channel

TYPE_CHECKING = False  # importing typing costs milliseconds at start-up
if TYPE_CHECKING:
    from typing import Any, NoReturn


def _limit_processes(nproc: int | None) -> None:
    if not nproc:
        return
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    except (ValueError, OSError):
        pass


def _exit(channel: Channel, code: int) -> NoReturn:
    # A normal interpreter exit (not os._exit) so files the script left open are
    # flushed and its atexit handlers run, as they would outside the sandbox.
    channel.send({"t": "exit", "code": code}, flush=True)
    raise SystemExit(code)


def _run_command(spec: dict[str, Any], channel: Channel) -> NoReturn:
    argv = spec.get("argv") or []
    if not argv:
        sys.stderr.write("No command to run.\n")
        _exit(channel, 2)
    channel.flush()
    if channel.fd is not None:
        os.close(channel.fd)
    try:
        os.execvp(argv[0], argv)
    except OSError as exc:
        sys.stderr.write(f"Cannot run {argv[0]}: {exc.strerror}\n")
        sys.stderr.flush()
        os._exit(127)


def _send_result(channel: Channel, script_globals: dict[str, Any]) -> bool:
    from .context import to_json

    result = script_globals.get("result")
    if result is None:
        result = {}
    if not isinstance(result, dict):
        message = f"`result` must be a dict, not {type(result).__name__}"
    else:
        try:
            channel.send_raw('{"t": "result", "result": ' + to_json(result) + "}", flush=True)
            return True
        except (TypeError, ValueError, RecursionError) as exc:
            message = str(exc)
    sys.stderr.write(f"The script's result is not JSON-serialisable: {message}\n")
    channel.send({"t": "error", "kind": "result", "type": "", "message": message, "line": None})
    return False


def _report_failure(exc: BaseException, source: str, filename: str, channel: Channel) -> None:
    import linecache

    from . import errors

    # The traceback module reads source lines through linecache.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    errors.print_user_traceback(exc)
    try:
        channel.send(errors.describe(exc, filename))
    except (TypeError, ValueError):
        channel.send(
            {"t": "error", "kind": "exception", "type": "Exception", "message": "", "line": None}
        )


def _run_script(spec: dict[str, Any], channel: Channel) -> NoReturn:
    from .context import build_globals

    filename = spec.get("script_filename") or "script.py"
    with open(spec["code_path"], encoding="utf-8", errors="replace") as handle:
        source = handle.read()
    sys.argv = [filename]
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
        script_globals = build_globals(spec, code, channel, source)
    except SyntaxError as exc:
        _report_failure(exc, source, filename, channel)
        _exit(channel, 1)
    except Exception as exc:  # noqa: BLE001 - the context could not be built
        sys.stderr.write(f"The script context could not be prepared: {exc}\n")
        channel.send(
            {
                "t": "error",
                "kind": "context",
                "type": type(exc).__name__,
                "message": str(exc)[:1000],
                "line": None,
            }
        )
        _exit(channel, 1)

    code_to_exit = 0
    try:
        exec(code, script_globals)  # noqa: S102 - running the user's script is the point
    except SystemExit as exc:
        if exc.code is None or exc.code == 0:
            code_to_exit = 0
        elif isinstance(exc.code, int):
            code_to_exit = exc.code & 0xFF or 1
        else:
            sys.stderr.write(f"{exc.code}\n")
            code_to_exit = 1
    except BaseException as exc:  # noqa: BLE001 - any failure of the script is reported
        _report_failure(exc, source, filename, channel)
        code_to_exit = 1
    if code_to_exit == 0 and not _send_result(channel, script_globals):
        code_to_exit = 1
    _exit(channel, code_to_exit)


def main(spec_path: str) -> NoReturn:
    import faulthandler

    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(line_buffering=True, errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            pass
    faulthandler.enable()
    channel = Channel(spec.get("channel_fd"))
    from .context import open_dir_fds

    names, fds = open_dir_fds(spec.get("send_fds") or [])
    channel.hello(names, fds)
    for fd in fds:
        os.close(fd)
    _limit_processes(spec.get("nproc"))
    if spec.get("runtime") == "command":
        _run_command(spec, channel)
    _run_script(spec, channel)
