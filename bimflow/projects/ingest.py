"""Reading an uploaded version once: catalog rows, data pack, statistics, metadata."""

from __future__ import annotations

import ctypes
import logging
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from bimflow.ifc._gc import paused_gc
from bimflow.ifc.datapack import write_datapack
from bimflow.ifc.errors import IfcReadError
from bimflow.ifc.extract import extract
from bimflow.ifc.reader import open_ifc
from bimflow.ifc.stats import statistics
from bimflow.projects import storage
from bimflow.projects.models import ModelVersion, VersionStatus
from bimflow.projects.signals import version_failed, version_ready

log = logging.getLogger(__name__)

# Share of the progress bar each phase takes.
EXTRACT_UNTIL, PACK_UNTIL = 75, 85


class _Progress:
    """Writes the version's progress percent, at most every half second."""

    def __init__(self, version_id: int):
        self.version_id = version_id
        self.last_pct = -1
        self.last_time = 0.0

    def set(self, pct: float) -> None:
        pct_i = max(0, min(99, int(pct)))
        now = time.monotonic()
        if pct_i <= self.last_pct or now - self.last_time < 0.5:
            return
        self.last_pct, self.last_time = pct_i, now
        ModelVersion.objects.filter(pk=self.version_id).update(
            progress=pct_i, heartbeat_at=timezone.now()
        )

    def phase(self, start: float, end: float):
        return lambda fraction: self.set(start + (end - start) * fraction)


@contextmanager
def _heartbeat(version_id: int, interval: float = 10.0):
    """Keep `heartbeat_at` fresh while a long phase runs, so the reaper leaves it alone."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval):
            try:
                ModelVersion.objects.filter(pk=version_id).update(heartbeat_at=timezone.now())
            except Exception:
                log.warning("Ingest heartbeat failed", exc_info=True)
            finally:
                close_old_connections()

    thread = threading.Thread(target=loop, name=f"ingest-heartbeat-{version_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def version_claim(*, version_id: int) -> bool:
    """Move a version from `uploaded` to `processing`; False if someone else has it."""
    now = timezone.now()
    claimed = ModelVersion.objects.filter(pk=version_id, status=VersionStatus.UPLOADED).update(
        status=VersionStatus.PROCESSING,
        progress=0,
        error="",
        processing_started_at=now,
        heartbeat_at=now,
    )
    if claimed:
        # Counted apart from the claim: an F() expression in the same update would do,
        # but keeping the claim a plain conditional update is easier to reason about.
        v = ModelVersion.objects.get(pk=version_id)
        ModelVersion.objects.filter(pk=version_id).update(ingest_attempts=v.ingest_attempts + 1)
    return bool(claimed)


def version_fail(*, version_id: int, error: str) -> None:
    ModelVersion.objects.filter(pk=version_id).update(
        status=VersionStatus.FAILED, error=error, heartbeat_at=timezone.now()
    )
    version_failed.send(sender=ModelVersion, version_id=version_id, error=error)


def version_ingest(*, version_id: int) -> None:
    """Ingest one version: extract, write the data pack, fill the catalog, mark ready.

    1. Claim the version (a conditional update), so a redelivered task does nothing.
    2. Open and extract the IFC file (a readable IfcReadError fails the version).
    3. Write the data pack to storage.
    4. Store catalog rows, statistics and metadata, and mark `ready`, in one transaction.
    5. After commit, announce `version_ready`.
    Any other error fails the version with a sentence and logs the traceback.
    """
    if not version_claim(version_id=version_id):
        log.info("Version %s is not waiting for ingest; skipped", version_id)
        return
    version = ModelVersion.objects.select_related("model").get(pk=version_id)
    progress = _Progress(version_id)
    started = time.monotonic()
    stored: list[str] = []  # the data pack's storage name, once written
    try:
        # The cyclic collector would rescan the extraction's millions of objects while
        # the catalog rows are built; none of them form cycles.
        with _heartbeat(version_id), paused_gc():
            _read_and_store(version, progress, started, stored)
    except IfcReadError as exc:
        _discard(stored)
        version_fail(version_id=version_id, error=str(exc))
        return
    except MemoryError:
        _discard(stored)
        version_fail(
            version_id=version_id,
            error="The worker ran out of memory reading this model; "
            "ask an operator to give workers more memory.",
        )
        return
    except Exception as exc:
        _discard(stored)
        log.exception("Ingest of version %s failed", version_id)
        version_fail(
            version_id=version_id,
            error=f"Reading this model failed because of an internal error "
            f"({exc.__class__.__name__}); it was logged for the operators.",
        )
        return
    finally:
        # The extraction died with _read_and_store's frame: hand its memory back.
        _return_memory()
    transaction.on_commit(lambda: version_ready.send(sender=ModelVersion, version_id=version_id))


def _read_and_store(version, progress: _Progress, started: float, stored: list[str]) -> None:
    path = storage.local_copy(version.file)
    ifc_file = open_ifc(path)
    extraction = extract(ifc_file, progress=progress.phase(1, EXTRACT_UNTIL))
    del ifc_file
    with tempfile.TemporaryDirectory(dir=settings.FILE_UPLOAD_TEMP_DIR) as tmp:
        local_pack = Path(tmp) / "datapack.bfpack"
        write_datapack(local_pack, extraction)
        stored.append(
            storage.store_file(
                path=local_pack, name=f"{Path(version.file).parent}/v{version.number}.bfpack"
            )
        )
    progress.set(PACK_UNTIL)
    stats = statistics(extraction)
    _store(version, extraction, stats, stored[0], progress, started)


def _discard(stored: list[str]) -> None:
    """Remove the data pack of an ingest that failed after writing it."""
    for name in stored:
        storage.delete_quietly(name)


def _return_memory() -> None:
    """Give the memory of a large ingest back to the system: the worker process lives on,
    and glibc keeps freed memory for itself otherwise."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _store(version, extraction, stats, pack_name, progress, started) -> None:
    from bimflow.catalog.services import catalog_store

    meta = extraction.meta
    with transaction.atomic():
        catalog_store(
            version=version, extraction=extraction, progress=progress.phase(PACK_UNTIL, 99)
        )
        ModelVersion.objects.filter(pk=version.pk).update(
            status=VersionStatus.READY,
            progress=100,
            error="",
            datapack=pack_name,
            schema=meta.get("schema") or "",
            application=(meta.get("application") or "")[:255],
            element_count=len(extraction.elements),
            metadata=meta,
            statistics=stats,
            ready_at=timezone.now(),
            ingest_seconds=round(time.monotonic() - started, 3),
        )
