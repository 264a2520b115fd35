"""Give every incident an id (as given, or a stable hash of its fields) and reject duplicates."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd

from geo.ingest.report import Problem

HASH_LENGTH: Final = 16  # hex characters of sha1 kept
HASH_SEPARATOR: Final = "\x1f"  # ASCII unit separator: never inside a field
MAX_LINES_LISTED: Final = 10


def stable_id(fields: Sequence[str]) -> str:
    """Return the first 16 hex characters of sha1 over the fields joined by U+001F."""
    return hashlib.sha1(HASH_SEPARATOR.join(fields).encode("utf-8")).hexdigest()[:HASH_LENGTH]


def hash_fields(columns: Sequence[Sequence[str]], rows: np.ndarray) -> list[str]:
    """Return stable ids for `rows` from canonical text columns (same order for every format)."""
    return [stable_id([column[row] for column in columns]) for row in rows.tolist()]


def canonical_texts(
    utc: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    texts: Sequence[np.ndarray | pd.api.extensions.ExtensionArray],
    rows: np.ndarray,
) -> list[list[str]]:
    """Return, for `rows` only, the canonical text of each hashed field, column by column.

    Times as ISO 8601 UTC, coordinates as Python's shortest round-trip repr, lists joined
    by ";", missing values as "" — so the same report hashes the same from CSV or GeoJSON.
    """
    times = np.datetime_as_string(utc[rows], unit="ns").tolist()
    columns = [times, [repr(float(x)) for x in lon[rows]], [repr(float(y)) for y in lat[rows]]]
    for values in texts:
        picked = np.asarray(values[rows], dtype=object)
        columns.append([_text(value) for value in picked.tolist()])
    return columns


def _text(value: object) -> str:
    if isinstance(value, list):
        return ";".join(value)
    if value is None or value is pd.NA:
        return ""
    return str(value)


def duplicate_problems(
    ids: np.ndarray, lines: np.ndarray, field: str, hashed: np.ndarray
) -> list[Problem]:
    """Return a Problem for every row whose id appears more than once, naming the other lines.

    `ids` is an object array (None = no id); `hashed` marks ids made by stable_id.
    """
    series = pd.Series(ids, dtype=object)
    repeated = series.duplicated(keep=False).to_numpy() & series.notna().to_numpy()
    if not repeated.any():
        return []
    rows = np.flatnonzero(repeated)
    groups = pd.Series(rows).groupby(series.iloc[rows].to_numpy()).agg(list)
    problems = []
    for positions in groups.tolist():
        for row in positions:
            others = [int(lines[other]) for other in positions if other != row]
            problems.append(
                Problem(int(lines[row]), field, str(ids[row]), _reason(others, bool(hashed[row])))
            )
    return problems


def _reason(other_lines: list[int], hashed: bool) -> str:
    shown = ", ".join(map(str, other_lines[:MAX_LINES_LISTED]))
    more = (
        f" and {len(other_lines) - MAX_LINES_LISTED} more"
        if len(other_lines) > MAX_LINES_LISTED
        else ""
    )
    plural = "s" if len(other_lines) > 1 else ""
    if hashed:
        return (
            f"duplicate row: the same fields (same generated id) also on line{plural} {shown}{more}"
        )
    return f"duplicate incident_id: also on line{plural} {shown}{more}"
