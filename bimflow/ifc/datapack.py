"""The version's data pack: one file that scripts read without the database.

An uncompressed ZIP (every member ZIP_STORED) holding ``meta.json`` and three
Parquet tables (zstd inside Parquet): ``elements.parquet``, ``properties.parquet``,
``entities.parquet``. Because members are stored, a reader memory-maps the pack and
hands Parquet the byte range of a member directly: no unzip, no copy. The format
is documented in ``DATAPACK.md`` next to this file; bump ``FORMAT_VERSION`` on any
change a reader could notice.

Reading needs only pandas and pyarrow (this module imports no ifcopenshell), so it
works inside the script sandbox.
"""

from __future__ import annotations

import json
import math
import os
import struct
import zipfile
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bimflow.ifc import _arrow as arrow
from bimflow.ifc._gc import paused_gc

if TYPE_CHECKING:
    import pandas as pd

    from bimflow.ifc.records import ElementRecord, Extraction, PropertyValue

FORMAT = "bimflow-datapack"
FORMAT_VERSION = 1
LIST_SEPARATOR = "; "
TABLES = ("elements", "properties", "entities")
_NAN = math.nan

ELEMENT_COLUMNS = [
    ("step_id", pa.int64()),
    ("guid", pa.string()),
    ("ifc_class", pa.string()),
    ("name", pa.string()),
    ("description", pa.string()),
    ("object_type", pa.string()),
    ("predefined_type", pa.string()),
    ("type_guid", pa.string()),
    ("type_name", pa.string()),
    ("type_class", pa.string()),
    ("storey", pa.string()),
    ("storey_guid", pa.string()),
    ("materials", pa.string()),
    ("systems", pa.string()),
    ("classifications", pa.string()),
    ("has_geometry", pa.bool_()),
]
PROPERTY_COLUMNS = [
    ("step_id", pa.int64()),
    ("guid", pa.string()),
    ("ifc_class", pa.string()),
    ("pset", pa.string()),
    ("name", pa.string()),
    ("value", pa.string()),
    ("number", pa.float64()),
    ("value_type", pa.string()),
    ("unit", pa.string()),
    ("source", pa.string()),
    ("kind", pa.string()),
]
ENTITY_COLUMNS = [("guid", pa.string()), ("ifc_class", pa.string()), ("step_id", pa.int64())]


class DataPackError(Exception):
    """A data pack that cannot be read (missing member, unknown format version)."""


# -- writing -------------------------------------------------------------------------------


def write_datapack(path: str | Path, extraction: Extraction) -> None:
    """Write the data pack of an extraction to ``path``.

    1. Build each table with Arrow and serialise it to Parquet (zstd), one at a time
       so that only one table is in memory. Repeated strings (sets, names, values,
       the element columns of properties) go in as dictionary arrays: property values
       are shared between elements (see PropertyValue), so each distinct value is
       converted once.
    2. Write meta.json and the tables into ``.<name>.<pid>.tmp`` as stored members.
    3. Rename onto ``path``, so a crash never leaves a half-written pack behind.
    """
    from bimflow.ifc.stats import statistics

    target = Path(path)
    builders = {
        "elements": lambda: _elements_table(extraction.elements),
        "properties": lambda: _properties_table(extraction.elements),
        "entities": lambda: _entities_table(extraction.entities),
    }
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tables: dict[str, dict[str, Any]] = {}
    try:
        with (
            paused_gc(),
            _system_allocator(),
            zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_STORED) as archive,
        ):
            for name, build in builders.items():
                table = build()
                tables[name] = {"rows": table.num_rows, "columns": table.column_names}
                sink = pa.BufferOutputStream()
                # store_schema=False: readers see plain string columns, not the
                # dictionary types used to write them.
                pq.write_table(table, sink, compression="zstd", store_schema=False)
                del table
                archive.writestr(f"{name}.parquet", sink.getvalue().to_pybytes())
                del sink
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "meta": extraction.meta,
                "storeys": extraction.storeys,
                "materials": extraction.materials,
                "systems": extraction.systems,
                "statistics": statistics(extraction),
                "tables": tables,
            }
            archive.writestr(
                "meta.json",
                json.dumps(manifest, ensure_ascii=False, indent=1, default=_json_default),
            )
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def _system_allocator() -> Iterator[None]:
    """Let Arrow allocate with the C library's malloc while writing: that reuses the
    memory the IFC model and the extraction's scratch data gave back, where Arrow's
    own allocator (mimalloc) would take fresh memory (measured: 36 MB less peak at
    50,000 products)."""
    previous = pa.default_memory_pool()
    try:
        pa.set_memory_pool(pa.system_memory_pool())
    except (NotImplementedError, pa.ArrowException):
        yield
        return
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


