"""Script engine benchmarks, on the embedded default (SQLite, the filesystem broker, a
real `bimflow worker` process and a real `bimflow web` process, all on this machine).

1. Latency: a trivial script, from `POST /api/executions/` to seeing `succeeded` in
   `GET /api/executions/{id}/` (median of ``--runs``; target under 1.0 s), next to the
   sandbox's own start-up overhead over a bare ``python -c`` (both measured in this
   run, alternating, with the functions of bench/sandbox_startup.py).
2. `guid-check` on a generated building (``--products``, 200,000 by default) against a
   bare ifcopenshell script doing the same check (open, iterate IfcRoot, regex and
   duplicate count) in a fresh process; bimflow's time is POST to `succeeded` (queue,
   sandbox, Python start-up, reading the data pack, storing findings), the ingest
   excluded. Target: at most 0.5x the bare script.

Usage (as root, like the workers)::

    PYTHONPATH=. .venv/bin/python bench/scripts.py [--runs 30] [--products 200000]
        [--repeat 3] [--model PATH] [--skip-large]

The generated building is cached in the temporary folder (by size and seed) for re-runs;
the data folder is removed at the end.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve()
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))

GUID = re.compile(r"^[0-3][0-9A-Za-z_$]{21}$")


def bare_guid_check(path: str) -> dict:
    """What a coordinator would write without bimflow: open the file, check every
    rooted entity's GlobalId, count the duplicates."""
    import ifcopenshell

    model = ifcopenshell.open(str(path))
    counts: Counter = Counter()
    invalid = 0
    for entity in model.by_type("IfcRoot"):
        guid = entity.GlobalId or ""
        counts[guid] += 1
        if not GUID.match(guid):
            invalid += 1
    repeated = [g for g, n in counts.items() if n > 1]
    return {
        "total": sum(counts.values()),
        "unique": len(counts),
        "invalid": invalid,
        "duplicates": sum(counts[g] for g in repeated),
    }


def _import_ifcopenshell() -> None:
    import ifcopenshell  # noqa: F401


