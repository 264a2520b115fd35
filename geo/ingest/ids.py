"""Give every incident an id (as given, or a stable hash of its fields) and reject duplicates.

A generated id is the first 16 hex characters of the SHA-1 of the row's canonical text: its
fields joined by U+001F, in this order: occurred_at as ISO 8601 UTC with nanoseconds
(`2026-03-05T14:00:00.000000000`), longitude and latitude as Python's shortest round-trip
repr (`-70.315`, `-70.0`), then category, crossing, people_count, nationalities (codes
joined by ";"), source, source_url and description, missing values as "". The same report
therefore gets the same id from CSV or GeoJSON, from one import to the next. The canonical
text is built column-wise (numpy and pyarrow); only the SHA-1 runs once per row.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from typing import Final, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.ingest.report import Problem

HASH_LENGTH: Final = 16  # hex characters of sha1 kept
HASH_SEPARATOR: Final = "\x1f"  # ASCII unit separator: never inside a field
MAX_LINES_LISTED: Final = 10
NS_PER_DAY: Final = 86_400 * 10**9
# (first character, digits, nanoseconds per unit) of HH:MM:SS.fffffffff after the date
CLOCK_FIELDS: Final = ((11, 2, 3_600 * 10**9), (14, 2, 60 * 10**9), (17, 2, 10**9), (20, 9, 1))
ISO_WIDTH: Final = 29  # len("2026-03-05T14:00:00.000000000")
REPR_SAFE: Final = (1e-4, 1e9)  # magnitudes where pyarrow writes as repr() does

Column: TypeAlias = np.ndarray | pd.api.extensions.ExtensionArray | pa.Array | pa.ChunkedArray


def stable_id(fields: Sequence[str]) -> str:
    """Return the first 16 hex characters of sha1 over the fields joined by U+001F."""
    return hashlib.sha1(HASH_SEPARATOR.join(fields).encode("utf-8")).hexdigest()[:HASH_LENGTH]


def stable_ids(
    utc: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    texts: Sequence[Column],
) -> list[str]:
    """Return stable_id of every row's canonical text (see the module docstring).

    `utc` is datetime64[ns] (no NaT), `lon`/`lat` finite floats, `texts` the other fields in
    order: pyarrow text columns, object arrays (str, list of str or None), or nullable
    integer or string arrays.
    """
    columns = [_iso_times(utc), _float_texts(lon), _float_texts(lat)]
    columns += [_text_column(values) for values in texts]
    joined = pc.binary_join_element_wise(*columns, HASH_SEPARATOR)
    return _sha1_prefixes(joined)


def _iso_times(utc: np.ndarray) -> pa.Array:
    """Return `YYYY-MM-DDTHH:MM:SS.fffffffff` per instant, assembled as ASCII digits in numpy.

    Same text as np.datetime_as_string(utc, unit="ns") (years 1678-2262 all have 4 digits).
    """
    nanos = utc.astype("datetime64[ns]").astype("int64")
    days, clock = np.divmod(nanos, NS_PER_DAY)
    distinct_days, which = np.unique(days, return_inverse=True)
    day_texts = np.datetime_as_string(distinct_days.astype("datetime64[D]")).astype("S10")
    text = np.empty((len(nanos), ISO_WIDTH), dtype=np.uint8)
    text[:, :10] = np.frombuffer(day_texts.tobytes(), dtype=np.uint8).reshape(-1, 10)[which]
    text[:, [10, 13, 16, 19]] = np.frombuffer(b"T::.", dtype=np.uint8)
    for start, digits, unit in CLOCK_FIELDS:
        value = clock // unit
        clock = clock - value * unit
        for place in range(digits):
            text[:, start + place] = value // 10 ** (digits - 1 - place) % 10 + ord("0")
    offsets = np.arange(0, ISO_WIDTH * (len(nanos) + 1), ISO_WIDTH, dtype=np.int64)
    return pa.LargeStringArray.from_buffers(
        len(nanos), pa.py_buffer(offsets), pa.py_buffer(text.tobytes())
    ).cast(pa.string())


def _float_texts(values: np.ndarray) -> pa.Array:
    """Return repr(float(x)) per value: pyarrow's shortest round-trip text, "-70" as "-70.0".

    Values whose repr has an exponent (never a coordinate inside the area) use repr itself.
    """
    text = pc.cast(pa.array(values, type=pa.float64()), pa.string())
    magnitude = np.abs(values)
    integral = np.flatnonzero((values == np.round(values)) & (magnitude < REPR_SAFE[1]))
    exponent = (magnitude < REPR_SAFE[0]) | (magnitude >= REPR_SAFE[1])
    odd = np.flatnonzero((magnitude != 0) & exponent)
    rows = np.union1d(integral, odd)
    if not rows.size:
        return text
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    replacements = pa.array([repr(float(x)) for x in values[rows]], type=pa.string())
    return pc.replace_with_mask(text, pa.array(mask), replacements)


def _text_column(values: Column) -> pa.Array | pa.ChunkedArray:
    """Return one field as text ("" when missing); lists joined by ";"."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        array = values
    elif isinstance(values, pd.api.extensions.ExtensionArray):
        array = pa.array(values)
    else:
        objects = np.asarray(values, dtype=object)
        if any(isinstance(value, list) for value in objects[:1].tolist()):
            objects = np.array([";".join(value) for value in objects.tolist()], dtype=object)
        array = pa.array(objects, type=pa.string(), from_pandas=True)
    if not pa.types.is_string(array.type):
        array = pc.cast(array, pa.string())
    return pc.fill_null(array, "")


