"""kombu's filesystem transport (the embedded default broker) with atomic messages.

kombu 5.x writes a message by opening ``<name>.msg`` and then writing it, under an
advisory lock the reader does not take; a worker polling the folder can move and read
the file in between, find it empty, and die with "Unrecoverable error: JSONDecodeError"
(seen in our tests about once in a few hundred messages). Here a message is written
under a name the reader ignores and renamed into place, which is atomic; and a
message that still cannot be decoded (written by another producer) is logged and
skipped instead of stopping the worker.
"""

from __future__ import annotations

import logging
import os
import uuid
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

log = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        # The reader takes only names whose part after the first dot is
        # "<queue>.msg": a leading dot and a ".tmp" suffix keep this one out of sight.
        temporary = os.path.join(self.data_folder_out, f".{name}.tmp")
        try:
            with open(temporary, "wb", buffering=0) as fh:
                fh.write(str_to_bytes(dumps(payload)))
            os.replace(temporary, final)
        except OSError as exc:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue):
        try:
            return super()._get(queue)
        except ValueError:
            log.error("Skipped a broker message of queue %r that was not valid JSON", queue)
            raise Empty() from None


class Transport(filesystem.Transport):
    Channel = Channel
