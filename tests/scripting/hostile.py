"""Helpers for hostile-script tests: marker processes that can be found on the host."""

from __future__ import annotations

import os
import random


def marker() -> str:
    """A unique `sleep` duration: a process started as `sleep <marker>` inside the
    sandbox shows it in its host /proc/<pid>/cmdline."""
    return f"{random.randint(5000, 9999)}.{random.randint(100000, 999999)}"


def processes_with(token: str) -> list[int]:
    """Host pids whose command line contains `token`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                if token.encode() in fh.read():
                    found.append(int(entry))
        except OSError:
            continue
    return found


PROBE = """
import json, os
def attempt(fn):
    try:
        value = fn()
        return "ok: " + (value if isinstance(value, str) else repr(value))[:300]
    except Exception as exc:
        return "denied: " + type(exc).__name__
"""
