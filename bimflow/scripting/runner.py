"""Running one execution on a worker: inputs, the sandbox, and storing what came out."""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from bimflow.catalog.models import Element
from bimflow.projects import storage
from bimflow.scripting import sandbox, shutdown
from bimflow.scripting.logs import FLUSH_SECONDS, LogWriter
from bimflow.scripting.models import (
    Execution,
    ExecutionStatus,
    Finding,
    ResultFile,
    Runtime,
    Severity,
)

log = logging.getLogger(__name__)
CANCEL_POLL_S = 0.5
HEARTBEAT_S = 5.0
MAX_SLOTS = 64


def slot_acquire():
    """A concurrency slot unique on this host (so a sandbox uid is never shared by two
    running jobs, whatever the number of worker processes); see sandbox/slots.py."""
    return sandbox.slots.slot_acquire(max_slots=MAX_SLOTS)


def limits_for(execution: Execution) -> sandbox.Limits:
    """The settings' defaults, overridden by what the script asked for (within maxima)."""
    own = execution.script.limits or {}
    return sandbox.Limits(
        timeout_s=float(own.get("timeout_s", settings.BIMFLOW_SCRIPT_TIMEOUT_S)),
        memory_mb=int(own.get("memory_mb", settings.BIMFLOW_SCRIPT_MEMORY_MB)),
        max_procs=int(own.get("max_procs", settings.BIMFLOW_SCRIPT_MAX_PROCS)),
        output_mb=int(own.get("output_mb", settings.BIMFLOW_SCRIPT_OUTPUT_MB)),
        log_max_bytes=int(own.get("log_mb", settings.BIMFLOW_SCRIPT_LOG_MB)) * 1024 * 1024,
        log_max_lines=settings.BIMFLOW_SCRIPT_LOG_LINES,
    )


def execution_claim(*, execution_id: int) -> bool:
    """queued -> running with a conditional update: a redelivered task finds nothing."""
    now = timezone.now()
    return bool(
        Execution.objects.filter(pk=execution_id, status=ExecutionStatus.QUEUED).update(
            status=ExecutionStatus.RUNNING,
            started_at=now,
            heartbeat_at=now,
            worker=f"{socket.gethostname()}:{os.getpid()}",
        )
    )


class _Tick:
    """Called by the sandbox every ~200 ms while the script runs: writes buffered log
    lines that are due (so a quiet script's last line still shows within a second),
    keeps the heartbeat fresh, and says whether a cancel was asked for."""

    def __init__(self, execution_id: int, logs: LogWriter):
        self.execution_id = execution_id
        self.logs = logs
        self.last_poll = 0.0
        self.cancelled = False
        self.shutdown = False  # stopped because the worker is stopping (requeue)

    def __call__(self) -> bool:
        now = time.monotonic()
        since = now - self.logs.last_flush
        if (self.logs.buffer and since >= FLUSH_SECONDS) or since >= HEARTBEAT_S:
            self.logs.flush()  # with nothing buffered, a flush is only a heartbeat
        if not self.cancelled and shutdown.requested.is_set():
            self.shutdown = self.cancelled = True
        if not self.cancelled and now - self.last_poll >= CANCEL_POLL_S:
            self.last_poll = now
            self.cancelled = Execution.objects.filter(
                pk=self.execution_id, cancel_requested=True
            ).exists()
        return self.cancelled


def _inputs(execution: Execution) -> dict[str, Path]:
    version = execution.version
    suffix = Path(version.file_name).suffix.lower() or ".ifc"
    inputs = {f"model{suffix}": storage.local_copy(version.file)}
    if version.datapack:
        inputs["datapack.bfpack"] = storage.local_copy(version.datapack)
    return inputs


class CommandError(Exception):
    """A `command` script that cannot start here; the message is for the user."""


# Already inside the sandbox as they are on the host (bwrap binds them read-only).
_VISIBLE = ("/usr", "/bin", "/lib", "/lib64", "/sbin")
# The sandbox's own places: a tool folder at (or above) one of these goes elsewhere.
_OWN = ("/tmp", "/job", "/proc", "/dev", "/etc", "/opt/bimflow")


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root + "/")


