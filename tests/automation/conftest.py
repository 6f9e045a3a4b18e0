"""Helpers for the automation tests: scripts shared with a project, versions that are
ready (ingested here, or by the live worker), waiting for runs and batches."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import api_client, ingest
from tests.live import wait_for

# A script with findings of each severity, used where the counts matter: an error per
# wall, a warning per element without a name, and one model-level info.
COUNTING_SCRIPT = """
for row in elements.itertuples():
    if row.ifc_class == "IfcWall":
        report.error("A wall.", guid=row.guid, rule="wall")
    if not isinstance(row.name, str) or not row.name.strip():
        report.warning("No name.", guid=row.guid, rule="no-name")
report.info("Checked.", rule="checked")
print("counted", len(elements))
"""


def open_ifc(path: Path, tmp_dir: Path):
    """Open a model with ifcopenshell directly (an .ifczip unzipped here)."""
    import zipfile

    import ifcopenshell

    if path.suffix.lower() == ".ifczip":
        with zipfile.ZipFile(path) as zf:
            member = next(n for n in zf.namelist() if n.lower().endswith(".ifc"))
            target = tmp_dir / f"{path.stem}.oracle.ifc"
            target.write_bytes(zf.read(member))
        return ifcopenshell.open(str(target))
    return ifcopenshell.open(str(path))


def counting_oracle(model) -> dict[str, int]:
    """What COUNTING_SCRIPT must report for a model, from ifcopenshell directly."""
    products = model.by_type("IfcProduct")
    unnamed = [p for p in products if not (isinstance(p.Name, str) and p.Name.strip())]
    return {
        "error": sum(1 for p in products if p.is_a() == "IfcWall"),
        "warning": len(unnamed),
        "info": 1,
    }


FAILING_SCRIPT = "raise RuntimeError('this step fails on purpose')\n"
SLEEP_SCRIPT = "import time\nprint('sleeping', flush=True)\ntime.sleep(params.get('seconds', 60))\n"


def shared_script(user, project, name: str, code: str, schema: dict | None = None):
    """A script of `user` shared with the project's members (usable in workflows)."""
    from bimflow.scripting.services import script_create

    return script_create(
        user=user,
        name=name,
        code=code,
        parameters_schema=schema,
        project_id=project.pk,
        is_public=True,
    )


def upload_ready(client, upload, project_id: int, path: Path, *, model: str | None = None):
    """Upload and ingest in this process (no worker); returns the ready version."""
    resp = upload(client, project_id, path, model=model)
    assert resp.status_code == 201, resp.content
    version = ingest(resp.json()["id"])
    assert version.status == "ready", version.error
    return version


def upload_live(client, upload, project_id: int, path: Path, *, model: str | None = None) -> int:
    """Upload; the live worker ingests it. Returns the version id."""
    resp = upload(client, project_id, path, model=model)
    assert resp.status_code == 201, resp.content
    return resp.json()["id"]


def wait_ready(version_ids, timeout: float = 180) -> None:
    from bimflow.projects.models import ModelVersion

    def done():
        statuses = list(
            ModelVersion.objects.filter(pk__in=version_ids).values_list("status", flat=True)
        )
        return len(statuses) == len(version_ids) and all(s in ("ready", "failed") for s in statuses)

    wait_for(done, timeout=timeout, what=f"versions {version_ids} to be ingested")
    failed = ModelVersion.objects.filter(pk__in=version_ids, status="failed")
    assert not failed.exists(), [(v.file_name, v.error) for v in failed]


def wait_runs_final(workflow_id: int, count: int, timeout: float = 180):
    from bimflow.automation.models import RUN_FINAL, WorkflowRun

    def done():
        runs = list(WorkflowRun.objects.filter(workflow_id=workflow_id))
        return len(runs) >= count and all(r.status in RUN_FINAL for r in runs) and runs

    return wait_for(done, timeout=timeout, what=f"{count} finished runs of workflow {workflow_id}")


@pytest.fixture
def coordinator_client(personas):
    return api_client(personas["coordinator"])


@pytest.fixture
def builtins(db):
    from bimflow.scripting.builtins import builtins_sync

    builtins_sync()
