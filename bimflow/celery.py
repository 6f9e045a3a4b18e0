"""The Celery app shared by the worker, beat and the web (which only sends tasks)."""

from __future__ import annotations

import os
import uuid

from celery import Celery
from kombu.transport import filesystem
from kombu.utils.json import dumps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bimflow.settings")

app = Celery("bimflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class _AtomicFilesystemChannel(filesystem.Channel):
    """kombu's filesystem channel creates a message file and then writes it; a worker
    polling the folder can take the file in between, read nothing and lose the task
    (a JSONDecodeError in the worker's log, a version left `uploaded`), as seen when
    several uploads queue their ingest at once. Written under a name that consumers
    skip, then renamed into place (atomic within one filesystem)."""

    def _put(self, queue, payload, **kwargs):
        stamp = int(round(filesystem.monotonic() * 1000))
        final = os.path.join(self.data_folder_out, f"{stamp}_{uuid.uuid4()}.{queue}.msg")
        partial = f"{final}.part"
        try:
            with open(partial, "wb") as fh:
                fh.write(dumps(payload).encode())
            os.replace(partial, final)
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add file {final!r} to directory") from exc


class AtomicFilesystemTransport(filesystem.Transport):
    Channel = _AtomicFilesystemChannel


if str(app.conf.broker_url or "").startswith("filesystem://"):
    app.conf.broker_transport = f"{__name__}:AtomicFilesystemTransport"