def command_job(code: str, model_name: str, model_host: Path) -> dict:
    """The argv and read-only mounts of a `command` script, whose revision code is the
    tool's JSON definition (executable, args with {input} and {output_dir}, mounts).

    The executable's folder and the tool's extra folders are mounted read-only at their
    host paths, so that interpreters find their environment (a venv's pyvenv.cfg) as on
    the host; a folder that cannot appear at its own path in the sandbox (under /tmp)
    goes to /mnt/tools/N, and arguments naming paths in it are rewritten."""
    try:
        tool = json.loads(code)
        executable = str(tool["executable"])
        args = [str(a) for a in tool.get("args") or []]
        extra = [str(m) for m in tool.get("mounts") or []]
    except (ValueError, KeyError, TypeError):
        raise CommandError("This tool's definition is not valid; ask an operator to fix it.")
    path = executable if os.path.isabs(executable) else shutil.which(executable)
    if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise CommandError(
            f"The tool's program '{executable}' is not installed on this worker "
            f"({socket.gethostname()})."
        )
    unsafe = settings.BIMFLOW_SANDBOX == "unsafe" and (
        sandbox.sandbox_status().get("mode") == "unavailable"
    )
    if unsafe:  # no sandbox: host paths, and the job's output folder is the cwd
        inside_input, inside_output, places = str(model_host), ".", {}
    else:
        inside_input, inside_output = f"/job/inputs/{model_name}", "/job/output"
        places = {}
        for host in [os.path.dirname(path), *extra]:
            host = os.path.normpath(host)
            if os.path.isfile(os.path.join(os.path.dirname(host), "pyvenv.cfg")):
                # A virtual environment's bin/: mount the whole environment, so that the
                # interpreter finds its pyvenv.cfg and packages wherever it is mounted.
                host = os.path.dirname(host)
            if host in places or host == "/" or any(_under(host, v) for v in _VISIBLE):
                continue
            own = any(_under(host, r) or _under(r, host) for r in _OWN)
            places[host] = f"/mnt/tools/{len(places)}" if own else host

    def inside(value: str) -> str:
        for host, where in places.items():
            if value == host or value.startswith(host + "/"):
                return where + value[len(host) :]
        return value

    argv = [inside(path)] + [
        inside(a.replace("{input}", inside_input).replace("{output_dir}", inside_output))
        for a in args
    ]
    mounts = {where: Path(host) for host, where in places.items()}
    return {"runtime": "command", "argv": argv, "ro_mounts": mounts}


@dataclass
class ParamInputs:
    """Inputs for parameters that refer to project data (custom formats in params.py),
    and how the bootstrap finds them: `params` maps a parameter to its input name (the
    script sees the path), `versions` maps a version id to its model and data pack."""

    inputs: dict[str, Path] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    versions: dict[str, dict] = field(default_factory=dict)


def _param_inputs(execution: Execution) -> ParamInputs:
    from bimflow.projects.models import ModelVersion, ProjectFile

    refs = ParamInputs()
    schema = (execution.revision.parameters_schema or {}).get("properties") or {}
    for key, sub in schema.items():
        fmt = sub.get("format") if isinstance(sub, dict) else None
        value = (execution.parameters or {}).get(key)
        if fmt is None or value is None:
            continue
        if fmt == "project-file":
            pf = ProjectFile.objects.get(pk=value, project_id=execution.project_id)
            name = f"file-{pf.pk}-{storage.safe_file_name(pf.name)}"
            refs.inputs[name] = storage.local_copy(pf.storage_name)
            refs.params[key] = name
        elif fmt == "model-version":
            v = ModelVersion.objects.select_related("model").get(
                pk=value, model__project_id=execution.project_id
            )
            suffix = Path(v.file_name).suffix.lower() or ".ifc"
            entry = {"id": v.pk, "number": v.number, "model_name": v.model.name}
            entry["model"] = f"version-{v.pk}{suffix}"
            refs.inputs[entry["model"]] = storage.local_copy(v.file)
            if v.datapack:
                entry["datapack"] = f"version-{v.pk}.bfpack"
                refs.inputs[entry["datapack"]] = storage.local_copy(v.datapack)
            refs.versions[str(v.pk)] = entry
        elif fmt == "execution":
            name = f"execution-{int(value)}.json"
            refs.inputs[name] = _findings_file(int(value), execution.project_id)
            refs.params[key] = name
    return refs


