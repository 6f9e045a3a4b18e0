"""Copying the output folder out: only regular files, no tricks."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bimflow.scripting.sandbox import Limits
from bimflow.scripting.sandbox.outputs import copy_outputs

HOSTILE_OUTPUT = """
import os, zipfile
out = "/job/output"
os.symlink("/etc/passwd", out + "/passwd-link")
os.symlink("/job/inputs", out + "/inputs-link")
os.mkfifo(out + "/fifo")
with open(out + "/suid.sh", "w") as f:
    f.write("#!/bin/sh\\nid\\n")
os.chmod(out + "/suid.sh", 0o6755)
open(out + "/bad\\nname.txt", "w").write("x")
open(out + "/bad\\x1bname.txt", "w").write("x")
open(os.fsencode(out) + b"/latin-\\xe9.txt", "w").write("x")
os.makedirs(out + "/sub/deeper")
open(out + "/sub/deeper/ok.csv", "w").write("a,b\\n1,2\\n")
os.symlink("/etc", out + "/sub/etc-link")
with open(out + "/huge.bin", "wb") as f:
    try:
        f.truncate(5 * 1024**3)  # RLIMIT_FSIZE refuses a 5 GB (sparse) file
    except OSError as exc:
        print("5 GB refused:", exc.strerror)
with open(out + "/sparse.bin", "wb") as f:
    f.truncate(60 * 1024**2)     # 60 MB apparent size, no blocks: fits FSIZE, not the copy cap
with zipfile.ZipFile(out + "/bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("zeros.bin", b"\\0" * (50 * 1024 * 1024))
try:
    os.link("/job/inputs/x.txt", out + "/hardlink.txt")
    print("hardlink made")
except OSError as exc:
    print("hardlink refused:", exc.strerror)
print("done")
"""


def test_hostile_output_folder(run_script, tmp_path):
    source = tmp_path / "x.txt"
    source.write_text("input")
    os.chmod(tmp_path, 0o755)
    os.chmod(source, 0o644)
    run = run_script(
        HOSTILE_OUTPUT, inputs={"x.txt": source}, limits=Limits(timeout_s=60, output_mb=50)
    )
    assert run.result.status == "succeeded", (run.result.error, run.stderr)
    assert "hardlink refused: Invalid cross-device link" in run.stdout
    assert "5 GB refused: File too large" in run.stdout
    names = sorted(f.name for f in run.result.files)
    assert names == ["bomb.zip", "huge.bin", "sub/deeper/ok.csv", "suid.sh"]
    files = {f.name: f for f in run.result.files}
    suid = files["suid.sh"].path
    assert stat.S_IMODE(suid.stat().st_mode) == 0o644  # setuid/setgid/exec bits dropped
    assert suid.stat().st_uid == os.getuid()
    assert files["sub/deeper/ok.csv"].path.read_text() == "a,b\n1,2\n"
    # The zip is offered as the archive it is, never extracted.
    assert files["bomb.zip"].content_type == "application/zip"
    assert files["bomb.zip"].size < 1024 * 1024
    assert sorted(p.name for p in files["bomb.zip"].path.parent.iterdir() if p.is_file()) == [
        "bomb.zip",
        "huge.bin",
        "suid.sh",
    ]
    # Nothing that is not a regular file, or has a bad name, reached the result folder.
    result_dir = suid.parent
    found = sorted(str(p.relative_to(result_dir)) for p in result_dir.rglob("*"))
    assert found == ["bomb.zip", "huge.bin", "sub", "sub/deeper", "sub/deeper/ok.csv", "suid.sh"]
    notes = "\n".join(run.system)
    for expected in ("passwd-link: symbolic link", "fifo: not a regular file", "inputs-link: symbolic link",
                     "'bad\\nname.txt': refused file name", "sparse.bin: over the output size limit"):  # fmt: skip
        assert expected in notes, expected
    assert "latin-" in notes and "refused file name" in notes
    assert "output" in run.result.limits_hit


def test_copy_outputs_unit(tmp_path):
    """The copier on its own, against a folder prepared on the host."""
    src = tmp_path / "src"
    (src / "a" / "b").mkdir(parents=True)
    (src / "a" / "b" / "data.json").write_text("{}")
    (src / "big.bin").write_bytes(b"x" * 3000)
    (src / "small.txt").write_text("hello")
    os.symlink("/etc/hostname", src / "link")
    os.mkfifo(src / "pipe")
    dest = tmp_path / "dest"
    dest.mkdir()
    fd = os.open(src, os.O_RDONLY | os.O_DIRECTORY)
    try:
        report = copy_outputs(fd, dest, max_bytes=2000, max_files=10)
    finally:
        os.close(fd)
    assert sorted(f.name for f in report.files) == ["a/b/data.json", "small.txt"]
    assert report.capped
    assert {Path(n.split(":")[0]).name for n in report.skipped} == {"big.bin", "link", "pipe"}
    assert (dest / "a" / "b" / "data.json").read_text() == "{}"
    assert not (dest / "big.bin").exists()
