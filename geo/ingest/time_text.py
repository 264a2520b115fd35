"""Read local date texts that are not ISO 8601: dd/mm/yyyy, Spanish and English month names, MMP.

Every pattern is matched and assembled column-wise (pyarrow regex + numpy), never per row.
Slash dates are day-first (05/03/2026 is 5 March) except in IOM Missing Migrants files,
whose exports write month-first dates, often after a weekday (`Tue, 01/31/2023`); the
weekday, when given, must agree with the date.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.ingest.raw import TimeDialect
from geo.ingest.textcols import TextColumn, as_mask, map_distinct
from geo.schema import fold_text

_TIME: Final = (
    r"(?P<hour>\d{1,2})[:h](?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?"
    r"\s*(?P<ampm>[ap]\.?\s?m\.?)?(?:\s*(?:h|hs|hrs|horas))?"
)
_THEN_TIME: Final = r"(?:(?:\s*,\s*|\s+|T)(?:a\s+las\s+)?" + _TIME + r")?"
DAY_FIRST: Final = (
    r"(?i)^(?P<day>\d{1,2})[/.-](?P<month>\d{1,2})[/.-](?P<year>\d{4})" + _THEN_TIME + "$"
)
YEAR_FIRST: Final = r"(?i)^(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})" + _THEN_TIME + "$"
MMP_MONTH_FIRST: Final = (
    r"(?i)^(?:(?P<weekday>[a-z]{3,9})\.?,?\s+)?(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})"
    + _THEN_TIME
    + "$"
)
NAMED_DAY_FIRST: Final = (
    r"(?i)^(?P<day>\d{1,2})(?:\s+de)?[\s/-]+(?P<month_name>[^\d\s,/-]+)(?:\s+del?)?[\s,/-]+"
    r"(?P<year>\d{4})" + _THEN_TIME + "$"
)
NAMED_MONTH_FIRST: Final = (
    r"(?i)^(?P<month_name>[a-z.]+)\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})" + _THEN_TIME + "$"
)

MONTHS: Final[dict[str, int]] = {
    **{name: number for number, names in enumerate((
        ("enero", "ene", "january", "jan"), ("febrero", "feb", "february"),
        ("marzo", "mar", "march"), ("abril", "abr", "april", "apr"), ("mayo", "may"),
        ("junio", "jun", "june"), ("julio", "jul", "july"),
        ("agosto", "ago", "august", "aug"),
        ("septiembre", "setiembre", "sep", "sept", "set", "september"),
        ("octubre", "oct", "october"), ("noviembre", "nov", "november"),
        ("diciembre", "dic", "december", "dec"),
    ), start=1) for name in names}
}  # fmt: skip
WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


REASONS: Final = {
    1: "unknown month name {month_name!r}",
    2: "not a valid calendar date{how}: {detail}",
    3: "not a valid time of day",
    4: "weekday {weekday!r} does not match the date (read month-first, as MMP writes it)",
}
READ_AS: Final = {  # how a slash date was read, for messages about invalid dates
    "day_first": " read day-first (dd/mm/yyyy)",
    "month_first": " read month-first (mm/dd/yyyy, as MMP writes it)",
    "year_first": " read as yyyy/mm/dd",
}
MONTH_NAMES: Final = ("January", "February", "March", "April", "May", "June", "July",
                      "August", "September", "October", "November", "December")  # fmt: skip
FIRST_YEAR, LAST_YEAR = 1678, 2261  # whole years that nanosecond timestamps hold


@dataclass
class LocalTimes:
    """Naive local times read from text (NaT where unread), and what each row looked like."""

    naive: np.ndarray  # datetime64[ns]
    matched: np.ndarray  # bool: a known pattern matched (even if the date was invalid)
    has_time: np.ndarray  # bool: a time of day was given
    reasons: dict[int, str]  # row -> why a matched cell is still not a valid time
    tallies: dict[str, int]


def patterns_for(dialect: TimeDialect) -> tuple[tuple[str, str], ...]:
    """Return (name, pattern) of the local date patterns tried, in order, for a dialect."""
    slash = ("month_first", MMP_MONTH_FIRST) if dialect == "mmp" else ("day_first", DAY_FIRST)
    return (slash, ("year_first", YEAR_FIRST), ("named", NAMED_DAY_FIRST),
            ("named_month_first", NAMED_MONTH_FIRST))  # fmt: skip


def read_local_texts(text: TextColumn, dialect: TimeDialect) -> LocalTimes:
    """Read every present cell against the local patterns (unmatched cells stay NaT)."""
    size = len(text)
    result = LocalTimes(
        np.full(size, np.datetime64("NaT"), dtype="datetime64[ns]"), np.zeros(size, dtype=bool),
        np.zeros(size, dtype=bool), {}, {},
    )  # fmt: skip
    for name, pattern in patterns_for(dialect):
        rows = np.flatnonzero(~result.matched & as_mask(pc.match_substring_regex(text, pattern)))
        result.tallies[name] = int(rows.size)
        if rows.size:
            parts = pc.extract_regex(text.take(pa.array(rows)), pattern)
            _assemble(name, parts, rows, result)
    return result


def _assemble(name: str, parts: pa.ChunkedArray, rows: np.ndarray, result: LocalTimes) -> None:
    fields = {name: pc.struct_field(parts, name) for name in parts.type.names}
    year, day, month = _ints(fields["year"]), _ints(fields["day"]), _month_numbers(fields)
    hour, minute, second = (_ints(fields[name]) for name in ("hour", "minute", "second"))
    hour, ampm_ok = _apply_ampm(hour, fields["ampm"])
    nanos = _ints(pc.utf8_rpad(fields["fraction"], 9, "0"))
    dates = pd.DataFrame({"year": year, "month": np.where(month == 0, 13, month), "day": day})
    stamps = pd.to_datetime(dates, errors="coerce").to_numpy(dtype="datetime64[ns]")
    clock_ok = ampm_ok & (hour <= 23) & (minute <= 59) & (second <= 59)
    weekday_ok = _weekday_ok(fields, stamps)
    offsets = ((hour * 3600 + minute * 60 + second) * 1_000_000_000 + nanos).astype(
        "timedelta64[ns]"
    )
    codes = np.select([month == 0, np.isnat(stamps), ~clock_ok, ~weekday_ok], [1, 2, 3, 4], 0)
    result.naive[rows] = np.where(codes == 0, stamps + offsets, np.datetime64("NaT"))
    result.matched[rows] = True
    result.has_time[rows] = as_mask(pc.not_equal(fields["hour"], ""))
    for position in np.flatnonzero(codes).tolist():
        values = {key: column[position].as_py() for key, column in fields.items()}
        values["how"] = READ_AS.get(name, "")
        values["detail"] = _date_detail(
            int(year[position]), int(month[position]), int(day[position])
        )
        result.reasons[int(rows[position])] = REASONS[int(codes[position])].format(**values)


def _date_detail(year: int, month: int, day: int) -> str:
    """Return what makes a year/month/day not a date: "month 13", "day 31 (April … 30 days)"."""
    if not 1 <= month <= 12:
        return f"month {month}"
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return f"year {year} (dates from {FIRST_YEAR} to {LAST_YEAR} are accepted)"
    days = calendar.monthrange(year, month)[1]
    return f"day {day} ({MONTH_NAMES[month - 1]} {year} has {days} days)"


def _ints(text: pa.ChunkedArray) -> np.ndarray:
    """Cast digit strings to int64 ("" = 0)."""
    filled = pc.if_else(pc.equal(text, ""), "0", text)
    return np.asarray(pc.cast(filled, pa.int64()).to_numpy(zero_copy_only=False), dtype="int64")


def _month_numbers(fields: dict[str, pa.ChunkedArray]) -> np.ndarray:
    """Return month numbers from digits or names (0 = unknown name)."""
    if "month" in fields:
        return _ints(fields["month"])

    def number(name: str) -> int:
        return MONTHS.get(fold_text(name).rstrip("."), 0)

    codes, numbers = map_distinct(fields["month_name"], number)
    return np.array([*numbers, 0], dtype="int64")[codes]


def _apply_ampm(hour: np.ndarray, ampm: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Return 24-hour clock hours, and False where an am/pm hour is not 1-12."""
    marks = pc.utf8_lower(pc.replace_substring_regex(ampm, r"[.\s]", ""))
    given = as_mask(pc.not_equal(marks, ""))
    pm = as_mask(pc.equal(marks, "pm"))
    hours = np.where(given, hour % 12 + np.where(pm, 12, 0), hour)
    return hours, ~given | ((hour >= 1) & (hour <= 12))


def _weekday_ok(fields: dict[str, pa.ChunkedArray], stamps: np.ndarray) -> np.ndarray:
    """Return False where a weekday is given and is not the weekday of the date."""
    if "weekday" not in fields:
        return np.ones(len(stamps), dtype=bool)
    short = pc.utf8_lower(pc.utf8_slice_codeunits(fields["weekday"], 0, 3))
    given = as_mask(pc.not_equal(short, ""))
    index = pc.fill_null(pc.index_in(short, value_set=pa.array(WEEKDAYS)), -1)
    wanted = np.asarray(index.to_numpy(zero_copy_only=False), dtype="int64")
    actual = pd.DatetimeIndex(stamps).dayofweek.to_numpy()
    return ~given | np.isnat(stamps) | (wanted == actual)
