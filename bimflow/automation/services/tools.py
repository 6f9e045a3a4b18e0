"""External command-line tools an operator registers (admin or BIMFLOW_TOOLS): their
definitions, the installation check, and the built-in `command` script that runs each
inside the sandbox."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import subprocess
import time

from django.conf import settings
from django.db import transaction

from bimflow.automation.models import ExternalTool
from bimflow.core.errors import ServiceError
from bimflow.scripting.models import Category, Runtime, Script
from bimflow.scripting.services import revision_add

log = logging.getLogger(__name__)
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
KNOWN = {"input", "output_dir"}
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
CHECK_TIMEOUT_S = 5.0
CHECK_CACHE_S = 60.0
_checks: dict[tuple, tuple[float, dict]] = {}


def _strings(value, field: str, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ServiceError(f"Tool '{name}': {field} must be a list of strings.", field=field)
    return list(value)


def tool_definition_check(data: dict) -> dict:
    """A clean tool definition, or ServiceError naming the field (placeholders other
    than {input} and {output_dir}, relative mount folders, a timeout above the
    server's maximum)."""
    name = str(data.get("name") or "").strip()
    if not NAME.match(name):
        raise ServiceError(
            f"Tool name '{name}' must be 1-80 lower-case letters, digits, '-' or '_'.",
            field="name",
        )
    executable = str(data.get("executable") or "").strip()
    if not executable:
        raise ServiceError(f"Tool '{name}' needs an executable.", field="executable")
    args = _strings(data.get("args"), "args", name)
    for arg in args:
        for key in PLACEHOLDER.findall(arg):
            if key not in KNOWN:
                raise ServiceError(
                    f"Tool '{name}': unknown placeholder {{{key}}} in '{arg}'; use {{input}} "
                    "(the model file) and {output_dir} (the folder for result files).",
                    field="args",
                )
    version_args = _strings(data.get("version_args"), "version_args", name) or ["--version"]
    mounts = _strings(data.get("mounts"), "mounts", name)
    for folder in mounts:
        if not os.path.isabs(folder):
            raise ServiceError(
                f"Tool '{name}': mount '{folder}' must be an absolute path.", field="mounts"
            )
    timeout = data.get("timeout_s", 600)
    maximum = settings.BIMFLOW_SCRIPT_MAX_TIMEOUT_S
    if not isinstance(timeout, int) or isinstance(timeout, bool) or not 1 <= timeout <= maximum:
        raise ServiceError(
            f"Tool '{name}': timeout_s must be 1 to {maximum} seconds.", field="timeout_s"
        )
    return {
        "name": name,
        "description": str(data.get("description") or ""),
        "executable": executable,
        "args": args,
        "version_args": version_args,
        "mounts": mounts,
        "timeout_s": timeout,
    }


def tool_resolve(executable: str) -> str | None:
    """The program's path on this host, if it is there and executable."""
    path = executable if os.path.isabs(executable) else shutil.which(executable)
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    return None


def tool_check(tool: ExternalTool, *, refresh: bool = False) -> dict:
    """Is the program installed here, and what does it say its version is: the first
    line of `<executable> --version` (or its version_args), run with a clean
    environment and a 5 s timeout. Cached for a minute per definition."""
    key = (tool.executable, tuple(tool.version_args or ["--version"]))
    cached = _checks.get(key)
    if cached and not refresh and time.monotonic() - cached[0] < CHECK_CACHE_S:
        return cached[1]
    path = tool_resolve(tool.executable)
    if path is None:
        result = {
            "installed": False,
            "path": None,
            "version": None,
            "detail": f"'{tool.executable}' was not found on this server (or is not executable).",
        }
    else:
        result = {"installed": True, "path": path, **_version(path, list(key[1]))}
    _checks[key] = (time.monotonic(), result)
    return result


def _version(path: str, args: list[str]) -> dict:
    try:
        proc = subprocess.Popen(
            [path, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/tmp"},
            start_new_session=True,  # so a timeout kills the tool's children too
        )
    except OSError as exc:
        return {"version": None, "detail": f"It could not be started: {exc.strerror}."}
    try:
        out, err = proc.communicate(timeout=CHECK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return {
            "version": None,
            "detail": f"It did not answer {' '.join(args)} within {CHECK_TIMEOUT_S:g} s.",
        }
    for stream in (out, err):
        for line in stream.decode("utf-8", "replace").splitlines():
            if line.strip():
                return {"version": line.strip()[:200], "detail": ""}
    return {"version": None, "detail": f"It printed nothing for {' '.join(args)}."}


def _definition(tool: ExternalTool) -> str:
    """The tool's definition as the `command` script's code (what the runner reads)."""
    return json.dumps(
        {
            "tool": tool.name,
            "executable": tool.executable,
            "args": tool.args,
            "mounts": tool.mounts,
        },
        indent=2,
    )


@transaction.atomic
def tool_script_sync(*, tool: ExternalTool) -> Script | None:
    """Give an active tool its built-in `command` script `tool-<name>` (a changed
    definition adds a revision); an inactive tool's script is hidden from everyone,
    and kept for the history of its executions."""
    script = tool.script
    if not tool.is_active:
        if script is not None and (script.builtin or script.is_public):
            script.builtin = script.is_public = False
            script.save(update_fields=["builtin", "is_public", "updated_at"])
        return script
    schema = {"type": "object", "properties": {}}
    fields = {
        "name": f"Tool: {tool.name}",
        "description": tool.description or f"Runs the external tool '{tool.name}'.",
        "category": Category.CUSTOM,
        "runtime": Runtime.COMMAND,
        "builtin": True,
        "is_public": True,
        "limits": {"timeout_s": tool.timeout_s},
        "parameters_schema": schema,
    }
    if script is None:
        slug, n = f"tool-{tool.name}", 2
        while Script.objects.filter(slug=slug).exists():
            slug, n = f"tool-{tool.name}-{n}", n + 1
        script = Script.objects.create(slug=slug, **fields)
        tool.script = script
        ExternalTool.objects.filter(pk=tool.pk).update(script=script)
    else:
        for key, value in fields.items():
            setattr(script, key, value)
        script.save()
    code = _definition(tool)
    rev = script.current_revision
    if rev is None or rev.code != code:
        revision_add(script=script, code=code, parameters_schema=schema, user=None)
    return script


def tool_save(*, data: dict, from_settings: bool = False) -> ExternalTool:
    """Create or update a tool by name and sync its script."""
    clean = tool_definition_check(data)
    name = clean.pop("name")
    tool, _ = ExternalTool.objects.update_or_create(
        name=name, defaults={**clean, "from_settings": from_settings, "is_active": True}
    )
    tool_script_sync(tool=tool)
    return tool


def tool_retire(*, tool: ExternalTool) -> None:
    """Deactivate (settings tools that were removed) and hide its script."""
    tool.is_active = False
    tool.save(update_fields=["is_active", "updated_at"])
    tool_script_sync(tool=tool)


def tools_sync() -> list[ExternalTool]:
    """Bring BIMFLOW_TOOLS into the database (an invalid entry is logged and left
    out), retire settings tools no longer listed, and sync every tool's script."""
    names = set()
    for entry in settings.BIMFLOW_TOOLS:
        try:
            tool = tool_save(data=entry, from_settings=True)
        except ServiceError as exc:
            log.error("BIMFLOW_TOOLS: %s", exc.message)
            continue
        names.add(tool.name)
    for tool in ExternalTool.objects.filter(from_settings=True, is_active=True).exclude(
        name__in=names
    ):
        tool_retire(tool=tool)
    return list(ExternalTool.objects.all())
