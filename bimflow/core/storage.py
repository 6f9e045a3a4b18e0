"""A file-system storage whose files appear whole or not at all.

Django's FileSystemStorage writes a file that is not already on disk (an upload copied
from a stream, a result file, a data pack) chunk by chunk under its final name: a
process killed half-way leaves a half file under a name that the next steps trust.
Here the bytes go to a hidden temporary name in the same folder, are flushed to disk,
and are then linked to the final name in one step (a hard link, so an existing file is
never replaced). S3-compatible storages need nothing of the kind: an object becomes
visible only when its upload completed.
"""

from __future__ import annotations

import errno
import os
import uuid

from django.core.files.move import file_move_safe
from django.core.files.storage import FileSystemStorage

CHUNK = 4 * 1024 * 1024


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        temporary = os.path.join(
            directory, f".{os.path.basename(full_path)}.{uuid.uuid4().hex[:12]}.part"
        )
        try:
            if hasattr(content, "temporary_file_path"):
                file_move_safe(content.temporary_file_path(), temporary)
            else:
                with open(temporary, "wb") as out:
                    for chunk in content.chunks(CHUNK):
                        out.write(chunk)
                    out.flush()
                    os.fsync(out.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
            while True:
                try:
                    os.link(temporary, full_path)
                    break
                except FileExistsError:
                    # Taken since the name was chosen (another process, same name).
                    name = self.get_available_name(name)
                    full_path = self.path(name)
                except OSError as exc:
                    if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                        raise
                    # A shared volume without hard links: a rename is atomic too.
                    os.replace(temporary, full_path)
                    break
        finally:
            try:
                os.unlink(temporary)
            except FileNotFoundError:
                pass
        return str(name).replace("\\", "/")
