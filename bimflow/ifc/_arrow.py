"""Arrow arrays from Python lists and numpy arrays, without importing pandas.

``pyarrow.array()`` imports pandas the first time it sees anything but a numpy array
(to ask whether it is a pandas object): 40 MB of resident memory and 0.2 s that
writing a data pack at ingest does not need. Building the buffers directly avoids it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
import pyarrow as pa


def _validity(valid: np.ndarray) -> tuple[pa.Buffer | None, int]:
    nulls = int(len(valid) - np.count_nonzero(valid))
    if nulls == 0:
        return None, 0
    return pa.py_buffer(np.packbits(valid, bitorder="little")), nulls


def strings(values: Sequence[str | None]) -> pa.Array:
    """A string array; None becomes null."""
    count = len(values)
    valid = np.fromiter((v is not None for v in values), dtype=bool, count=count)
    texts: Sequence[str] = (
        [v if v is not None else "" for v in values]
        if not valid.all()
        else cast(Sequence[str], values)
    )
    joined = "".join(texts)
    data = joined.encode()
    if len(data) == len(joined):  # all ASCII: character lengths are byte lengths
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=count)
    else:
        encoded = [t.encode() for t in texts]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=count)
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    bitmap, nulls = _validity(valid)
    kind = pa.string() if offsets[-1] < 2**31 else pa.large_string()
    offset_type = np.int32 if kind == pa.string() else np.int64
    return pa.Array.from_buffers(
        kind,
        count,
        [bitmap, pa.py_buffer(offsets.astype(offset_type)), pa.py_buffer(data)],
        null_count=nulls,
    )


def numbers(values: np.ndarray, kind: pa.DataType) -> pa.Array:
    """An int64/int32/float64 array from a numpy array of that width (no nulls)."""
    return pa.Array.from_buffers(
        kind, len(values), [None, pa.py_buffer(np.ascontiguousarray(values))]
    )


def booleans(values: Sequence[bool]) -> pa.Array:
    packed = np.packbits(np.fromiter(values, dtype=bool, count=len(values)), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(packed)])


def dictionary(values: Sequence[str | None], rows: np.ndarray) -> pa.DictionaryArray:
    """Row i holds ``values[rows[i]]``, as a dictionary array whose dictionary entries
    are distinct and never null (Parquet cannot write a null inside a dictionary)."""
    codes_of: dict[str, int] = {}
    codes = np.empty(len(values), dtype=np.int32)
    for index, value in enumerate(values):
        if value is None:
            codes[index] = -1
        else:
            code = codes_of.get(value)
            if code is None:
                code = codes_of[value] = len(codes_of)
            codes[index] = code
    row_codes = codes[rows] if len(rows) else np.zeros(0, dtype=np.int32)
    valid = row_codes >= 0
    bitmap, nulls = _validity(valid)
    indices = pa.Array.from_buffers(
        pa.int32(),
        len(row_codes),
        [bitmap, pa.py_buffer(np.where(valid, row_codes, 0).astype(np.int32))],
        null_count=nulls,
    )
    return pa.DictionaryArray.from_arrays(indices, strings(list(codes_of)))