def _findings_file(execution_id: int, project_id: int) -> Path:
    """The findings of a finished execution as JSON, for a script that works on them
    (the sandbox has no database). Rewritten each time: findings can change state."""
    import json
    import uuid

    source = Execution.objects.select_related("script", "version__model").get(
        pk=execution_id, project_id=project_id
    )
    rows = list(
        Finding.objects.filter(execution_id=execution_id)
        .order_by("id")
        .values("id", "severity", "guid", "ifc_class", "rule", "message", "details")
    )
    payload = {
        "execution": {
            "id": source.pk,
            "script": source.script.slug,
            "script_name": source.script.name,
            "status": source.status,
            "version_id": source.version_id,
            "version_number": source.version.number,
            "model_name": source.version.model.name,
            "finished_at": source.finished_at.isoformat() if source.finished_at else None,
            "parameters": source.parameters,
        },
        "findings": rows,
    }
    folder = settings.BIMFLOW_CACHE_DIR / "findings"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"execution-{execution_id}.json"
    tmp = folder / f".{target.name}.{uuid.uuid4().hex[:8]}"
    tmp.write_text(json.dumps(payload, default=str), encoding="utf-8")
    tmp.chmod(0o644)
    os.replace(tmp, target)
    return target


def execution_run(*, execution_id: int) -> None:
    """Run one queued execution to its end.

    1. Claim it (queued -> running); a redelivered or cancelled one is left alone.
    2. Fetch the inputs (model file, data pack) into the worker's local cache.
    3. Run the sandbox, streaming log lines into the database in batches.
    4. Store findings, files and the result, and the final status, in one transaction.
    """
    if not execution_claim(execution_id=execution_id):
        log.info("Execution %s is not queued; skipped", execution_id)
        return
    execution = Execution.objects.select_related("script", "revision", "version__model").get(
        pk=execution_id
    )
    Execution.objects.filter(pk=execution_id).update(attempts=execution.attempts + 1)
    logs = LogWriter(execution_id)
    started = time.monotonic()
    result_dir = Path(tempfile.mkdtemp(prefix="bimflow-result-", dir=settings.FILE_UPLOAD_TEMP_DIR))
    try:
        limits = limits_for(execution)
        with slot_acquire() as slot:
            inputs = _inputs(execution)
            model_name = next(iter(inputs))
            command = {}
            if execution.script.runtime == Runtime.COMMAND:
                try:
                    command = command_job(execution.revision.code, model_name, inputs[model_name])
                except CommandError as exc:
                    logs.system(str(exc))
                    logs.flush()
                    _fail(execution_id, str(exc), started)
                    _announce(execution_id)
                    return
            refs = _param_inputs(execution)
            inputs.update(refs.inputs)
            job = sandbox.SandboxJob(
                code=execution.revision.code,
                params=execution.parameters,
                inputs=inputs,
                model_name=model_name,
                datapack_name="datapack.bfpack" if "datapack.bfpack" in inputs else None,
                limits=limits,
                result_dir=result_dir,
                slot=slot,
                extra={
                    "execution_id": execution.pk,
                    "version_id": execution.version_id,
                    "param_inputs": refs.params,
                    "versions": refs.versions,
                },
                **command,
            )
            tick = _Tick(execution_id, logs)
            outcome = sandbox.run_job(
                job,
                on_line=logs.add,
                on_system=logs.system,
                should_cancel=tick,
                unsafe=settings.BIMFLOW_SANDBOX == "unsafe",
            )
        if tick.shutdown and outcome.status == "cancelled":
            _requeue(execution_id, logs)
            return
        logs.flush()
        _finish(execution, outcome, logs, limits, result_dir)
    except Exception as exc:
        log.exception("Execution %s failed in the runner", execution_id)
        logs.system(f"bimflow could not run this script: {exc.__class__.__name__}.")
        logs.flush()
        _fail(
            execution_id,
            "bimflow could not run this script because of an internal error; "
            "it was logged for the operators.",
            started,
        )
    finally:
        shutil.rmtree(result_dir, ignore_errors=True)


