"""Read incident times into UTC: ISO 8601 with an offset as given, local times by the place's zone.

Fast path: a column of ISO 8601 times with offsets (`Z`, `-03:00`) is cast by pyarrow in one
call. Otherwise ISO times without an offset, dd/mm/yyyy and month-name dates are read
column-wise and localised in the zone of their side of the border (America/Santiago,
America/Lima). A local time that does not exist or happens twice (a DST change) is rejected.
A bare date (no time of day: ACLED, IOM, "2026-03-05", "05/03/2026") is placed at 12:00 local
time of its side, so that its calendar day reads the same in America/Santiago, America/Lima
and UTC (noon local is 15:00-17:00 UTC); a notice counts them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.ingest.raw import TimeDialect
from geo.ingest.report import Notice, Problem
from geo.ingest.textcols import TextColumn, matches, missing, quoted, take_rows, trimmed
from geo.ingest.time_text import read_local_texts
from geo.schema import ZONE_BY_SIDE

AWARE_ISO: Final = (
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}(:\d{2}(:\d{2}([.,]\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)$"
)
NAIVE_ISO: Final = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}(:\d{2}(:\d{2}([.,]\d{1,9})?)?)?)?$"
DATE_ONLY_ISO: Final = r"^\d{4}-\d{2}-\d{2}$"
ISO_LOOSE: Final = r"^(\d{4}-\d{2}-\d{2})t(\d{2}:\d{2})(.*)$"
ISO_UTC_WORD: Final = r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?:z|UTC|GMT)$"
ISO_FRACTION_COMMA: Final = r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}),(\d)"
NAT: Final = np.datetime64("NaT", "ns")
DATE_ONLY_AT: Final = np.timedelta64(12, "h")  # local time of day given to bare dates
SIDE_BY_ZONE: Final = {zone: side for side, zone in ZONE_BY_SIDE.items()}
SIDE_NAMES: Final = {"CL": "Chilean side", "PE": "Peruvian side"}

# row positions -> IANA zone name of each row's place (None where the place is unusable)
ZoneOf = Callable[[np.ndarray], np.ndarray]


@dataclass
class Times:
    """UTC instants (datetime64[ns], NaT where rejected), problems and notices."""

    utc: np.ndarray
    problems: list[Problem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


@dataclass
class _Column:
    """One time column being read: its text, where it came from, and the reasons so far."""

    text: TextColumn  # trimmed, ISO spellings normalised
    raw: TextColumn  # as given, for messages
    lines: np.ndarray
    field_name: str
    dialect_hint: TimeDialect
    reasons: dict[int, str] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)

    def problems(self) -> list[Problem]:
        rows = np.array(sorted(self.reasons), dtype="int64")
        values = quoted(self.raw, rows)
        return [
            Problem(int(self.lines[row]), self.field_name, value, self.reasons[row])
            for row, value in zip(rows.tolist(), values, strict=True)
        ]


def read_times(
    cells: TextColumn, lines: np.ndarray, field_name: str, dialect: TimeDialect, zone_of: ZoneOf
) -> Times:
    """Return the UTC time of every row; each unreadable or unplaceable time is a Problem."""
    if cells.null_count == 0:
        fast = _cast_iso(cells, aware=True, strict=True)
        if fast is not None:  # fast path: ISO 8601 with an offset everywhere
            return Times(fast)
    column = _Column(_normalised_iso(trimmed(cells)), cells, lines, field_name, dialect)
    empty = missing(column.text)
    for row in np.flatnonzero(empty).tolist():
        column.reasons[row] = "empty: a date (and time) is required"
    utc = _read_aware(column)
    naive, has_time = _read_naive(column, done=empty | ~np.isnat(utc) | _has_reason(column))
    rows = np.flatnonzero(~np.isnat(naive))
    local_utc = _localise(column, naive, has_time, rows, zone_of(rows))
    utc[rows] = local_utc[rows]
    return Times(utc, column.problems(), column.notices)


def _normalised_iso(text: TextColumn) -> TextColumn:
    """Rewrite ISO 8601 spellings pyarrow refuses: lower-case t/z, " UTC", decimal comma."""
    text = pc.replace_substring_regex(text, ISO_LOOSE, r"\1T\2\3")
    text = pc.replace_substring_regex(text, ISO_UTC_WORD, r"\1Z")
    return pc.replace_substring_regex(text, ISO_FRACTION_COMMA, r"\1.\2")


def _has_reason(column: _Column) -> np.ndarray:
    flags = np.zeros(len(column.text), dtype=bool)
    flags[list(column.reasons)] = True
    return flags


def _cast_iso(text: TextColumn, *, aware: bool, strict: bool = False) -> np.ndarray | None:
    """Cast ISO 8601 text to datetime64[ns] (UTC when aware); NaT where pandas cannot read it.

    With strict=True return None instead of reading any value with pandas.
    """
    target = pa.timestamp("ns", tz="UTC") if aware else pa.timestamp("ns")
    try:
        return np.asarray(pc.cast(text, target).to_numpy(), dtype="datetime64[ns]")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        if strict:
            return None
    parsed = pd.to_datetime(
        pd.Series(text.to_pylist(), dtype=object), format="ISO8601", utc=aware, errors="coerce"
    )
    if aware:
        parsed = parsed.dt.tz_localize(None)
    return np.asarray(parsed.to_numpy(dtype="datetime64[ns]"), dtype="datetime64[ns]")


def _read_aware(column: _Column) -> np.ndarray:
    utc = np.full(len(column.text), NAT)
    rows = np.flatnonzero(matches(column.text, AWARE_ISO))
    if rows.size:
        utc[rows] = _cast_iso(take_rows(column.text, rows), aware=True)
        _mark_invalid(column, rows[np.isnat(utc[rows])], "not a valid date and time")
    return utc


def _read_naive(column: _Column, done: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Read ISO times without offset and local patterns; return naive times and has-time flags."""
    naive = np.full(len(column.text), NAT)
    has_time = np.zeros(len(column.text), dtype=bool)
    iso = np.flatnonzero(~done & matches(column.text, NAIVE_ISO))
    if iso.size:
        naive[iso] = _cast_iso(take_rows(column.text, iso), aware=False)
        has_time[iso] = ~matches(take_rows(column.text, iso), DATE_ONLY_ISO)
        _mark_invalid(column, iso[np.isnat(naive[iso])], "not a valid date and time")
    done = done.copy()
    done[iso] = True
    rest = np.flatnonzero(~done)
    local = read_local_texts(take_rows(column.text, rest), column.dialect_hint)
    naive[rest], has_time[rest] = local.naive, local.has_time
    for position, reason in local.reasons.items():
        column.reasons[int(rest[position])] = reason
    _mark_invalid(column, rest[~local.matched], _unknown_format_reason(column.dialect_hint))
    column.notices += _pattern_notices(column.field_name, local.tallies)
    return naive, has_time


