"""Run one sandbox job as the calling (unprivileged) user and print what happened.

test_nonroot.py starts this with ``setpriv --reuid=... --regid=... --clear-groups``
so that the code under test runs exactly as it would in a worker started under a
normal service account.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path

from bimflow.scripting import sandbox
from bimflow.scripting.sandbox import Limits, SandboxJob
from bimflow.scripting.sandbox.procs import uid_processes


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    changes: dict[str, object] = {"work_dir": Path(spec["work_dir"])}
    if spec.get("ifc_dir"):
        changes["ifc_dir"] = Path(spec["ifc_dir"])
    if spec.get("bwrap"):
        changes["bwrap"] = Path(spec["bwrap"])
    sandbox.configure(**changes)
    lines: list[list[str]] = []
    system: list[str] = []
    cancel_after = spec.get("cancel_after")
    started = time.monotonic()
    cancel_asked: list[float] = []

    def should_cancel() -> bool:
        if cancel_after is not None and time.monotonic() - started > cancel_after:
            cancel_asked.append(time.monotonic())
            return True
        return False

    job = SandboxJob(
        code=spec["code"],
        params=spec.get("params", {}),
        inputs={name: Path(path) for name, path in spec.get("inputs", {}).items()},
        model_name=spec.get("model_name"),
        datapack_name=spec.get("datapack_name"),
        limits=Limits(**spec.get("limits", {})),
        result_dir=Path(spec["result_dir"]),
        slot=spec.get("slot", 0),
        runtime=spec.get("runtime", "python"),
        argv=spec.get("argv"),
    )
    result = sandbox.run_job(
        job,
        on_line=lambda stream, text: lines.append([stream, text]),
        on_system=system.append,
        should_cancel=should_cancel,
        unsafe=spec.get("unsafe", False),
    )
    finished = time.monotonic()
    time.sleep(0.1)
    leftover = [pid for pid in uid_processes(os.getuid()) if pid != os.getpid()]
    report = {
        "result": asdict(result),
        "lines": lines,
        "system": system,
        "status": sandbox.sandbox_status(unsafe=spec.get("unsafe", False)),
        "seconds": finished - started,
        "cancel_latency": finished - cancel_asked[0] if cancel_asked else None,
        "leftover": leftover,
        "uid": os.getuid(),
    }
    print(json.dumps(report, default=str))


if __name__ == "__main__":
    main()