def _elements_table(elements: list[ElementRecord]) -> pa.Table:
    join = LIST_SEPARATOR.join
    arrays = [
        arrow.numbers(
            np.fromiter((e.step_id for e in elements), np.int64, len(elements)), pa.int64()
        ),
        arrow.strings([e.guid for e in elements]),
        arrow.strings([e.ifc_class for e in elements]),
        arrow.strings([e.name for e in elements]),
        arrow.strings([e.description for e in elements]),
        arrow.strings([e.object_type for e in elements]),
        arrow.strings([e.predefined_type for e in elements]),
        arrow.strings([e.type_guid for e in elements]),
        arrow.strings([e.type_name for e in elements]),
        arrow.strings([e.type_class for e in elements]),
        arrow.strings([e.storey for e in elements]),
        arrow.strings([e.storey_guid for e in elements]),
        arrow.strings([join(e.materials) for e in elements]),
        arrow.strings([join(e.systems) for e in elements]),
        arrow.strings([join(e.classifications) for e in elements]),
        arrow.booleans([e.has_geometry for e in elements]),
    ]
    return pa.Table.from_arrays(arrays, names=[name for name, _kind in ELEMENT_COLUMNS])


def _properties_table(elements: list[ElementRecord]) -> pa.Table:
    # Rows point at distinct PropertyValue objects (shared between elements) and at
    # their element, so each column is a dictionary array: indices per row, values
    # converted once per distinct object or element.
    distinct: list[PropertyValue] = []
    position: dict[int, int] = {}
    rows = array("i")
    counts = array("q")
    add_row = rows.append
    for element in elements:
        properties = element.properties
        counts.append(len(properties))
        for prop in properties:
            key = id(prop)
            index = position.get(key)
            if index is None:
                index = position[key] = len(distinct)
                distinct.append(prop)
            add_row(index)
    del position
    value_rows = np.frombuffer(rows, dtype=np.int32) if rows else np.zeros(0, np.int32)
    per_element = np.frombuffer(counts, dtype=np.int64) if counts else np.zeros(0, np.int64)
    element_rows = np.repeat(np.arange(len(elements), dtype=np.int32), per_element)
    texts, numbers = _value_columns(distinct)
    step_ids = np.fromiter((e.step_id for e in elements), np.int64, len(elements))
    arrays = [
        arrow.numbers(step_ids[element_rows], pa.int64()),
        arrow.dictionary([e.guid for e in elements], element_rows),
        arrow.dictionary([e.ifc_class for e in elements], element_rows),
        arrow.dictionary([p.pset for p in distinct], value_rows),
        arrow.dictionary([p.name for p in distinct], value_rows),
        arrow.dictionary(texts, value_rows),
        arrow.numbers(np.array(numbers, dtype=np.float64)[value_rows], pa.float64()),
        arrow.dictionary([p.value_type for p in distinct], value_rows),
        arrow.dictionary([p.unit for p in distinct], value_rows),
        arrow.dictionary([p.source for p in distinct], value_rows),
        arrow.dictionary([p.kind for p in distinct], value_rows),
    ]
    return pa.Table.from_arrays(arrays, names=[name for name, _kind in PROPERTY_COLUMNS])


def _value_columns(values: list[PropertyValue]) -> tuple[list[str | None], list[float]]:
    texts: list[str | None] = []
    numbers: list[float] = []
    text_append = texts.append
    number_append = numbers.append
    for prop in values:
        value = prop.value
        kind = value.__class__
        if kind is str:
            text_append(value)
            number_append(_NAN)
        elif kind is float:
            text_append(repr(value))
            number_append(value)
        elif value is None:
            text_append(None)
            number_append(_NAN)
        elif kind is bool:
            text_append("True" if value else "False")
            number_append(_NAN)
        elif kind is int:
            text_append(str(value))
            number_append(float(value))
        else:
            text_append(value_text(value))
            number_append(_NAN)
    return texts, numbers


def _entities_table(entities: list[tuple[str, str, int]]) -> pa.Table:
    arrays = [
        arrow.strings([e[0] for e in entities]),
        arrow.strings([e[1] for e in entities]),
        arrow.numbers(np.fromiter((e[2] for e in entities), np.int64, len(entities)), pa.int64()),
    ]
    return pa.Table.from_arrays(arrays, names=[name for name, _kind in ENTITY_COLUMNS])


