"""Stored files: every path through an S3-compatible bucket (the web and the worker share
no disk), and uploads committed atomically on a file-system storage (a crash in the
middle never leaves a half file under a name that a version could point to)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import REPO
from tests.ifc_factory import small_building
from tests.live import wait_for
from tests.scaled.conftest import create_script, upload, wait_executions, wait_versions

NOTES = "Level 0 walls must be named.\n"
# Reads the model (an .ifczip, so the plain .ifc from the worker's cache), a project
# file given as a parameter, and leaves two files.
USES_INPUTS = """
import zipfile
with zipfile.ZipFile(model_path) as archive:
    [member] = [n for n in archive.namelist() if n.endswith(".ifc")]
    text = archive.read(member).decode()
notes = open(params["notes"]).read()
save_output("walls.csv", "walls\\n" + str(text.count("=IFCWALL(")) + "\\n")
save_output("notes-copy.txt", notes)
print("notes:", notes.strip())
"""


@pytest.mark.scaled
@pytest.mark.slow
def test_every_stored_file_goes_through_the_bucket(stack, tmp_path):
    url = stack.start_web()
    stack.start_worker("worker", "-c", "1")
    s = stack.session()
    project = s.post(f"{url}/api/projects/", json={"name": "S3"}).json()
    pid = project["id"]

    ifc = tmp_path / "house.ifc"
    small_building(ifc, walls=5)
    archive = tmp_path / "house.ifczip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(ifc, "house.ifc")
    resp = upload(s, url, pid, archive)
    assert resp.status_code == 201, resp.text
    vid = resp.json()["id"]
    assert wait_versions(s, url, [vid])[vid]["status"] == "ready"

    # Downloads through the web: the upload as it was, and the plain .ifc inside it.
    assert s.get(f"{url}/api/versions/{vid}/download/").content == archive.read_bytes()
    assert s.get(f"{url}/api/versions/{vid}/ifc/").content == ifc.read_bytes()

    notes = tmp_path / "notes.txt"
    notes.write_text(NOTES)
    with open(notes, "rb") as fh:
        resp = s.post(
            f"{url}/api/projects/{pid}/files/", files={"file": fh}, data={"kind": "other"}
        )
    assert resp.status_code == 201, resp.text
    fid = resp.json()["id"]
    assert s.get(f"{url}/api/project-files/{fid}/download/").text == NOTES

    schema = {
        "type": "object",
        "properties": {"notes": {"type": "integer", "format": "project-file"}},
        "required": ["notes"],
    }
    script = create_script(s, url, USES_INPUTS, "inputs", parameters_schema=schema)
    resp = s.post(
        f"{url}/api/executions/",
        json={"script": script["id"], "version": vid, "parameters": {"notes": fid}},
    )
    assert resp.status_code == 201, resp.text
    eid = resp.json()["id"]
    assert wait_executions(stack, [eid])[eid] == "succeeded"
    detail = s.get(f"{url}/api/executions/{eid}/").json()
    files = {f["name"]: f["url"] for f in detail["files"]}
    assert s.get(f"{url}{files['walls.csv']}").text == "walls\n5\n"
    assert s.get(f"{url}{files['notes-copy.txt']}").text == NOTES

    # The bucket holds the upload, the data pack, the project file and the results; the
    # worker read its inputs from its own local cache, not from a shared folder.
    keys = stack.s3.keys(stack.bucket, f"projects/{pid}/")
    assert any(k.endswith("/house.ifczip") for k in keys)
    assert any(k.endswith(".bfpack") for k in keys)
    assert any(k.endswith("/notes.txt") for k in keys)
    assert sum(f"/executions/{eid}/" in k for k in keys) == 2
    cache = stack.root / "worker" / "cache"
    cached = {p.name for p in cache.rglob("*") if p.is_file()}
    assert {"house.ifczip", "notes.txt"} <= cached
    assert not (stack.root / "worker" / "files").exists()

    # Deleting the version, then the project, removes every object under it.
    assert s.delete(f"{url}/api/versions/{vid}/").status_code == 204
    left = stack.s3.keys(stack.bucket, f"projects/{pid}/")
    assert left and all("/files/" in k for k in left), left
    assert s.delete(f"{url}/api/projects/{pid}/").status_code == 204
    assert stack.s3.keys(stack.bucket, f"projects/{pid}/") == []


# A process that stores a 64 MB upload through the configured storage, reading its
# bytes from a pipe: the test kills it half-way.
STORE_FROM_PIPE = """
import sys
import django
django.setup()
from django.core.files import File
from django.core.files.storage import default_storage

class Pipe(File):
    def chunks(self, chunk_size=None):
        while block := sys.stdin.buffer.read(1024 * 1024):
            yield block

print("ready", flush=True)
name = default_storage.save("projects/1/uploads/abc/model.ifc", Pipe(None, name="model.ifc"))
print("saved", name, flush=True)
"""


def test_an_upload_killed_half_way_leaves_no_file_under_its_name(tmp_path):
    """Django's FileSystemStorage writes chunks under the final name (a half file stays
    after a crash); bimflow's storage writes a hidden temporary file and links it into
    place only when it is complete."""
    data, media = tmp_path / "data", tmp_path / "files"
    env = {
        **os.environ,
        "BIMFLOW_DATA_DIR": str(data),
        "BIMFLOW_MEDIA_DIR": str(media),
        "DJANGO_SETTINGS_MODULE": "bimflow.settings",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("BIMFLOW_STORAGE", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", STORE_FROM_PIPE],
        env=env,
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdout.readline().strip() == b"ready"
    chunk = b"x" * (1024 * 1024)
    for _ in range(32):
        proc.stdin.write(chunk)
    proc.stdin.flush()
    folder = media / "projects/1/uploads/abc"

    def half_written():
        parts = list(folder.glob(".*.part")) if folder.exists() else []
        return parts and parts[0].stat().st_size >= 16 * 1024 * 1024

    wait_for(half_written, timeout=30, what="the upload to be half written")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (folder / "model.ifc").exists()
    assert [p.name for p in folder.iterdir() if not p.name.startswith(".")] == []
    killed_parts = set(folder.glob(".*.part"))  # the dead process's, invisible to bimflow

    # The same upload, complete, appears whole under its name.
    proc = subprocess.Popen(
        [sys.executable, "-c", STORE_FROM_PIPE],
        env=env,
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdout.readline().strip() == b"ready"
    out, _ = proc.communicate(chunk * 64, timeout=120)
    assert out.split()[-1] == b"projects/1/uploads/abc/model.ifc"
    assert (folder / "model.ifc").stat().st_size == 64 * 1024 * 1024
    assert set(folder.glob(".*.part")) == killed_parts