def _mark_invalid(column: _Column, rows: np.ndarray, reason: str) -> None:
    for row in rows.tolist():
        column.reasons.setdefault(row, reason)


def _unknown_format_reason(dialect: TimeDialect) -> str:
    slash = "mm/dd/yyyy (MMP)" if dialect == "mmp" else "dd/mm/yyyy [hh:mm]"
    return (
        "not a date this reader knows: use ISO 8601 (2026-03-05T14:00:00-03:00), "
        f"{slash}, or a month name (5 de marzo de 2026, 16 May 2025)"
    )


def _pattern_notices(field_name: str, tallies: dict[str, int]) -> list[Notice]:
    messages = {
        "day_first": "{n} dates read day-first (dd/mm/yyyy: 05/03/2026 is 5 March)",
        "month_first": "{n} dates read month-first (mm/dd/yyyy), as IOM Missing Migrants exports "
        "write them",
    }
    return [
        Notice(None, field_name, None, messages[key].format(n=count))
        for key, count in tallies.items()
        if count and key in messages
    ]


# --- local times to UTC -------------------------------------------------------------------------


def _localise(
    column: _Column, naive: np.ndarray, has_time: np.ndarray, rows: np.ndarray, zones: np.ndarray
) -> np.ndarray:
    """Return UTC instants for `rows` read in their zone (others NaT); DST gaps become problems.

    Bare dates are placed at 12:00 local time (DATE_ONLY_AT).
    """
    utc = np.full(len(naive), NAT)
    local = np.where(has_time, naive, naive + DATE_ONLY_AT)
    counts: dict[str, int] = {}
    bare_dates = 0
    for zone in sorted({z for z in zones.tolist() if z is not None}):
        selected = rows[zones == zone]
        utc[selected] = _localise_zone(column, local, selected, zone)
        counts[zone] = int(selected.size)
        bare_dates += int((~has_time[selected]).sum())
    column.notices += _zone_notices(column.field_name, counts, bare_dates)
    return utc


def _localise_zone(column: _Column, naive: np.ndarray, rows: np.ndarray, zone: str) -> np.ndarray:
    local = pd.DatetimeIndex(naive[rows])
    strict = local.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    failed = np.asarray(strict.isna())
    if failed.any():
        forward = local.tz_localize(zone, ambiguous="NaT", nonexistent="shift_forward")
        ambiguous = failed & np.asarray(forward.isna())
        for position in np.flatnonzero(failed).tolist():
            row = int(rows[position])
            column.reasons[row] = _dst_reason(local[position], zone, bool(ambiguous[position]))
    return _as_utc(strict)


def _as_utc(times: pd.DatetimeIndex) -> np.ndarray:
    return np.asarray(times.tz_convert("UTC").tz_localize(None).to_numpy(), dtype="datetime64[ns]")


def _dst_reason(local: pd.Timestamp, zone: str, ambiguous: bool) -> str:
    when = local.strftime("%Y-%m-%d %H:%M")
    if ambiguous:
        return (
            f"local time {when} happens twice in {zone} (clocks go back that night): "
            "add a UTC offset to say which"
        )
    return (
        f"local time {when} does not exist in {zone} (clocks jump forward that night): "
        "add a UTC offset"
    )


def _zone_notices(field_name: str, counts: dict[str, int], bare_dates: int) -> list[Notice]:
    notices = []
    if counts:
        parts = ", ".join(
            f"{count} in {zone} ({SIDE_NAMES.get(SIDE_BY_ZONE.get(zone, ''), 'local zone')})"
            for zone, count in counts.items()
        )
        total = sum(counts.values())
        message = (
            f"{total} times had no UTC offset and were read as local time of their place: {parts}"
        )
        notices.append(Notice(None, field_name, None, message))
    if bare_dates:
        message = (
            f"{bare_dates} values are dates without a time of day: placed at 12:00 local time "
            "so the day reads the same in every display zone"
        )
        notices.append(Notice(None, field_name, None, message))
    return notices
