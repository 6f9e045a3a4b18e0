"""Stored files (uploads, data packs) through Django's storage API.

Workers never assume they share a disk with the web: `local_copy` gives a local path,
the storage's own file when it is a local folder, else a copy fetched into a bounded
cache that is evicted by age.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage


def sha256_of(path: Path, chunk: int = 4 * 1024 * 1024) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def safe_file_name(name: str) -> str:
    """The base name of an uploaded file without directories or control characters."""
    base = os.path.basename(name.replace("\\", "/")).strip()
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return base[:200] or "model.ifc"


def store_file(*, path: Path, name: str) -> str:
    """Save a local file under `name` (a storage-relative path); returns the stored name.

    FileSystemStorage moves a file that is already on disk (atomic within one file
    system) and other storages upload it whole, so a crash never leaves a half file
    under a name the database points to.
    """
    with open(path, "rb") as fh:
        return default_storage.save(name, File(fh, name=os.path.basename(name)))


def unique_dir() -> str:
    return uuid.uuid4().hex[:12]


def delete_quietly(name: str) -> None:
    if name:
        try:
            default_storage.delete(name)
        except OSError:
            pass


def version_dir(version) -> str:
    """The storage folder of a version: its upload, data pack and execution results."""
    return str(Path(version.file).parent)


def delete_tree(prefix: str) -> None:
    """Delete every stored file under `prefix` (a folder of the storage)."""
    try:
        root = Path(default_storage.path(prefix))
    except NotImplementedError:
        root = None
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)
        return
    try:
        dirs, files = default_storage.listdir(prefix)
    except (OSError, FileNotFoundError):
        return
    for name in files:
        delete_quietly(f"{prefix}/{name}")
    for sub in dirs:
        delete_tree(f"{prefix}/{sub}")


def local_copy(name: str) -> Path:
    """A local path holding the stored file `name`."""
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        pass
    cache = settings.BIMFLOW_CACHE_DIR
    target = cache / name
    if target.exists():
        os.utime(target)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    with default_storage.open(name, "rb") as src, open(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst, 4 * 1024 * 1024)
    os.replace(tmp, target)
    cache_evict()
    return target


def unzipped_dir(name: str) -> Path:
    """Where the unpacked .ifc of a stored archive is kept (in the bounded cache)."""
    return settings.BIMFLOW_CACHE_DIR / "unzipped" / Path(name).parent


def cache_evict(max_mb: int | None = None) -> None:
    """Remove the least recently used cached files until the cache fits its size."""
    limit = (max_mb if max_mb is not None else settings.BIMFLOW_CACHE_MAX_MB) * 1024 * 1024
    root = settings.BIMFLOW_CACHE_DIR
    if not root.exists():
        return
    files = []
    for p in root.rglob("*"):
        if p.is_file():
            st = p.stat()
            files.append((st.st_mtime, st.st_size, p))
    total = sum(size for _, size, _ in files)
    now = time.time()
    for mtime, size, p in sorted(files):
        if total <= limit:
            break
        if now - mtime < 60:  # in use right now, most likely
            continue
        p.unlink(missing_ok=True)
        total -= size
