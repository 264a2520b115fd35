"""Work on pyarrow text columns: trim, match, cast, map distinct values, quote bad cells."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeAlias, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from geo.ingest.report import Problem

T = TypeVar("T")
TextColumn: TypeAlias = pa.ChunkedArray


def text_column(values: Sequence[str | None]) -> TextColumn:
    """Return a text column from Python strings (None = missing)."""
    return pa.chunked_array([pa.array(list(values), type=pa.string())])


def constant_column(value: str | None, size: int) -> TextColumn:
    """Return a text column repeating one value."""
    return pa.chunked_array([pa.array([value] * size, type=pa.string())])


def trimmed(cells: TextColumn) -> TextColumn:
    """Return the cells without surrounding whitespace; blank cells become missing."""
    text = pc.utf8_trim_whitespace(cells)
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def as_mask(flags: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """Return a boolean column as a numpy mask (missing = False)."""
    return np.asarray(pc.fill_null(flags, False).to_numpy(zero_copy_only=False), dtype=bool)


def missing(cells: TextColumn) -> np.ndarray:
    """Return True where a cell is missing."""
    return as_mask(pc.is_null(cells))


def matches(cells: TextColumn, pattern: str) -> np.ndarray:
    """Return True where the whole cell matches the RE2 pattern (missing = False)."""
    return as_mask(pc.match_substring_regex(cells, pattern))


def take_rows(cells: TextColumn, rows: np.ndarray) -> TextColumn:
    """Return the cells at the given row positions."""
    return cells.take(pa.array(rows, type=pa.int64()))


def to_floats(cells: TextColumn) -> np.ndarray:
    """Cast text to float64 (exactly rounded, missing = NaN); raises pa.ArrowInvalid on bad text."""
    numbers = pc.cast(cells, pa.float64())
    return np.asarray(pc.fill_null(numbers, np.nan).to_numpy(zero_copy_only=False), dtype="float64")


def map_distinct(cells: TextColumn, parse: Callable[[str], T]) -> tuple[np.ndarray, list[T]]:
    """Apply `parse` once per distinct present value.

    Returns (codes, results): codes[i] indexes results for row i, -1 where the cell is missing.
    """
    encoded = pc.dictionary_encode(cells).combine_chunks()
    if not isinstance(encoded, pa.DictionaryArray):  # combine_chunks of a chunked dict array
        raise TypeError("expected a dictionary array")
    codes = np.asarray(
        pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False), dtype="int64"
    )
    return codes, [parse(value) for value in encoded.dictionary.to_pylist()]


def quoted(cells: TextColumn, rows: np.ndarray) -> list[str]:
    """Return the cells at `rows` as given (missing = empty string), for messages."""
    return ["" if value is None else value for value in take_rows(cells, rows).to_pylist()]


def problems_at(
    rows: np.ndarray,
    lines: np.ndarray,
    field: str,
    values: Sequence[str],
    reasons: Sequence[str] | str,
) -> list[Problem]:
    """Return one Problem per row position, naming its line, the field, value and reason."""
    reason_list = [reasons] * len(rows) if isinstance(reasons, str) else list(reasons)
    return [
        Problem(int(lines[row]), field, value, reason)
        for row, value, reason in zip(rows.tolist(), values, reason_list, strict=True)
    ]
