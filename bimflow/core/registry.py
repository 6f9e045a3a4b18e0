"""Hooks that higher apps register so that `core` never imports them.

The scripting app registers the sandbox status; later apps may add health extras.
"""

from __future__ import annotations

from collections.abc import Callable

_sandbox_status: Callable[[], dict] | None = None
health_extras: list[Callable[[], dict]] = []


def register_sandbox_status(fn: Callable[[], dict]) -> None:
    global _sandbox_status
    _sandbox_status = fn


def sandbox_status() -> dict:
    if _sandbox_status is None:
        return {"mode": "not configured"}
    try:
        return _sandbox_status()
    except Exception as exc:
        return {"mode": "unavailable", "reason": str(exc)}
