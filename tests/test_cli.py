"""The `bimflow` command line, run as a real process against a real server and worker."""

import subprocess
import sys
from collections import Counter

import ifcopenshell
import pytest

from tests.conftest import REPO, server_password, shared_model
from tests.ifc_factory import small_building
from tests.live import process_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def bimflow(*args, env=None, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "bimflow.cli", *args],
        cwd=REPO,
        env=env or process_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_generate_writes_a_valid_building(tmp_path):
    out = tmp_path / "gen.ifc"
    done = bimflow("generate", str(out), "--products", "400", "--seed", "7")
    assert done.returncode == 0, done.stderr
    model = ifcopenshell.open(str(out))
    products = model.by_type("IfcProduct")
    assert len(products) == 400
    classes = Counter(p.is_a() for p in products)
    for cls in (
        "IfcWall",
        "IfcSlab",
        "IfcColumn",
        "IfcBeam",
        "IfcDoor",
        "IfcWindow",
        "IfcSpace",
        "IfcBuildingStorey",
    ):
        assert classes[cls] > 0, cls
    guids = [e.GlobalId for e in model.by_type("IfcRoot")]
    assert len(guids) == len(set(guids))
    again = tmp_path / "again.ifc"
    assert bimflow("generate", str(again), "--products", "400", "--seed", "7").returncode == 0
    assert sorted(guids) == sorted(
        e.GlobalId for e in ifcopenshell.open(str(again)).by_type("IfcRoot")
    )


def test_generate_refuses_nonsense(tmp_path):
    done = bimflow("generate", str(tmp_path / "x.ifc"), "--products", "0")
    assert done.returncode != 0
    assert "--products" in done.stderr and "Traceback" not in done.stderr


def test_upload_with_progress_then_ready(personas, live_worker, live_web, tmp_path):
    user = personas["coordinator"]
    env = process_env(
        BIMFLOW_URL=live_web, BIMFLOW_USER=user.username, BIMFLOW_PASSWORD=server_password(user)
    )
    good = shared_model("AC20-FZK-Haus.ifc")
    other = tmp_path / "Small.ifc"
    small_building(other)
    done = bimflow("upload", "Tower A", str(good), str(other), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "AC20-FZK-Haus.ifc: ready" in done.stdout
    assert "Small.ifc: ready" in done.stdout
    assert "Uploading" in done.stderr  # the progress bar
    from bimflow.projects.models import ModelVersion

    versions = ModelVersion.objects.filter(model__project=personas["project"])
    assert sorted(v.model.name for v in versions) == ["AC20-FZK-Haus", "Small"]
    assert all(v.status == "ready" for v in versions)

    # A duplicate and a non-IFC file: clear messages, exit code 1, nothing else changed.
    bad = tmp_path / "notes.ifc"
    bad.write_bytes(b"%PDF-1.4 hello")
    done = bimflow("upload", str(personas["project"].pk), str(good), str(bad), env=env)
    assert done.returncode == 1
    assert "identical to version 1" in done.stderr
    assert "This is not an IFC file" in done.stderr
    assert "Traceback" not in done.stderr
    assert ModelVersion.objects.filter(model__project=personas["project"]).count() == 2


def test_upload_to_a_project_you_cannot_see(personas, live_web, tmp_path):
    env = process_env(
        BIMFLOW_URL=live_web,
        BIMFLOW_USER=personas["outsider"].username,
        BIMFLOW_PASSWORD=server_password(personas["outsider"]),
    )
    path = tmp_path / "x.ifc"
    small_building(path)
    done = bimflow("upload", "Tower A", str(path), env=env)
    assert done.returncode == 1
    assert "no project named 'Tower A'" in done.stderr
    done = bimflow("upload", str(personas["project"].pk), str(path), env=env)
    assert done.returncode == 1 and "Not found" in done.stderr
