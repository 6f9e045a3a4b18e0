"""The `bimflow` command line: run the processes, manage, demo data, upload, generate."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bimflow.settings")


def _django():
    import django

    django.setup()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """bimflow: a self-hosted workspace for running scripts on IFC models."""


# --- processes ------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, help="uvicorn worker processes")
@click.option("--reuse-port", is_flag=True, hidden=True, help="share the port (SO_REUSEPORT)")
def web(host: str, port: int, workers: int, reuse_port: bool) -> None:
    """Run the web process (API, live streams, admin, web app) with uvicorn."""
    if workers > 1:
        sys.exit(_web_processes(host, port, workers))
    import uvicorn

    config = uvicorn.Config(
        "bimflow.asgi:application",
        host=host,
        port=port,
        log_level="info",
        proxy_headers=True,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    if reuse_port:
        server.run(sockets=[_shared_port_socket(host, port)])
    else:
        server.run()


def _shared_port_socket(host: str, port: int):
    """A listening TCP socket that other processes bind too (SO_REUSEPORT): the kernel
    spreads new connections evenly over them."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # With the protocol number, so that asyncio turns Nagle's algorithm off for each
    # connection (uvicorn's own socket for several workers lacks it: every response then
    # waited ~40 ms for the client's delayed acknowledgement).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _web_processes(host: str, port: int, workers: int) -> int:
    """N web processes, each with its own socket on the same port. uvicorn's own
    --workers shares one socket, and the processes that win the first accepts keep those
    connections: under a steady load one process served most clients and the other idled
    (p95 510 ms where p50 was 62 ms, bench/README.md)."""
    from bimflow.supervisor import Supervisor

    me = [sys.executable, "-m", "bimflow.cli", "web", "--host", host, "--port", str(port)]
    return Supervisor(
        {f"web-{i + 1}": [*me, "--workers", "1", "--reuse-port"] for i in range(workers)}
    ).run()


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--queues", "-Q", default=None, help="Comma-separated queues (default: all)")
@click.option("--concurrency", "-c", default=None, type=int)
@click.option("--name", "-n", default=None, help="Worker node name (default: bimflow-PID@host)")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
def worker(queues, concurrency, name, celery_args) -> None:
    """Run a Celery worker (ingest, executions, orchestration)."""
    _django()
    from django.conf import settings

    from bimflow.celery import app

    argv = [
        "worker",
        "--loglevel",
        settings.BIMFLOW_LOG_LEVEL,
        "-Q",
        queues or ",".join(settings.BIMFLOW_QUEUES),
        "-c",
        str(concurrency or settings.BIMFLOW_WORKER_CONCURRENCY),
        "-n",
        name or f"bimflow-{os.getpid()}@%h",
        "--without-mingle",
        "--without-gossip",
        *celery_args,
    ]
    app.worker_main(argv)


@main.command()
def beat() -> None:
    """Run Celery beat with the database scheduler (schedules, clean-up, the reaper)."""
    _django()
    from django.conf import settings

    from bimflow.celery import app

    app.start(
        ["beat", "--loglevel", settings.BIMFLOW_LOG_LEVEL, "-S", settings.CELERY_BEAT_SCHEDULER]
    )


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args) -> None:
    """Any Django management command, e.g. `bimflow manage createsuperuser --noinput`."""
    from django.core.management import execute_from_command_line

    execute_from_command_line(["bimflow manage", *args])


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--no-migrate", is_flag=True, help="Do not apply database migrations first")
def serve(host: str, port: int, no_migrate: bool) -> None:
    """Run web + worker + beat together (the embedded set-up). Ctrl-C stops all."""
    from bimflow.supervisor import Supervisor

    if not no_migrate:
        subprocess.run(
            [sys.executable, "-m", "bimflow.cli", "manage", "migrate", "-v0"], check=True
        )
    me = [sys.executable, "-m", "bimflow.cli"]
    sup = Supervisor(
        {
            "web": [*me, "web", "--host", host, "--port", str(port)],
            "worker": [*me, "worker"],
            "beat": [*me, "beat"],
        }
    )
    click.echo(f"bimflow is starting at http://{host}:{port}/ (Ctrl-C stops it)")
    sys.exit(sup.run())


# --- data ------------------------------------------------------------------------


@main.command()
@click.option("--products", default=600, show_default=True, help="Size of the demo building")
def demo(products: int) -> None:
    """Create the admin login, a demo user and project with a generated building (idempotent)."""
    _django()
    from bimflow.demo import demo_setup

    info = demo_setup(products=products)
    click.echo("")
    click.echo(f"  Admin login:  {info['admin_user']} / {info['admin_password']}")
    click.echo(f"  Demo login:   {info['demo_user']} / {info['demo_password']}")
    click.echo(f"  Demo project: {info['project']} (id {info['project_id']})")
    click.echo(f"  Credentials are kept in {info['credentials_file']}")
    click.echo("")


