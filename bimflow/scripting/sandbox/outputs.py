"""Copy the files a script produced out of its output folder, defensively.

The folder was writable by the script, so everything in it is hostile: only
regular files are copied (opened with O_NOFOLLOW relative to their directory fd,
never by path), no symlinks, FIFOs, devices or sockets; names with control
characters or that are not UTF-8 are refused; modes are not kept (no setuid);
the total is capped by apparent size (a sparse file does not get to expand);
archives stay archives.
"""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .api import OutputFile

MAX_DEPTH = 16
_CHUNK = 1024 * 1024
_EXTRA_TYPES = {
    ".ifc": "application/x-step",
    ".ifczip": "application/zip",
    ".ifcxml": "application/xml",
    ".bcf": "application/zip",
    ".bcfzip": "application/zip",
    ".ids": "application/xml",
    ".csv": "text/csv",
    ".json": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".parquet": "application/vnd.apache.parquet",
    ".glb": "model/gltf-binary",
    ".gltf": "model/gltf+json",
    ".md": "text/markdown",
}


def content_type(name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    if suffix in _EXTRA_TYPES:
        return _EXTRA_TYPES[suffix]
    guessed, _encoding = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def _bad_name(name: str) -> bool:
    if name in ("", ".", "..") or "/" in name or "\\" in name:
        return True
    if any(ord(c) < 32 or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF for c in name):
        return True  # control characters, or bytes that are not UTF-8 (surrogateescape)
    return len(name.encode("utf-8", "surrogateescape")) > 255


@dataclass
class CopyReport:
    files: list[OutputFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # human notes
    capped: bool = False
    total: int = 0


def copy_outputs(root_fd: int, result_dir: Path, *, max_bytes: int, max_files: int) -> CopyReport:
    """Copy regular files below the directory ``root_fd`` into ``result_dir``."""
    report = CopyReport()
    _walk(root_fd, "", 0, result_dir, report, max_bytes, max_files)
    return report


def _walk(
    dir_fd: int,
    prefix: str,
    depth: int,
    result_dir: Path,
    report: CopyReport,
    max_bytes: int,
    max_files: int,
) -> None:
    try:
        names = sorted(os.listdir(dir_fd))
    except OSError as exc:
        report.skipped.append(f"{prefix or '.'}: cannot list ({exc.strerror})")
        return
    for name in names:
        shown = prefix + name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        if _bad_name(name):
            report.skipped.append(f"{shown!r}: refused file name")
            continue
        relative = prefix + name
        try:
            info = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except OSError:
            continue
        if stat.S_ISDIR(info.st_mode):
            if depth >= MAX_DEPTH:
                report.skipped.append(f"{relative}/: folders nested too deep")
                continue
            try:
                sub_fd = os.open(
                    name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd
                )
            except OSError:
                report.skipped.append(f"{relative}/: cannot open folder")
                continue
            try:
                _walk(sub_fd, relative + "/", depth + 1, result_dir, report, max_bytes, max_files)
            finally:
                os.close(sub_fd)
            continue
        if not stat.S_ISREG(info.st_mode):
            kind = "symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
            report.skipped.append(f"{relative}: {kind}, not copied")
            continue
        if len(report.files) >= max_files:
            report.capped = True
            report.skipped.append(f"{relative}: more than {max_files} files, not copied")
            continue
        if report.total + info.st_size > max_bytes:
            report.capped = True
            report.skipped.append(f"{relative}: over the output size limit, not copied")
            continue
        copied = _copy_file(dir_fd, name, relative, result_dir, max_bytes - report.total, report)
        if copied is not None:
            report.files.append(copied)
            report.total += copied.size


def _copy_file(
    dir_fd: int, name: str, relative: str, result_dir: Path, budget: int, report: CopyReport
) -> OutputFile | None:
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    try:
        src = os.open(name, flags, dir_fd=dir_fd)
    except OSError as exc:
        report.skipped.append(f"{relative}: cannot open ({exc.strerror})")
        return None
    try:
        info = os.fstat(src)
        if not stat.S_ISREG(info.st_mode):
            report.skipped.append(f"{relative}: not a regular file, not copied")
            return None
        if info.st_size > budget:
            report.capped = True
            report.skipped.append(f"{relative}: over the output size limit, not copied")
            return None
        target = result_dir.joinpath(*relative.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        dst = os.open(
            target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644
        )
        digest = hashlib.sha256()
        size = 0
        try:
            while size <= budget:
                chunk = os.read(src, min(_CHUNK, budget - size + 1))
                if not chunk:
                    break
                size += len(chunk)
                digest.update(chunk)
                view = memoryview(chunk)
                while view:
                    view = view[os.write(dst, view) :]
        finally:
            os.close(dst)
        if size > budget:
            # The file grew while we copied it: drop it rather than go over.
            with contextlib.suppress(OSError):
                target.unlink()
            report.capped = True
            report.skipped.append(f"{relative}: over the output size limit, not copied")
            return None
        return OutputFile(relative, target, size, digest.hexdigest(), content_type(relative))
    except OSError as exc:
        report.skipped.append(f"{relative}: cannot copy ({exc.strerror})")
        return None
    finally:
        os.close(src)
