"""Check and open uploaded IFC files (``.ifc`` and ``.ifczip``).

Two entry points:

- :func:`sniff` looks at the first bytes of a file (and, for an archive, at its
  table of contents) so that an upload can be refused at once with a sentence the
  uploader understands.
- :func:`open_ifc` opens a file for reading with ifcopenshell's lazy mode
  (``ifcopenshell.open(path, lazy=True)``: one indexing pass, attributes parsed on
  first access). Measured on a generated 50,000-product model: opening takes 0.7 s
  instead of 1.7-2.3 s, and once extraction has read every property set the memory
  is the same as after a full open, so the lazy mode is never worse. It also
  catches what ifcopenshell tolerates silently: a file cut short, and parse errors
  that drop instances.

Whether a file is an archive is decided by its extension (``.ifczip`` or
``.zip``, any case); everything else is decided by content, so ``.IFC`` or a
missing extension are fine.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import ifcopenshell
from ifcopenshell import ifcopenshell_wrapper

from bimflow.ifc.errors import IfcReadError

ZIP_SUFFIXES = (".ifczip", ".zip")
SUPPORTED_SCHEMAS = ("IFC2X3", "IFC4", "IFC4X3")
DEFAULT_MAX_UNZIPPED_BYTES = 8 * 1024**3

_HEAD_BYTES = 64 * 1024
_TAIL_BYTES = 4096
_COPY_CHUNK = 1024 * 1024
_STEP_MAGIC = b"ISO-10303-21"
_STEP_END = b"END-ISO-10303-21"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_BOM = b"\xef\xbb\xbf"
_SCHEMA_RE = re.compile(rb"FILE_SCHEMA\s*\(\s*\(\s*'([^']*)'", re.IGNORECASE)
_OFFSET_RE = re.compile(r"at offset (\d+)")
_LOG_ERROR = 4
# ifcopenshell's type stubs do not list the lazy= option of open() yet.
_ifc_open: Any = ifcopenshell.open


def sniff(path: str | Path, *, max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES) -> None:
    """Refuse a file that clearly is not a readable IFC model, reading only a little of it.

    Reads the first 64 KB (for an archive: its table of contents and the first
    64 KB of the IFC member) and the last 4 KB of a plain file. Raises
    :class:`IfcReadError` for an empty file, something that is not STEP (a PDF or
    a Git LFS pointer saved as ``.ifc``), an unsupported schema, a plain file cut
    short, and archives that are damaged, hold no ``.ifc``, contain unsafe paths
    or would unpack beyond ``max_unzipped_bytes``. Returns None when the file
    looks fine; the full parse at ingest may still find problems.
    """
    path = Path(path)
    head = _read_head(path)
    if _is_zip_name(path):
        _check_zip_magic(path, head)
        with _open_zip(path) as archive:
            member = _choose_member(archive, path, max_unzipped_bytes)
            try:
                with archive.open(member) as handle:
                    inner_head = handle.read(_HEAD_BYTES)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
                raise _damaged_zip(path) from exc
        _check_step_head(inner_head, complete=member.file_size <= len(inner_head))
        return
    _check_step_head(head, complete=path.stat().st_size <= len(head))
    _check_step_tail(path)


def open_ifc(
    path: str | Path,
    *,
    work_dir: Path | None = None,
    max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES,
    strict: bool = True,
) -> ifcopenshell.file:
    """Open an ``.ifc`` or ``.ifczip`` file for reading, or raise IfcReadError.

    1. Check the head as :func:`sniff` does.
    2. For an archive, pick the single (or largest) ``.ifc`` member, refuse
       absolute or ``..`` member paths and declared sizes above
       ``max_unzipped_bytes`` (also enforced while unpacking, in case the
       archive lies), and unpack it into ``work_dir`` (kept there, as
       ``<archive stem>.ifc``) or a temporary folder (removed after opening;
       the lazy reader keeps what it needs in memory).
    3. Check that the plain file ends with ``END-ISO-10303-21``.
    4. Open it lazily; with ``strict`` (the default) any parse error that makes
       ifcopenshell drop or mangle instances raises IfcReadError saying where.
    """
    path = Path(path)
    head = _read_head(path)
    if not _is_zip_name(path):
        _check_step_head(head, complete=path.stat().st_size <= len(head))
        _check_step_tail(path)
        return _open_plain(path, strict=strict)

    _check_zip_magic(path, head)
    temp_dir: tempfile.TemporaryDirectory[str] | None = None
    if work_dir is None:
        temp_dir = tempfile.TemporaryDirectory(prefix="bimflow-ifczip-")
        target_dir = Path(temp_dir.name)
    else:
        target_dir = Path(work_dir)
        target_dir.mkdir(parents=True, exist_ok=True)
    try:
        target = target_dir / (_safe_stem(path) + ".ifc")
        with _open_zip(path) as archive:
            member = _choose_member(archive, path, max_unzipped_bytes)
            _unpack(archive, member, target, path, max_unzipped_bytes)
        inner_head = _read_head(target)
        _check_step_head(inner_head, complete=target.stat().st_size <= len(inner_head))
        _check_step_tail(target)
        return _open_plain(target, strict=strict)
    finally:
        if temp_dir is not None:
            temp_dir.cleanup()


def plain_ifc(
    path: str | Path, target_dir: Path, *, max_unzipped_bytes: int = DEFAULT_MAX_UNZIPPED_BYTES
) -> Path:
    """The plain ``.ifc`` of `path`: the file itself, or for an archive its ``.ifc``
    member unpacked (with the same checks as :func:`open_ifc`) into `target_dir` as
    ``<archive stem>.ifc``, reused when already there."""
    path = Path(path)
    if not _is_zip_name(path):
        return path
    target = Path(target_dir) / (_safe_stem(path) + ".ifc")
    if target.exists():
        return target
    Path(target_dir).mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    with _open_zip(path) as archive:
        member = _choose_member(archive, path, max_unzipped_bytes)
        _unpack(archive, member, partial, path, max_unzipped_bytes)
    partial.replace(target)
    return target


def schema_family(identifier: str) -> str | None:
    """Map a FILE_SCHEMA identifier (``IFC4X3_ADD2``) to a supported family, or None."""
    ident = identifier.strip().upper()
    if ident.startswith("IFC2X3"):
        return "IFC2X3"
    if ident.startswith("IFC4X3"):
        return "IFC4X3"
    if ident == "IFC4" or ident.startswith("IFC4_"):
        return "IFC4"
    return None


# -- plain files ---------------------------------------------------------------------


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(_HEAD_BYTES)
    except FileNotFoundError as exc:
        raise IfcReadError("The file could not be found.", code="missing") from exc
    except IsADirectoryError as exc:
        raise IfcReadError("This is a folder, not a file.", code="not_ifc") from exc
    except OSError as exc:
        raise IfcReadError("The file could not be read from disk.", code="io_error") from exc


def _check_step_head(head: bytes, *, complete: bool) -> None:
    text = head[len(_BOM) :] if head.startswith(_BOM) else head
    text = text.lstrip()
    if not text.strip(b"\x00"):
        raise IfcReadError("This file is empty.", code="empty")
    if text.startswith(_ZIP_MAGICS):
        raise IfcReadError(
            "This file is a ZIP archive, not a plain IFC file: give it the .ifczip extension.",
            code="zip_as_ifc",
        )
    if not text.startswith(_STEP_MAGIC):
        if text[:5].lower() == b"<?xml" or text[:4].lower() == b"<ifc":
            raise IfcReadError(
                "This is an ifcXML file, which bimflow does not read: export IFC (STEP) instead.",
                code="ifcxml",
            )
        raise IfcReadError(
            f"This is not an IFC file: it starts with {_quote(text)}.", code="not_ifc"
        )
    match = _SCHEMA_RE.search(text)
    if match is None:
        if complete:
            raise IfcReadError(
                "The IFC file has no FILE_SCHEMA in its header, so its IFC version is unknown.",
                code="no_schema",
            )
        return
    identifier = match.group(1).decode("latin-1").strip()
    if schema_family(identifier) is None:
        raise _unsupported_schema(identifier)


def _check_step_tail(path: Path) -> None:
    size = path.stat().st_size
    with path.open("rb") as handle:
        handle.seek(max(0, size - _TAIL_BYTES))
        tail = handle.read()
    if _STEP_END not in tail:
        raise IfcReadError(
            "The IFC file is truncated: it ends before END-ISO-10303-21.", code="truncated"
        )


def _quote(text: bytes) -> str:
    first_line = text.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    printable = "".join(ch for ch in first_line if ch.isprintable() and ch != "\ufffd").strip()
    if not printable:
        return "unreadable binary data"
    if len(printable) > 48:
        printable = printable[:48].rstrip() + "..."
    return f"'{printable}'"


def _unsupported_schema(identifier: str) -> IfcReadError:
    return IfcReadError(
        f"The schema '{identifier}' is not supported (supported: {', '.join(SUPPORTED_SCHEMAS)}).",
        code="unsupported_schema",
    )


def _open_plain(path: Path, *, strict: bool) -> ifcopenshell.file:
    log = ifcopenshell_wrapper.logger()
    log.output_format(ifcopenshell_wrapper.logger.FMT_INMEMORY)
    try:
        model = _ifc_open(path, format=".ifc", lazy=True, logger=log)
    except ifcopenshell.SchemaError as exc:
        identifier = str(exc).split(":", 1)[-1].strip() or "unknown"
        raise _unsupported_schema(identifier) from exc
    except OSError as exc:
        raise IfcReadError("The file could not be read from disk.", code="io_error") from exc
    except (ifcopenshell.Error, RuntimeError) as exc:
        raise IfcReadError(
            "The IFC file's header is missing or damaged, so it cannot be read.",
            code="bad_header",
        ) from exc
    if schema_family(model.schema) is None:
        raise _unsupported_schema(model.schema)
    if strict:
        errors = [m for m in log.log_messages() if m.severity >= _LOG_ERROR]
        if errors:
            raise _damaged(path, len(errors), errors[0].message)
    return model


def _damaged(path: Path, count: int, first: str) -> IfcReadError:
    where = ""
    match = _OFFSET_RE.search(first)
    if match:
        line, snippet = _line_at(path, int(match.group(1)))
        where = f", the first on line {line:,}"
        if snippet:
            where += f" ({snippet})"
    problems = "1 problem" if count == 1 else f"{count:,} problems"
    return IfcReadError(
        f"The IFC file is damaged: reading it found {problems}{where}.", code="damaged"
    )


def _line_at(path: Path, offset: int) -> tuple[int, str]:
    line = 1
    done = 0
    last_line_start = b""
    with path.open("rb") as handle:
        while done < offset:
            chunk = handle.read(min(_COPY_CHUNK, offset - done))
            if not chunk:
                break
            line += chunk.count(b"\n")
            cut = chunk.rfind(b"\n")
            last_line_start = chunk[cut + 1 :] if cut >= 0 else last_line_start + chunk
            done += len(chunk)
        rest = handle.readline(200)
    text = (last_line_start + rest).split(b"\n", 1)[0][-200:]
    snippet = _quote(text.strip()) if text.strip() else ""
    return line, snippet if snippet != "unreadable binary data" else ""


# -- archives --------------------------------------------------------------------------


def _is_zip_name(path: Path) -> bool:
    return path.suffix.lower() in ZIP_SUFFIXES


def _kind(path: Path) -> str:
    return path.suffix.lower() or ".zip"


def _check_zip_magic(path: Path, head: bytes) -> None:
    if not head:
        raise IfcReadError("This file is empty.", code="empty")
    if not head.startswith(_ZIP_MAGICS):
        stripped = head[len(_BOM) :] if head.startswith(_BOM) else head
        if stripped.lstrip().startswith(_STEP_MAGIC):
            raise IfcReadError(
                f"This {_kind(path)} file is a plain IFC file, not a ZIP archive: "
                "give it the .ifc extension.",
                code="ifc_as_zip",
            )
        raise IfcReadError(
            f"This {_kind(path)} file is not a ZIP archive: it starts with "
            f"{_quote(stripped.lstrip())}.",
            code="not_zip",
        )


def _damaged_zip(path: Path) -> IfcReadError:
    return IfcReadError(
        f"This {_kind(path)} archive is damaged or incomplete and cannot be unpacked.",
        code="bad_zip",
    )


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _damaged_zip(path) from exc


def _is_unsafe(name: str) -> bool:
    normalised = name.replace("\\", "/")
    if normalised.startswith("/") or re.match(r"^[A-Za-z]:", normalised):
        return True
    return ".." in normalised.split("/")


def _choose_member(
    archive: zipfile.ZipFile, path: Path, max_unzipped_bytes: int
) -> zipfile.ZipInfo:
    infos = archive.infolist()
    for info in infos:
        if _is_unsafe(info.filename):
            raise IfcReadError(
                f"This {_kind(path)} archive contains a path that escapes its folder "
                f"('{info.filename}') and was rejected.",
                code="zip_unsafe_path",
            )
    candidates = [
        info
        for info in infos
        if not info.is_dir()
        and info.filename.lower().endswith(".ifc")
        and not info.filename.replace("\\", "/").split("/")[-1].startswith("._")
        and not info.filename.startswith("__MACOSX/")
    ]
    if not candidates:
        if any(info.filename.lower().endswith(".ifcxml") for info in infos):
            raise IfcReadError(
                f"This {_kind(path)} archive holds only ifcXML, which bimflow does not read.",
                code="ifcxml",
            )
        raise IfcReadError(f"This {_kind(path)} archive holds no .ifc file.", code="zip_no_ifc")
    member = max(candidates, key=lambda info: (info.file_size, info.filename))
    if member.flag_bits & 0x1:
        raise IfcReadError(
            f"This {_kind(path)} archive is password-protected, so it cannot be read.",
            code="zip_encrypted",
        )
    if member.file_size > max_unzipped_bytes:
        raise _too_big(path, member.file_size, max_unzipped_bytes)
    return member


def _too_big(path: Path, size: int, limit: int) -> IfcReadError:
    return IfcReadError(
        f"This {_kind(path)} archive unpacks to {_human(size)}, more than the limit "
        f"of {_human(limit)}.",
        code="zip_too_big",
    )


def _human(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:,.0f} {unit}" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1024
    return f"{value:,.1f} GB"


def _unpack(
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    target: Path,
    path: Path,
    max_unzipped_bytes: int,
) -> None:
    # The declared size was checked already; count what actually comes out too, since
    # a crafted archive can declare a small size and inflate to much more.
    written = 0
    try:
        with archive.open(member) as source, target.open("wb") as sink:
            while True:
                chunk = source.read(_COPY_CHUNK)
                if not chunk:
                    break
                written += len(chunk)
                if written > max_unzipped_bytes:
                    raise _too_big(path, written, max_unzipped_bytes)
                if written > member.file_size:
                    raise _damaged_zip(path)
                sink.write(chunk)
    except IfcReadError:
        target.unlink(missing_ok=True)
        raise
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as exc:
        target.unlink(missing_ok=True)
        raise _damaged_zip(path) from exc


def _safe_stem(path: Path) -> str:
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", path.stem).strip(" .") or "model"
    return stem[:100]


__all__ = [
    "DEFAULT_MAX_UNZIPPED_BYTES",
    "SUPPORTED_SCHEMAS",
    "open_ifc",
    "plain_ifc",
    "schema_family",
    "sniff",
]