def _sha1_prefixes(joined: pa.Array | pa.ChunkedArray) -> list[str]:
    """Return the first HASH_LENGTH hex characters of sha1 of each UTF-8 string."""
    if isinstance(joined, pa.ChunkedArray):
        joined = joined.combine_chunks()
    joined = joined.cast(pa.large_string())
    _, offsets_buffer, data_buffer = joined.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[
        joined.offset : joined.offset + len(joined) + 1
    ].tolist()
    data = memoryview(data_buffer) if data_buffer is not None else memoryview(b"")
    sha1 = hashlib.sha1
    return [
        sha1(data[start:end]).hexdigest()[:HASH_LENGTH]
        for start, end in itertools.pairwise(offsets)
    ]


def duplicate_problems(
    ids: np.ndarray, lines: np.ndarray, field: str, hashed: np.ndarray
) -> list[Problem]:
    """Return a Problem for every row whose id appears more than once, naming the other lines.

    `ids` is an object array (None = no id); `hashed` marks ids made by stable_id. Each
    reason lists at most MAX_LINES_LISTED other lines and "and N more"; the texts are built
    once per group (a few per group), so 20,000 copies of one id cost 20,000 problems only.
    """
    series = pd.Series(ids, dtype=object)
    repeated = series.duplicated(keep=False).to_numpy() & series.notna().to_numpy()
    if not repeated.any():
        return []
    rows = np.flatnonzero(repeated)
    group, _ = pd.factorize(series.iloc[rows])
    order = np.lexsort((lines[rows], group))
    rows, group = rows[order], group[order]
    bounds = np.flatnonzero(np.diff(group)) + 1
    problems = []
    for members in np.split(rows, bounds):
        problems += _group_problems(members, lines, field, ids, hashed)
    return problems


def _group_problems(
    members: np.ndarray, lines: np.ndarray, field: str, ids: np.ndarray, hashed: np.ndarray
) -> list[Problem]:
    """Return the problems of one group of rows sharing an id (members sorted by line)."""
    member_lines = lines[members].tolist()
    shown = member_lines[: MAX_LINES_LISTED + 1]
    others = len(member_lines) - 1
    generated = bool(hashed[members[0]])
    tail = _reason(shown[:MAX_LINES_LISTED], others, generated)  # for rows past the shown ones
    problems = []
    for position, (row, line) in enumerate(zip(members.tolist(), member_lines, strict=True)):
        if position <= MAX_LINES_LISTED:
            listed = [other for other in shown if other != line][:MAX_LINES_LISTED]
            reason = _reason(listed, others, generated)
        else:
            reason = tail
        problems.append(Problem(int(line), field, str(ids[row]), reason))
    return problems


def _reason(listed: list[int], others: int, hashed: bool) -> str:
    shown = ", ".join(map(str, listed))
    more = f" and {others - len(listed)} more" if others > len(listed) else ""
    plural = "s" if others > 1 else ""
    if hashed:
        what = "duplicate row: the same fields (same generated id)"
        return f"{what} also on line{plural} {shown}{more}"
    return f"duplicate incident_id: also on line{plural} {shown}{more}"
