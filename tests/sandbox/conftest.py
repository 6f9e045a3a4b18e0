"""Fixtures for the sandbox tests: real bwrap, real cgroups, real uids.

These tests run as root (like the workers). The non-root mode is exercised by
spawning ``nonroot_runner.py`` as an unprivileged user (see test_nonroot.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bimflow.scripting import sandbox
from bimflow.scripting.sandbox import Limits, SandboxJob, SandboxResult

REPO = Path(__file__).resolve().parents[2]
STUB_IFC = Path(__file__).resolve().parent / "stub_ifc"

if os.geteuid() != 0:
    pytest.skip("the sandbox tests run as root, like the workers", allow_module_level=True)


@dataclass
class Run:
    result: SandboxResult
    lines: list[tuple[str, str]] = field(default_factory=list)
    system: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def stdout(self) -> str:
        return "\n".join(text for stream, text in self.lines if stream == "stdout")

    @property
    def stderr(self) -> str:
        return "\n".join(text for stream, text in self.lines if stream == "stderr")

    def json_line(self) -> object:
        """The last stdout line, parsed (scripts print their observations as JSON)."""
        return json.loads([t for s, t in self.lines if s == "stdout"][-1])


@pytest.fixture(scope="session", autouse=True)
def sandbox_work_dir() -> Iterator[Path]:
    # /tmp is world-traversable; pytest's own tmp dirs are 0700, which the sandbox
    # uids could not walk through.
    work = Path(tempfile.mkdtemp(prefix="bimflow-sbx-", dir="/tmp"))
    os.chmod(work, 0o711)
    # Uids of their own (64000+), so these tests never touch the processes of a worker's
    # sandbox (61000+) running on the same host at the same time.
    sandbox.configure(work_dir=work, ifc_dir=STUB_IFC, uid_base=64000)
    sandbox.become_subreaper()
    yield work
    sandbox.sweep_stale(min_age_s=0)
    shutil.rmtree(work, ignore_errors=True)
    # Leave no empty "bimflow" cgroup parents behind in the test runner's cgroups.
    from bimflow.scripting.sandbox import cgroups

    for hierarchy in cgroups.detect().hierarchies:
        with contextlib.suppress(OSError):
            hierarchy.parent.rmdir()


@pytest.fixture
def run_script(tmp_path: Path) -> Callable[..., Run]:
    counter = iter(range(1000))

    def run(
        code: str,
        *,
        limits: Limits | None = None,
        inputs: dict[str, Path] | None = None,
        model_name: str | None = None,
        datapack_name: str | None = None,
        params: dict | None = None,
        slot: int = 0,
        should_cancel: Callable[[], bool] | None = None,
        unsafe: bool = False,
        on_line: Callable[[str, str], None] | None = None,
        **job_fields: object,
    ) -> Run:
        import time

        result_dir = tmp_path / f"result-{next(counter)}"
        result_dir.mkdir()
        lines: list[tuple[str, str]] = []
        system: list[str] = []

        def collect(stream: str, text: str) -> None:
            lines.append((stream, text))
            if on_line is not None:
                on_line(stream, text)

        job = SandboxJob(
            code=code,
            params=params or {},
            inputs=inputs or {},
            model_name=model_name,
            datapack_name=datapack_name,
            limits=limits or Limits(timeout_s=60, memory_mb=512),
            result_dir=result_dir,
            slot=slot,
            **job_fields,  # type: ignore[arg-type]
        )
        started = time.monotonic()
        result = sandbox.run_job(
            job,
            on_line=collect,
            on_system=system.append,
            should_cancel=should_cancel or (lambda: False),
            unsafe=unsafe,
        )
        return Run(result, lines, system, time.monotonic() - started)

    return run


@pytest.fixture(scope="session")
def secret_dir() -> Iterator[Path]:
    """A 0700 directory, like a data dir or /root: the sandbox uids cannot enter it."""
    path = Path(tempfile.mkdtemp(prefix="bimflow-secret-"))
    os.chmod(path, 0o700)
    (path / "not-an-input.txt").write_text("TOP-SECRET-NOT-AN-INPUT\n")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@dataclass
class Model:
    path: Path
    wall_guids: list[str]
    schema: str


@pytest.fixture(scope="session")
def ifc_model(secret_dir: Path) -> Model:
    """A small IFC4 model built with ifcopenshell.api, stored under a 0700 folder."""
    import ifcopenshell.api
    import ifcopenshell.api.project

    model = ifcopenshell.api.project.create_file(version="IFC4")
    project = ifcopenshell.api.run("root.create_entity", model, ifc_class="IfcProject", name="P")
    ifcopenshell.api.run("unit.assign_unit", model)
    site = ifcopenshell.api.run("root.create_entity", model, ifc_class="IfcSite", name="Site")
    building = ifcopenshell.api.run("root.create_entity", model, ifc_class="IfcBuilding", name="B")
    storey = ifcopenshell.api.run(
        "root.create_entity", model, ifc_class="IfcBuildingStorey", name="S0"
    )
    ifcopenshell.api.run("aggregate.assign_object", model, relating_object=project, products=[site])
    ifcopenshell.api.run(
        "aggregate.assign_object", model, relating_object=site, products=[building]
    )
    ifcopenshell.api.run(
        "aggregate.assign_object", model, relating_object=building, products=[storey]
    )
    guids = []
    for index in range(3):
        wall = ifcopenshell.api.run(
            "root.create_entity", model, ifc_class="IfcWall", name=f"W{index}"
        )
        ifcopenshell.api.run(
            "spatial.assign_container", model, relating_structure=storey, products=[wall]
        )
        pset = ifcopenshell.api.run("pset.add_pset", model, product=wall, name="Pset_WallCommon")
        ifcopenshell.api.run(
            "pset.edit_pset", model, pset=pset, properties={"IsExternal": index == 0}
        )
        guids.append(wall.GlobalId)
    ifcopenshell.api.run("root.create_entity", model, ifc_class="IfcDoor", name="D0")
    path = secret_dir / "model.ifc"
    model.write(str(path))
    os.chmod(path, 0o644)
    return Model(path, guids, model.schema)


@pytest.fixture(scope="session")
def datapack(ifc_model: Model, secret_dir: Path) -> Path:
    """A data pack for the stand-in reader, computed with ifcopenshell directly."""
    import ifcopenshell
    import ifcopenshell.util.element

    model = ifcopenshell.open(str(ifc_model.path))
    elements, properties = [], []
    for product in model.by_type("IfcProduct"):
        elements.append(
            {"guid": product.GlobalId, "ifc_class": product.is_a(), "name": product.Name}
        )
        for pset, values in ifcopenshell.util.element.get_psets(product).items():
            for name, value in values.items():
                if name != "id":
                    properties.append(
                        {"guid": product.GlobalId, "pset": pset, "name": name, "value": value}
                    )
    path = secret_dir / "pack.json"
    path.write_text(
        json.dumps(
            {"meta": {"schema": model.schema}, "elements": elements, "properties": properties}
        )
    )
    os.chmod(path, 0o644)
    return path
