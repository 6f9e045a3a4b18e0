"""Start-up cost of the sandbox: bare ``python -c pass`` vs a trivial script through run_job.

Usage (as root for the full root mode, like the workers)::

    PYTHONPATH=. .venv/bin/python bench/sandbox_startup.py [--runs 20] [--heavy]

Both are measured in the same run, alternating, and the medians are compared. The
target is an overhead below 150 ms. ``--heavy`` also times ``import ifcopenshell,
pandas`` both ways (that import dominates real scripts).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bimflow.scripting import sandbox
from bimflow.scripting.sandbox import Limits, SandboxJob


def bare(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def sandboxed(code: str, result_dir: Path) -> float:
    job = SandboxJob(
        code=code, params={}, inputs={}, model_name=None, datapack_name=None,
        limits=Limits(timeout_s=60), result_dir=result_dir, slot=0,
    )  # fmt: skip
    started = time.perf_counter()
    result = sandbox.run_job(job, on_line=lambda s, t: None, on_system=lambda t: None)
    elapsed = time.perf_counter() - started
    if result.status != "succeeded":
        raise SystemExit(f"sandboxed run failed: {result.error}")
    return elapsed


def compare(label: str, code: str, runs: int) -> None:
    bare_times, sandbox_times = [], []
    bare(code)  # warm the page cache for both
    with tempfile.TemporaryDirectory() as tmp:
        sandboxed(code, Path(tmp))
    for index in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            # Alternate the order so that noise from other work on the machine is shared.
            if index % 2:
                bare_times.append(bare(code))
                sandbox_times.append(sandboxed(code, Path(tmp)))
            else:
                sandbox_times.append(sandboxed(code, Path(tmp)))
                bare_times.append(bare(code))
    b = statistics.median(bare_times) * 1000
    s = statistics.median(sandbox_times) * 1000
    print(f"{label}")
    print(f"  bare python       median {b:7.1f} ms  (min {min(bare_times) * 1000:.1f})")
    print(f"  through run_job   median {s:7.1f} ms  (min {min(sandbox_times) * 1000:.1f})")
    print(f"  overhead          {s - b:7.1f} ms   ratio {s / b:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--heavy", action="store_true")
    args = parser.parse_args()
    status = sandbox.sandbox_status()
    print(f"sandbox mode: {status['mode']}, bwrap {status['bwrap']}, cgroups {status['cgroups']}")
    compare("trivial script (pass)", "pass", args.runs)
    if args.heavy:
        compare(
            "import ifcopenshell, pandas", "import ifcopenshell, pandas", max(5, args.runs // 4)
        )


if __name__ == "__main__":
    main()