def value_text(value: Any) -> str | None:
    """The text form of a property value as the pack stores it (see DATAPACK.md)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (str, int)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join("" if v is None else str(value_text(v)) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=_json_default)
    return _json_default(value)


def _json_default(value: Any) -> Any:
    # Entity instances inside bounded/table/complex values: wrapped values become
    # their value, entities "IfcClass #id" (the pack must not need ifcopenshell).
    is_entity = getattr(value, "is_entity", None)
    if callable(is_entity):
        if not is_entity():
            return getattr(value, "wrappedValue", str(value))
        return f"{value.is_a()} #{value.id()}"
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


# -- reading -------------------------------------------------------------------------------


class DataPack:
    """A data pack opened for reading; tables load on first access and are cached.

    ``meta`` is the IFC metadata (schema, header, project, units, counts...);
    ``manifest`` the whole meta.json (format version, catalogs, statistics).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            with zipfile.ZipFile(self.path) as archive:
                self._members = {
                    info.filename: _member_range(self.path, info) for info in archive.infolist()
                }
                if "meta.json" not in self._members:
                    raise DataPackError(f"{self.path.name} has no meta.json: not a data pack.")
                self.manifest: dict[str, Any] = json.loads(archive.read("meta.json"))
        except (zipfile.BadZipFile, OSError) as exc:
            raise DataPackError(f"{self.path.name} is not a readable data pack: {exc}") from exc
        version = self.manifest.get("format_version")
        if self.manifest.get("format") != FORMAT or not isinstance(version, int):
            raise DataPackError(f"{self.path.name} is not a bimflow data pack.")
        if version > FORMAT_VERSION:
            raise DataPackError(
                f"{self.path.name} has data pack format {version}; this reader knows up to "
                f"{FORMAT_VERSION}."
            )
        self.format_version: int = version
        self.meta: dict[str, Any] = self.manifest.get("meta", {})

    @property
    def storeys(self) -> list[dict[str, Any]]:
        return list(self.manifest.get("storeys", []))

    @property
    def materials(self) -> list[dict[str, Any]]:
        return list(self.manifest.get("materials", []))

    @property
    def systems(self) -> list[dict[str, Any]]:
        return list(self.manifest.get("systems", []))

    @property
    def statistics(self) -> dict[str, Any]:
        return dict(self.manifest.get("statistics", {}))

    def table(self, name: str, columns: list[str] | None = None) -> pa.Table:
        """One table as a pyarrow Table, optionally only some columns."""
        member = f"{name}.parquet"
        if member not in self._members:
            raise DataPackError(f"{self.path.name} has no table {name!r}.")
        offset, size, stored = self._members[member]
        if stored:
            # Parquet decodes into buffers of its own, so the table outlives the map.
            with pa.memory_map(str(self.path)) as source:
                buffer = source.read_at(size, offset)
                return pq.read_table(pa.BufferReader(buffer), columns=columns)
        with zipfile.ZipFile(self.path) as archive:
            buffer = pa.py_buffer(archive.read(member))
        return pq.read_table(pa.BufferReader(buffer), columns=columns)

    def frame(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        """One table as a pandas DataFrame (strings as pandas' Arrow-backed str dtype)."""
        # pandas is imported here, not at module level: writing a pack (at ingest)
        # does not need it, and it costs ~25 MB of resident memory.
        import pandas  # noqa: F401

        return self.table(name, columns).to_pandas()

    @cached_property
    def elements(self) -> pd.DataFrame:
        return self.frame("elements")

    @cached_property
    def properties(self) -> pd.DataFrame:
        return self.frame("properties")

    @cached_property
    def entities(self) -> pd.DataFrame:
        return self.frame("entities")


def _member_range(path: Path, info: zipfile.ZipInfo) -> tuple[int, int, bool]:
    # The central directory does not give the data offset: the local header's name
    # and extra field lengths can differ from the central copy, so read them.
    with path.open("rb") as handle:
        handle.seek(info.header_offset)
        header = handle.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise DataPackError(f"{path.name} is damaged (bad header for {info.filename}).")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    offset = info.header_offset + 30 + name_length + extra_length
    return offset, info.compress_size, info.compress_type == zipfile.ZIP_STORED


def read_datapack(path: str | Path) -> DataPack:
    """Open a data pack; tables are read lazily on first access."""
    return DataPack(path)
