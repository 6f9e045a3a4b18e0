"""Load test of the API on the scaled set-up: N concurrent clients on read endpoints
while two workers run executions.

It builds the scaled set-up on this machine: a fresh PostgreSQL database (DATABASE_URL
server, default postgresql://postgres@127.0.0.1:5432), a private `redis-server` on a
free port, a shared storage folder, `bimflow web` (uvicorn, `--web-workers` processes)
and two `bimflow worker` processes; uploads a generated building (`--products`) and,
during the whole measurement, keeps both workers busy with executions that print lines.

1. Baseline: one client alone, the same request mix, for `--baseline-s` seconds.
2. Load: `--clients` asyncio clients (httpx), each sending the next request as soon as
   the last answered, for `--seconds`. Requests: project list, project, model versions,
   version, element pages (`page` 1..N, 100 per page), statistics.

Prints p50/p95/p99, requests per second, errors, and the ratio of the loaded p95 to
the baseline's; `--json` writes the figures for bench/run_all. Target: p95 < 300 ms,
zero errors (issue 8). Usage (as root, like the workers)::

    PYTHONPATH=. .venv/bin/python bench/load.py [--clients 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve()
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))

PG = os.environ.get("BIMFLOW_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
BY_PATH = False  # --by-path: print p50/p95 per endpoint as well
BUSY_SCRIPT = """
import time
for i in range(1, 41):
    print(f"line {i}", flush=True)
    time.sleep(0.05)
result["lines"] = 40
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    def __init__(self, root: Path, web_workers: int):
        import psycopg

        self.root = root
        self.db = f"bimflow_load_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db}"')
        self.redis_port = free_port()
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no", "--dir", str(root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.chmod(root, 0o711)
        (root / "storage").mkdir()
        self.env = {
            **os.environ,
            "DATABASE_URL": f"{PG}/{self.db}",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "BIMFLOW_MEDIA_DIR": str(root / "storage"),
            "SECRET_KEY": "load-test",
            "PYTHONPATH": str(REPO),
            "PYTHONUNBUFFERED": "1",
            "BIMFLOW_SANDBOX_UID_BASE": "62500",
            "BIMFLOW_MAX_ACTIVE_EXECUTIONS_PER_USER": "0",
        }
        self.procs: list[subprocess.Popen] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        time.sleep(0.5)
        self.cli("manage", "migrate", "-v0", folder="setup")
        self.start("web", "web", "--port", str(self.port), "--workers", str(web_workers))
        for name in ("worker-a", "worker-b"):
            self.start(name, "worker", "-n", f"{name}@%h", "-c", "1")

    def folder_env(self, folder: str) -> dict[str, str]:
        data = self.root / folder
        data.mkdir(exist_ok=True, mode=0o711)
        return {**self.env, "BIMFLOW_DATA_DIR": str(data), "BIMFLOW_SANDBOX_DIR": str(data / "sbx")}

    def cli(self, *args: str, folder: str = "setup", **extra: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "bimflow.cli", *args],
            env={**self.folder_env(folder), **extra}, cwd=REPO, check=True,
            capture_output=True, text=True,
        ).stdout  # fmt: skip

    def start(self, name: str, *args: str) -> None:
        log = open(self.root / f"{name}.log", "ab")
        self.procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "bimflow.cli", *args],
                env=self.folder_env(name), cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )  # fmt: skip

    def close(self) -> None:
        import psycopg

        for proc in self.procs:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.redis.terminate()
        self.redis.wait()
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')