@main.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--products", "-n", required=True, type=int, help="Number of building products")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--schema", default="IFC4", show_default=True, type=click.Choice(["IFC4", "IFC2X3"]))
def generate(out: Path, products: int, seed: int, schema: str) -> None:
    """Write a synthetic building with N products to OUT.ifc (deterministic for a seed)."""
    from tqdm import tqdm

    from bimflow.ifc.generator import generate_building

    if products < 1:
        raise click.BadParameter("must be at least 1", param_hint="--products")
    with tqdm(total=100, unit="%", desc="Generating", leave=False) as bar:

        def progress(fraction: float) -> None:
            bar.update(int(fraction * 100) - bar.n)

        summary = generate_building(
            out, products=products, seed=seed, schema=schema, progress=progress
        )
    click.echo(f"Wrote {out} ({out.stat().st_size / 1e6:.1f} MB): {summary}")


def _client_options(f):
    f = click.option("--url", default=None, help="Server URL (env BIMFLOW_URL)")(f)
    f = click.option("--token", default=None, help="API token (env BIMFLOW_TOKEN)")(f)
    f = click.option("--user", default=None, help="Username (env BIMFLOW_USER)")(f)
    f = click.option("--password", default=None, help="Password (env BIMFLOW_PASSWORD)")(f)
    return f


@main.command()
@click.argument("project")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--model", default=None, help="Model name (default: each file's name)")
@click.option(
    "--wait/--no-wait", default=True, show_default=True, help="Wait until each version is ready"
)
@_client_options
def upload(project, files, model, wait, url, token, user, password) -> None:
    """Upload IFC files to PROJECT (an id or a name) as new model versions."""
    from tqdm import tqdm

    from bimflow.client import ApiError, Client

    failures = 0
    try:
        client = Client.from_options(url, token, user, password)
        project_id = client.project_id(project)
    except ApiError as exc:
        raise click.ClickException(str(exc))
    for path in files:
        try:
            with tqdm(
                total=path.stat().st_size, unit="B", unit_scale=True, desc=f"Uploading {path.name}"
            ) as bar:
                version = client.upload(
                    project_id,
                    path,
                    model=model,
                    on_progress=lambda done, total: bar.update(min(done, total) - bar.n),
                )
            click.echo(
                f"{path.name}: version {version['number']} of "
                f"'{version['model_name']}' (id {version['id']})"
            )
            if wait:
                with tqdm(total=100, unit="%", desc="Processing") as bar:
                    for v in client.wait_version(version["id"]):
                        bar.update(v["progress"] - bar.n)
                if v["status"] == "failed":
                    failures += 1
                    click.echo(f"{path.name}: failed: {v['error']}", err=True)
                else:
                    click.echo(f"{path.name}: ready, {v['element_count']} elements")
        except ApiError as exc:
            failures += 1
            click.echo(f"{path.name}: {exc}", err=True)
    if failures:
        sys.exit(1)


def _parse_params(pairs: tuple[str, ...]) -> dict:
    """`-p key=value`: the value is read as JSON when it parses (numbers, true, lists),
    else taken as text."""
    import json

    params: dict = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"{pair!r} is not key=value", param_hint="-p")
        key, raw = pair.split("=", 1)
        try:
            params[key] = json.loads(raw)
        except ValueError:
            params[key] = raw
    return params


