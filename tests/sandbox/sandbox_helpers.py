"""Helpers shared by the sandbox tests (imported as a top-level module by pytest)."""

from __future__ import annotations

import os
from pathlib import Path

from bimflow.ifc.testing import shared_data_dir  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
TEST_DATA = shared_data_dir()


def processes_of_uid(uid: int) -> list[int]:
    from bimflow.scripting.sandbox.procs import uid_processes

    return uid_processes(uid)


def host_process_count() -> int:
    return sum(1 for entry in os.listdir("/proc") if entry.isdigit())