def setup_data(stack: Stack, products: int) -> dict:
    import requests

    from bimflow.ifc.generator import generate_building

    password = uuid.uuid4().hex
    stack.cli(
        "manage", "createsuperuser", "--noinput", DJANGO_SUPERUSER_USERNAME="load",
        DJANGO_SUPERUSER_PASSWORD=password, DJANGO_SUPERUSER_EMAIL="load@example.com",
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while True:
        try:
            token = requests.post(
                f"{stack.url}/api/auth/token/",
                json={"username": "load", "password": password},
                timeout=10,
            ).json()["token"]
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    s = requests.Session()
    s.headers["Authorization"] = f"Token {token}"
    project = s.post(f"{stack.url}/api/projects/", json={"name": "Load"}).json()
    path = stack.root / "building.ifc"
    generate_building(path, products=products, seed=1)
    with open(path, "rb") as fh:
        version = s.post(
            f"{stack.url}/api/projects/{project['id']}/versions/", files={"file": fh}
        ).json()
    while (v := s.get(f"{stack.url}/api/versions/{version['id']}/").json())["status"] not in (
        "ready",
        "failed",
    ):
        time.sleep(0.5)
    assert v["status"] == "ready", v
    script = s.post(f"{stack.url}/api/scripts/", json={"name": "busy", "code": BUSY_SCRIPT}).json()
    return {
        "token": token,
        "project": project["id"],
        "model": v["model"],
        "version": v["id"],
        "pages": max(1, (v["element_count"] + 99) // 100),
        "script": script["id"],
        "session": s,
    }


def request_mix(data: dict) -> list[str]:
    p, m, v = data["project"], data["model"], data["version"]
    pages = [f"/api/versions/{v}/elements/?page={n}" for n in range(1, data["pages"] + 1)]
    return [
        "/api/projects/",
        f"/api/projects/{p}/",
        f"/api/models/{m}/versions/",
        f"/api/versions/{v}/",
        f"/api/versions/{v}/statistics/",
        *random.Random(0).sample(pages, min(len(pages), 5)),
    ]


def keep_workers_busy(stack: Stack, data: dict, stop: threading.Event, started: list) -> None:
    """Keep four executions queued or running (two workers, one slot each)."""
    s = data["session"]
    active: list[int] = []
    while not stop.is_set():
        active = [
            e
            for e in active
            if s.get(f"{stack.url}/api/executions/{e}/").json()["status"] in ("queued", "running")
        ]
        while len(active) < 4:
            body = s.post(
                f"{stack.url}/api/executions/",
                json={"script": data["script"], "version": data["version"], "parameters": {}},
            ).json()
            active.append(body["id"])
            started.append(body["id"])
        stop.wait(0.5)


class RawClient:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams: GET and read the answer
    by its Content-Length. httpx costs about 4 ms of CPU per request here, on the same
    two cores as the server it measures; this costs a few hundredths of that."""

    def __init__(self, url: str, headers: dict[str, str]):
        host, port = url.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.head}\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
        if "content-length" in fields:
            await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding") == "chunked":
            while size := int((await self.reader.readuntil(b"\r\n")).strip(), 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        if fields.get("connection", "").lower() == "close":
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def run_clients(
    url: str,
    token: str,
    paths: list[str],
    clients: int,
    seconds: float,
    expect: int = 200,
    kind: str = "raw",
):
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    by_path: dict[str, list[float]] = {}
    deadline = time.monotonic() + seconds
    headers = {"Authorization": f"Token {token}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as http:

        async def client(n: int) -> None:
            raw = RawClient(url, headers) if kind == "raw" else None
            i = n
            while time.monotonic() < deadline:
                path = paths[i % len(paths)]
                i += 1
                t = time.perf_counter()
                try:
                    if raw is not None:
                        status = await asyncio.wait_for(raw.get(path), 30)
                    else:
                        status = (await http.get(path)).status_code
                    if status != expect:
                        errors.append(f"{status} {path}")
                except (httpx.HTTPError, OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
                    errors.append(f"{exc.__class__.__name__} {path}")
                    if raw is not None:
                        await raw.close()
                latencies.append(time.perf_counter() - t)
                by_path.setdefault(path.split("?")[0], []).append(latencies[-1])
            if raw is not None:
                await raw.close()

        started, cpu = time.monotonic(), time.process_time()
        await asyncio.gather(*(client(n) for n in range(clients)))
        elapsed = time.monotonic() - started
        cpu = time.process_time() - cpu
    if BY_PATH:
        for path, values in sorted(by_path.items()):
            print(f"    {path:<40} p50 {percentile(values, 0.5) * 1000:6.1f} ms  "
                  f"p95 {percentile(values, 0.95) * 1000:6.1f} ms  n {len(values)}")  # fmt: skip
    return latencies, errors, elapsed, cpu


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summary(latencies: list[float], errors: list[str], elapsed: float, cpu: float) -> dict:
    return {
        "client_cpu_cores": cpu / elapsed,
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000,
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:10],
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--baseline-s", type=float, default=10)
    parser.add_argument("--ceiling-s", type=float, default=10)
    parser.add_argument(
        "--client",
        choices=["raw", "httpx"],
        default="raw",
        help="raw: a minimal asyncio HTTP/1.1 client (default); httpx: httpx.AsyncClient",
    )
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--web-workers", type=int, default=2, help="uvicorn processes")
    parser.add_argument(
        "--db-conn-max-age",
        type=int,
        default=None,
        help="BIMFLOW_DB_CONN_MAX_AGE of every process (0: a new connection per request)",
    )
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--by-path", action="store_true", help="p50/p95 of each endpoint")
    args = parser.parse_args(argv)
    global BY_PATH
    BY_PATH = args.by_path

    if args.db_conn_max_age is not None:
        os.environ["BIMFLOW_DB_CONN_MAX_AGE"] = str(args.db_conn_max_age)
    root = Path(tempfile.mkdtemp(prefix="bimflow-load-", dir="/tmp"))
    stack = Stack(root, args.web_workers)
    stop = threading.Event()
    try:
        data = setup_data(stack, args.products)
        paths = request_mix(data)
        base = summary(
            *asyncio.run(run_clients(stack.url, data["token"], paths, 1, args.baseline_s))
        )
        executions: list[int] = []
        busy = threading.Thread(
            target=keep_workers_busy, args=(stack, data, stop, executions), daemon=True
        )
        busy.start()
        time.sleep(2)
        # The most this stack answers here and now: the same clients on a URL that does
        # no work (a 404 from Django's URL resolver, through every middleware).
        ceiling = summary(
            *asyncio.run(
                run_clients(
                    stack.url, data["token"], ["/api/no-such-page/"], args.clients,
                    args.ceiling_s, expect=404, kind=args.client,
                )
            )
        )  # fmt: skip
        loaded = summary(
            *asyncio.run(
                run_clients(
                    stack.url, data["token"], paths, args.clients, args.seconds, kind=args.client
                )
            )
        )
        stop.set()
        busy.join(timeout=30)
        s = data["session"]
        finished = [s.get(f"{stack.url}/api/executions/{e}/").json()["status"] for e in executions]
    finally:
        stop.set()
        stack.close()
        shutil.rmtree(root, ignore_errors=True)

    figures = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "clients": args.clients,
        "seconds": args.seconds,
        "web_workers": args.web_workers,
        "client": args.client,
        "db_conn_max_age": os.environ.get("BIMFLOW_DB_CONN_MAX_AGE", "60"),
        "products": args.products,
        "baseline": base,
        "load": loaded,
        "ceiling": ceiling,
        "executions_during_load": len(executions),
        "executions_succeeded": finished.count("succeeded"),
        "p95_ratio": loaded["p95_ms"] / base["p95_ms"],
    }
    print(f"{figures['date']}, {figures['machine']}")
    print(
        f"read mix of {len(paths)} endpoints, {args.products:,}-product version, "
        f"web: uvicorn x{args.web_workers}, BIMFLOW_DB_CONN_MAX_AGE="
        f"{figures['db_conn_max_age']}, 2 workers running executions, {args.client} client"
    )
    rows = (
        ("1 client (baseline)", base),
        (f"{args.clients} clients, a 404", ceiling),
        (f"{args.clients} clients", loaded),
    )
    for label, r in rows:
        print(
            f"  {label:<22} {r['requests']:>6} req  {r['rps']:6.1f} req/s  p50 {r['p50_ms']:6.1f} ms"
            f"  p95 {r['p95_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  errors {r['errors']}"
            f"  (client used {r['client_cpu_cores']:.2f} cores)"
        )
    print(
        f"  API reads reach {loaded['rps'] / ceiling['rps']:.0%} of the requests per second "
        "of a page that does no work"
    )
    print(
        f"  p95 under load / baseline p95: {figures['p95_ratio']:.1f}x; executions started "
        f"during the load: {len(executions)} ({figures['executions_succeeded']} succeeded)"
    )
    verdict = loaded["p95_ms"] < 300 and loaded["errors"] == 0
    print(
        f"  target (p95 < 300 ms, no errors) with {args.clients} clients: {'met' if verdict else 'NOT met'}"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return figures


if __name__ == "__main__":
    main()
