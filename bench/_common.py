"""Shared helpers for benchmarks: run a function in a fresh process, measure it.

``measure("bench/ingest_baseline.py:bare_extraction", path)`` starts a *runner*
process whose only child is a *worker* that imports the module, runs the function's
``prepare`` attribute if it has one (imports that should not count as time), calls
the function on the path and reports the seconds the call took. After the worker exits the
runner reads ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: the peak resident
memory of exactly that one worker (imports included), since the runner has no
other children. Each measurement is therefore a cold process, as in a new Celery
task on a fresh worker.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

_WORKER = r"""
import importlib.util, json, sys, time
spec_text, path = sys.argv[1], sys.argv[2]
file_name, function_name = spec_text.rsplit(":", 1)
spec = importlib.util.spec_from_file_location("bench_target", file_name)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
function = getattr(module, function_name)
prepare = getattr(function, "prepare", None)
if prepare is not None:
    prepare()
started, cpu_started = time.perf_counter(), time.process_time()
result = function(path)
seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "result": result}, default=str))
"""

_RUNNER = r"""
import json, resource, subprocess, sys
done = subprocess.run([sys.executable, "-c", sys.argv[1], sys.argv[2], sys.argv[3]],
                      capture_output=True, text=True)
if done.returncode != 0:
    sys.stderr.write(done.stderr)
    sys.exit(done.returncode)
report = json.loads(done.stdout.strip().splitlines()[-1])
report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps(report))
"""


def measure(target: str, path: str | Path) -> dict[str, Any]:
    """Run ``file.py:function`` on ``path`` in a fresh worker; seconds and peak RSS (MB)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, _WORKER, target, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{target} on {path} failed:\n{done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def measure_median(target: str, path: str | Path, repeat: int) -> dict[str, Any]:
    """Median seconds and median peak RSS over ``repeat`` fresh-process runs."""
    runs = [measure(target, path) for _ in range(repeat)]
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
        "runs": runs,
        "result": runs[-1]["result"],
    }


def print_json(data: Any) -> None:
    print(json.dumps(data, indent=1, default=str))