bare_guid_check.prepare = _import_ifcopenshell  # type: ignore[attr-defined]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The embedded set-up in a fresh data folder: a worker and a web process."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.env = dict(os.environ)
        self.env.update(
            BIMFLOW_DATA_DIR=str(data_dir),
            DJANGO_SETTINGS_MODULE="bimflow.settings",
            PYTHONPATH=os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p),
            BIMFLOW_LOG_LEVEL="WARNING",
        )
        self.procs: list[subprocess.Popen] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str, log: str) -> subprocess.Popen:
        out = open(self.data_dir / f"{log}.log", "ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", "bimflow.cli", *args],
            env=self.env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def start(self) -> None:
        import requests

        subprocess.run(
            [sys.executable, "-m", "bimflow.cli", "manage", "migrate", "-v0"],
            env=self.env,
            cwd=REPO,
            check=True,
        )
        self.cli("worker", "-n", f"bench-{os.getpid()}@%h", log="worker")
        self.cli("web", "--port", str(self.port), log="web")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                health = requests.get(f"{self.url}/api/health/", timeout=2).json()
                if health["workers"]:
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.3)
        raise SystemExit(f"the server did not start; see {self.data_dir}")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def make_token(server: Server) -> tuple[str, int]:
    """A coordinator's token and a project (run inside the server's data folder)."""
    code = """
import django, json
django.setup()
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from bimflow.projects.services import project_create
user = get_user_model().objects.create_user("bench", "bench@example.com", "bench-password")
project = project_create(name="Bench", description="", user=user)
print(json.dumps({"token": Token.objects.create(user=user).key, "project": project.pk}))
"""
    import json

    done = subprocess.run(
        [sys.executable, "-c", code], env=server.env, cwd=REPO, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return data["token"], data["project"]


class Api:
    def __init__(self, url: str, token: str):
        from bimflow.client import Client

        self.client = Client(url, token=token, timeout=600)
        self.session = self.client.session
        self.url = url

    def upload_ready(self, project: int, path: Path) -> int:
        version = self.client.upload(project, path, model=None, on_progress=lambda *_: None)
        for v in self.client.wait_version(version["id"], poll=1.0):
            if v["status"] == "failed":
                raise SystemExit(f"ingest failed: {v}")
        return version["id"]

    def script(self, name: str, code: str) -> int:
        return self.client.post("/api/scripts/", {"name": name, "code": code})["id"]

    def run(self, script, version: int, *, poll: float = 0.01) -> tuple[float, dict]:
        """(seconds from POST to seeing the final status, the execution)."""
        started = time.perf_counter()
        resp = self.session.post(
            f"{self.url}/api/executions/", json={"script": script, "version": version}
        )
        resp.raise_for_status()
        execution_id = resp.json()["id"]
        while True:
            body = self.session.get(f"{self.url}/api/executions/{execution_id}/").json()
            if body["status"] not in ("queued", "running"):
                return time.perf_counter() - started, body
            time.sleep(poll)


@contextmanager
def sandbox_slot(slot: int):
    """Hold the host-wide lock of a sandbox slot's uid (as the workers' runner does,
    bimflow/scripting/sandbox/slots.py), so that direct sandbox runs never share a uid
    with a worker's job."""
    from bimflow.scripting.sandbox import get_settings, slots

    uid = get_settings().uid_base + slot
    while True:
        with slots.uid_claimed(uid) as claimed:
            if claimed:
                yield
                return
        time.sleep(0.2)


def sandbox_overhead(runs: int) -> tuple[float, float]:
    """Medians (s) of bare `python -c pass` and the same through the sandbox."""
    from bench.sandbox_startup import bare, sandboxed

    bare_times, sandbox_times = [], []
    with sandbox_slot(0), tempfile.TemporaryDirectory() as tmp:
        bare("pass")
        sandboxed("pass", Path(tmp))
        for index in range(runs):
            with tempfile.TemporaryDirectory() as out:
                # Alternate the order so that noise from other work falls on both.
                if index % 2:
                    bare_times.append(bare("pass"))
                    sandbox_times.append(sandboxed("pass", Path(out)))
                else:
                    sandbox_times.append(sandboxed("pass", Path(out)))
                    bare_times.append(bare("pass"))
    return statistics.median(bare_times), statistics.median(sandbox_times)


def latency(api: Api, version: int, runs: int) -> dict:
    trivial = api.script("trivial", "result['ok'] = True\n")
    api.run(trivial, version)  # the first run warms the worker's caches
    times, queued, durations = [], [], []
    for _ in range(runs):
        seconds, body = api.run(trivial, version)
        assert body["status"] == "succeeded", body
        times.append(seconds)
        durations.append(body["duration_ms"] / 1000)
        from datetime import datetime

        queued.append(
            (
                datetime.fromisoformat(body["started_at"])
                - datetime.fromisoformat(body["queued_at"])
            ).total_seconds()
        )
    return {
        "median": statistics.median(times),
        "p90": sorted(times)[int(0.9 * (len(times) - 1))],
        "min": min(times),
        "queue": statistics.median(queued),
        "sandbox": statistics.median(durations),
    }


def large(api: Api, project: int, args) -> None:
    from bench._common import measure

    if args.model:
        path = Path(args.model)
    else:
        from bimflow.ifc.generator import generate_building

        path = Path(tempfile.gettempdir()) / f"bimflow-bench-{args.products}-seed0.ifc"
        if not path.exists():
            print(f"generating a {args.products:,}-product building ...", flush=True)
            generate_building(path, products=args.products, seed=0)
    print(f"model: {path.name}, {path.stat().st_size / 2**20:.0f} MB", flush=True)
    started = time.perf_counter()
    version = api.upload_ready(project, path)
    print(f"uploaded and ingested in {time.perf_counter() - started:.0f} s (not counted)")
    ours, sandbox_s, bare = [], [], []
    result = None
    for index in range(args.repeat):
        # Alternate, so that other load on the shared machine falls on both.
        if index % 2:
            bare.append(measure(f"{HERE}:bare_guid_check", path))
        seconds, body = api.run("guid-check", version, poll=0.05)
        assert body["status"] == "succeeded", body["error"]
        ours.append(seconds)
        sandbox_s.append(body["duration_ms"] / 1000)
        result = body["result"]
        if index % 2 == 0:
            bare.append(measure(f"{HERE}:bare_guid_check", path))
    bare_result = bare[-1]["result"]
    assert {k: bare_result[k] for k in ("total", "unique", "invalid", "duplicates")} == {
        k: result[k] for k in ("total", "unique", "invalid", "duplicates")
    }, (bare_result, result)
    b = statistics.median(r["seconds"] for r in bare)
    o = statistics.median(ours)
    print(f"\nguid-check on {result['total']:,} rooted entities (median of {args.repeat})")
    print(f"  bare ifcopenshell script   {b:7.2f} s  (peak {bare[-1]['peak_rss_mb']:.0f} MB)")
    print(f"  bimflow, POST to succeeded {o:7.2f} s  (of which in the sandbox "
          f"{statistics.median(sandbox_s):.2f} s)")  # fmt: skip
    print(f"  ratio bimflow / bare       {o / b:7.2f}x  (target <= 0.5x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--products", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--model", help="use this IFC file instead of a generated one")
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="bimflow-bench-"))
    # Sandbox uids away from 61000+, which the sandbox tests use with fixed slots: on a
    # machine shared with test runs, a job's clean-up kills whatever its uid left.
    os.environ.setdefault("BIMFLOW_SANDBOX_UID_BASE", "63000")
    os.environ["BIMFLOW_DATA_DIR"] = str(data_dir)  # for the sandbox functions in here
    print(f"{time.strftime('%Y-%m-%d')}, {platform.node()}: {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, data in {data_dir}")  # fmt: skip

    bare_s, sandbox_s = sandbox_overhead(args.runs)
    print(f"\nsandbox start-up (median of {args.runs}, `pass`)")
    print(f"  bare python -c             {bare_s * 1000:7.1f} ms")
    print(f"  through the sandbox        {sandbox_s * 1000:7.1f} ms")
    print(f"  overhead                   {(sandbox_s - bare_s) * 1000:7.1f} ms "
          f"(ratio {sandbox_s / bare_s:.2f}x; target < 150 ms)")  # fmt: skip

    server = Server(data_dir)
    try:
        server.start()
        token, project = make_token(server)
        api = Api(server.url, token)
        from tests.ifc_factory import small_building

        small = data_dir / "Small.ifc"
        small_building(small, walls=3)
        version = api.upload_ready(project, small)
        lat = latency(api, version, args.runs)
        print(f"\ntrivial script, POST to succeeded (median of {args.runs})")
        print(
            f"  end to end                 {lat['median']:7.3f} s  (p90 {lat['p90']:.3f}, "
            f"min {lat['min']:.3f}; target < 1.0 s: {lat['median'] / 1.0:.2f}x of it)"
        )
        print(f"  queued -> started          {lat['queue']:7.3f} s")
        print(f"  in the sandbox             {lat['sandbox']:7.3f} s")
        print(f"  end to end / bare python   {lat['median'] / bare_s:7.1f}x")  # fmt: skip
        if not args.skip_large:
            large(api, project, args)
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