@main.command()
@click.argument("script")
@click.argument("version_id", type=int)
@click.option("-p", "--param", "params", multiple=True, help="A parameter as key=value")
@click.option(
    "--wait/--no-wait",
    default=True,
    show_default=True,
    help="Follow the live log until the execution ends",
)
@_client_options
def run(script, version_id, params, wait, url, token, user, password) -> None:
    """Run SCRIPT (a slug or id) on a version; print its live log, findings and result.

    Exits 0 only when the execution succeeded."""
    import json

    from bimflow.client import ApiError, Client

    try:
        client = Client.from_options(url, token, user, password)
        execution = client.post(
            "/api/executions/",
            {"script": script, "version": version_id, "parameters": _parse_params(params)},
        )
        click.echo(
            f"Execution {execution['id']}: {execution['script_slug']} on "
            f"'{execution['model_name']}' v{execution['version_number']} (queued)"
        )
        if not wait:
            return
        for event, data in client.events(execution["id"]):
            if event == "log":
                err = data["stream"] != "stdout"
                prefix = "" if data["stream"] == "stdout" else f"[{data['stream']}] "
                click.echo(f"{prefix}{data['text']}", err=err)
        final = client.get(f"/api/executions/{execution['id']}/")
    except ApiError as exc:
        raise click.ClickException(str(exc))
    click.echo(f"Status: {final['status']} in {(final['duration_ms'] or 0) / 1000:.1f} s")
    if final["error"]:
        click.echo(f"Error: {final['error']}", err=True)
    if final["findings_count"]:
        by = {
            severity: client.get(
                f"/api/executions/{final['id']}/findings/", severity=severity, page_size=1
            )["count"]
            for severity in ("error", "warning", "info")
        }
        click.echo(
            f"Findings: {final['findings_count']:,} "
            f"({', '.join(f'{k} {v:,}' for k, v in by.items() if v)})"
        )
    for f in final["files"]:
        click.echo(f"File: {f['name']} ({f['size']} bytes) {client.url}{f['url']}")
    click.echo("Result: " + json.dumps(final["result"], indent=2, default=str))
    sys.exit(0 if final["status"] == "succeeded" else 1)


@main.command()
@click.argument("project")
@click.argument("script")
@click.option(
    "--filter", "model_filter", default="*", show_default=True, help="Glob on model names"
)
@click.option(
    "--all-versions", is_flag=True, help="Every ready version (default: each model's latest)"
)
@click.option("-p", "--param", "params", multiple=True, help="A parameter as key=value")
@click.option(
    "--wait/--no-wait", default=True, show_default=True, help="Follow the batch until it ends"
)
@_client_options
def batch(
    project, script, model_filter, all_versions, params, wait, url, token, user, password
) -> None:
    """Run SCRIPT (a slug or id) over many versions of PROJECT (an id or a name) with a
    progress bar, then print one row per version. Exits 0 only when every execution
    succeeded."""
    from tqdm import tqdm

    from bimflow.client import ApiError, Client

    try:
        client = Client.from_options(url, token, user, password)
        project_id = client.project_id(project)
        job = client.batch_create(
            project_id,
            script,
            model_filter=model_filter,
            versions="all" if all_versions else "latest",
            parameters=_parse_params(params),
        )
        click.echo(
            f"Batch {job['id']}: {job['script_slug']} on {job['total']} versions "
            f"(models matching '{job['model_filter']}')"
        )
        if not wait:
            return
        with tqdm(total=job["total"], unit="version", desc="Running") as bar:
            for state in client.wait_batch(job["id"]):
                bar.update(state["finished"] - bar.n)
                bar.set_postfix(
                    done=state["done"], failed=state["failed"], running=state["running"]
                )
        job = state
    except ApiError as exc:
        raise click.ClickException(str(exc))
    width = max([len(r["model"]) for r in job["matrix"]] + [5])
    click.echo(f"{'model':<{width}}  version  status     errors  warnings  infos  seconds")
    for r in job["matrix"]:
        f = r["findings"]
        seconds = f"{r['duration_ms'] / 1000:.1f}" if r["duration_ms"] is not None else "-"
        click.echo(
            f"{r['model']:<{width}}  {r['version_number']:>7}  {r['status']:<9}  "
            f"{f['error']:>6}  {f['warning']:>8}  {f['info']:>5}  {seconds:>7}"
        )
    click.echo(
        f"Batch {job['id']} {job['status']}: {job['done']} succeeded, {job['failed']} failed, "
        f"{job['cancelled']} cancelled of {job['total']}. "
        f"Summary: {client.url}/api/batches/{job['id']}/summary.xlsx"
    )
    sys.exit(0 if job["status"] == "succeeded" else 1)


@main.command()
@click.option("--dry-run", is_flag=True, help="Only show what would be removed")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Age in days (default: BIMFLOW_RESULT_RETENTION_DAYS)",
)
def cleanup(dry_run: bool, days: int | None) -> None:
    """Remove log lines and result files of executions older than the retention period
    (findings and execution records stay; versions are never removed)."""
    _django()
    from django.conf import settings

    from bimflow.automation.services.retention import results_purge

    days = settings.BIMFLOW_RESULT_RETENTION_DAYS if days is None else days
    s = results_purge(days=days, dry_run=dry_run)
    verb = "Would remove" if dry_run else "Removed"
    click.echo(
        f"{verb} {s['log_lines']} log lines and {s['files']} result files "
        f"({s['bytes'] / 1e6:.1f} MB) of {s['executions']} executions that ended more than "
        f"{days} days ago."
    )


if __name__ == "__main__":
    main()