REQUEUED = (
    "The worker running this script was stopped for a restart; the run was queued again "
    "and starts over on the next free worker."
)


def _requeue(execution_id: int, logs: LogWriter) -> None:
    """Put an execution stopped by a worker shutdown back in the queue and send it."""
    from bimflow.scripting.tasks import execution_send

    logs.system(REQUEUED)
    logs.flush()
    if Execution.objects.filter(pk=execution_id, status=ExecutionStatus.RUNNING).update(
        status=ExecutionStatus.QUEUED,
        worker="",
        started_at=None,
        heartbeat_at=None,
        dispatched_at=None,
    ):
        execution_send(execution_id)


def _fail(execution_id: int, error: str, started: float) -> None:
    Execution.objects.filter(pk=execution_id, status=ExecutionStatus.RUNNING).update(
        status=ExecutionStatus.FAILED,
        error=error,
        finished_at=timezone.now(),
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def _announce(execution_id: int) -> None:
    from bimflow.scripting.signals import execution_finished

    execution_finished.send(sender=Execution, execution_id=execution_id)


def _finding_rows(execution: Execution, findings: list[dict]) -> list[Finding]:
    guids = {f.get("guid") for f in findings if f.get("guid") and not f.get("ifc_class")}
    classes: dict[str, str] = {}
    guid_list = list(guids)
    for i in range(0, len(guid_list), 900):
        classes.update(
            Element.objects.filter(
                version_id=execution.version_id, guid__in=guid_list[i : i + 900]
            ).values_list("guid", "ifc_class")
        )
    rows = []
    for f in findings:
        severity = f.get("severity", "info")
        if severity not in Severity.values:
            severity = Severity.INFO
        guid = f.get("guid") or None
        rows.append(
            Finding(
                execution_id=execution.pk,
                severity=severity,
                guid=str(guid)[:64] if guid else None,
                ifc_class=str(f.get("ifc_class") or classes.get(guid or "", ""))[:100],
                rule=str(f.get("rule") or "")[:255],
                message=str(f.get("message") or ""),
                details=f.get("details") if isinstance(f.get("details"), dict) else {},
            )
        )
    return rows


def _finish(execution, outcome, logs: LogWriter, limits, result_dir: Path) -> None:
    stored: list[str] = []
    try:
        files = []
        for f in outcome.files:
            # Beside the version's files, so deleting the version or project removes them.
            name = f"{storage.version_dir(execution.version)}/executions/{execution.pk}/{f.name}"
            with open(f.path, "rb") as fh:
                from django.core.files import File

                stored_name = default_storage.save(name, File(fh, name=os.path.basename(f.name)))
            stored.append(stored_name)
            files.append(
                ResultFile(
                    execution_id=execution.pk,
                    name=f.name,
                    size=f.size,
                    sha256=f.sha256,
                    content_type=f.content_type,
                    storage_name=stored_name,
                )
            )
        findings = _finding_rows(execution, outcome.findings)
        with transaction.atomic():
            Finding.objects.filter(execution_id=execution.pk).delete()
            Finding.objects.bulk_create(findings, batch_size=2000)
            ResultFile.objects.filter(execution_id=execution.pk).delete()
            ResultFile.objects.bulk_create(files)
            Execution.objects.filter(pk=execution.pk).update(
                status=outcome.status,
                exit_code=outcome.exit_code,
                error=outcome.error or "",
                result=outcome.result or {},
                duration_ms=outcome.duration_ms,
                peak_memory_kb=outcome.peak_memory_kb,
                finished_at=timezone.now(),
                findings_count=len(findings),
                protections=outcome.protections,
                limits={**limits.__dict__, "hit": outcome.limits_hit},
                log_count=logs.next_seq - 1,
            )
            from bimflow.scripting.signals import execution_finished

            transaction.on_commit(
                lambda: execution_finished.send(sender=Execution, execution_id=execution.pk)
            )
    except Exception:
        for name in stored:
            storage.delete_quietly(name)
        raise
