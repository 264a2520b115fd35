"""Read coordinates (decimal, decimal comma, DMS, "lat, lon", WKT) and check them against the area.

Fast path: a column of plain decimals is cast by pyarrow in one call (exactly rounded).
Only cells that fail it are looked at again: decimal commas (vectorised) and DMS or pairs
(once per distinct value). Nothing is ever swapped or clipped: a bad point rejects its row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from geo.ingest.dms import Axis, DmsError, parse_dms, parse_dms_pair
from geo.ingest.raw import LatLonText, Location, PointNumbers, PointText
from geo.ingest.report import Notice, Problem
from geo.ingest.textcols import (
    TextColumn,
    map_distinct,
    matches,
    missing,
    problems_at,
    quoted,
    take_rows,
    to_floats,
    trimmed,
)

AREA_NAME: Final = "Arica y Parinacota / Tacna"
PLAIN_NUMBER: Final = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(?i:nan|inf|infinity)$"
COMMA_NUMBER: Final = r"^[+-]?\d+,\d+$"
_NUM: Final = r"[+-]?(?:\d+\.?\d*|\.\d+)"
DECIMAL_PAIR: Final = rf"^\(?\s*(?P<lat>{_NUM})\s*(?:[,;]\s*|\s+)(?P<lon>{_NUM})\s*\)?$"
COMMA_PAIR: Final = r"^\(?\s*(?P<lat>[+-]?\d+,\d+)\s*;\s*(?P<lon>[+-]?\d+,\d+)\s*\)?$"
WKT_POINT: Final = (
    rf"(?i)^POINT\s*(?:Z\s*)?\(\s*(?P<lon>{_NUM})\s+(?P<lat>{_NUM})(?:\s+{_NUM})?\s*\)$"
)
AXIS_NAMES: Final = {"lat": "latitude", "lon": "longitude"}

# (rows, "lat" | "lon" | "both") -> (field named in problems, the values as given)
Describe = Callable[[np.ndarray, str], tuple[str, list[str]]]


@dataclass(frozen=True)
class Area:
    """The accepted bounding box (lon/lat): the two regions' bounds grown by a margin."""

    minx: float
    miny: float
    maxx: float
    maxy: float

    @classmethod
    def around(cls, bounds: tuple[float, float, float, float], margin_deg: float) -> Area:
        """Return the bounds grown by margin_deg on every side."""
        minx, miny, maxx, maxy = bounds
        return cls(minx - margin_deg, miny - margin_deg, maxx + margin_deg, maxy + margin_deg)

    def contains(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Return True where (lon, lat) lies inside the box (NaN = False)."""
        return (lon >= self.minx) & (lon <= self.maxx) & (lat >= self.miny) & (lat <= self.maxy)

    def outside_reason(self) -> str:
        """Return the rejection reason for a point outside the box."""
        box = ", ".join(f"{value:.4f}" for value in (self.minx, self.miny, self.maxx, self.maxy))
        return f"outside the {AREA_NAME} area (bbox {box} as lon/lat)"


@dataclass
class Points:
    """Checked points: lon/lat (NaN where rejected), the ok mask, problems and notices."""

    lon: np.ndarray
    lat: np.ndarray
    ok: np.ndarray
    problems: list[Problem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


@dataclass
class Numbers:
    """Numbers read from text (NaN where not read), the reasons of failures, and tallies."""

    values: np.ndarray
    bad_rows: np.ndarray
    reasons: list[str]
    tallies: dict[str, int] = field(default_factory=dict)
    examples: dict[str, str | None] = field(default_factory=dict)


def read_points(location: Location, lines: np.ndarray, area: Area) -> Points:
    """Read the location of every row and check it; each bad row gets a Problem."""
    if isinstance(location, LatLonText):
        return _read_lat_lon(location, lines, area)
    if isinstance(location, PointText):
        return _read_point_text(location, lines, area)
    return _read_point_numbers(location, lines, area)


def _read_lat_lon(location: LatLonText, lines: np.ndarray, area: Area) -> Points:
    lat = read_degrees(location.lat, "lat")
    lon = read_degrees(location.lon, "lon")
    problems = [
        *problems_at(
            lat.bad_rows, lines, location.lat_field, quoted(location.lat, lat.bad_rows), lat.reasons
        ),
        *problems_at(
            lon.bad_rows, lines, location.lon_field, quoted(location.lon, lon.bad_rows), lon.reasons
        ),
    ]
    notices = [*_tally_notices(lat, location.lat_field), *_tally_notices(lon, location.lon_field)]
    lat_read, lon_read = _not_in(len(lines), lat.bad_rows), _not_in(len(lines), lon.bad_rows)
    read = lat_read & lon_read
    checks = _check(lon.values, lat.values, lon_read, lat_read, area)

    def describe(rows: np.ndarray, which: str) -> tuple[str, list[str]]:
        lat_text, lon_text = quoted(location.lat, rows), quoted(location.lon, rows)
        if which == "lat":
            return location.lat_field, lat_text
        if which == "lon":
            return location.lon_field, lon_text
        both = [f"{a}/{b}" for a, b in zip(lat_text, lon_text, strict=True)]
        return f"{location.lat_field}/{location.lon_field}", both

    problems += _check_problems(checks, lines, describe, area)
    return _points(lon.values, lat.values, read, checks, problems, notices)


def _read_point_text(location: PointText, lines: np.ndarray, area: Area) -> Points:
    lat, lon, bad_rows, reasons, tallies = read_pairs(location.cells)
    problems = problems_at(
        bad_rows, lines, location.field, quoted(location.cells, bad_rows), reasons
    )
    notices = _tally_notices(Numbers(lat, bad_rows, reasons, tallies), location.field)
    read = _not_in(len(lines), bad_rows)
    checks = _check(lon, lat, read, read, area)

    def describe(rows: np.ndarray, which: str) -> tuple[str, list[str]]:
        return location.field, quoted(location.cells, rows)

    problems += _check_problems(checks, lines, describe, area)
    return _points(lon, lat, read, checks, problems, notices)


def _read_point_numbers(location: PointNumbers, lines: np.ndarray, area: Area) -> Points:
    read = ~location.reported
    checks = _check(location.lon, location.lat, read, read, area)

    def describe(rows: np.ndarray, which: str) -> tuple[str, list[str]]:
        return location.field, [location.raw[row] for row in rows.tolist()]

    problems = _check_problems(checks, lines, describe, area)
    return _points(location.lon, location.lat, read, checks, problems, [])


def _not_in(size: int, *bad_rows: np.ndarray) -> np.ndarray:
    keep = np.ones(size, dtype=bool)
    for rows in bad_rows:
        keep[rows] = False
    return keep


def _points(
    lon: np.ndarray, lat: np.ndarray, read: np.ndarray, checks: dict[str, np.ndarray],
    problems: list[Problem], notices: list[Notice],
) -> Points:  # fmt: skip
    ok = read.copy()
    for rows in checks.values():
        ok[rows] = False
    return Points(np.where(ok, lon, np.nan), np.where(ok, lat, np.nan), ok, problems, notices)


# --- text to numbers ---------------------------------------------------------------------------


def read_degrees(cells: TextColumn, axis: Axis) -> Numbers:
    """Read one column of decimal degrees (decimal point or comma) or DMS text."""
    if cells.null_count == 0:
        try:  # fast path: plain decimals everywhere
            return Numbers(to_floats(cells), np.array([], dtype="int64"), [])
        except pa.ArrowInvalid:
            pass
    text = trimmed(cells)
    empty = missing(text)
    values = np.full(len(text), np.nan)
    plain = matches(text, PLAIN_NUMBER)
    _fill(values, plain, lambda rows: to_floats(take_rows(text, rows)))
    comma = matches(text, COMMA_NUMBER)
    _fill(
        values, comma, lambda rows: to_floats(pc.replace_substring(take_rows(text, rows), ",", "."))
    )
    rest = np.flatnonzero(~(plain | comma | empty))
    dms_values, dms_reasons = _read_dms(take_rows(text, rest), axis)
    values[rest] = dms_values
    failed = rest[np.isnan(dms_values)]
    bad_rows = np.concatenate([np.flatnonzero(empty), failed])
    reasons = [f"empty: a {AXIS_NAMES[axis]} is required"] * int(empty.sum())
    reasons += [reason for reason in dms_reasons if reason]
    tallies = {"comma": int(comma.sum()), "dms": int(len(rest) - len(failed))}
    examples = {
        "comma": _first(text, comma),
        "dms": _first(text, _not_in(len(text), failed) & ~(plain | comma | empty)),
    }
    return Numbers(values, bad_rows, reasons, tallies, examples)


def _fill(values: np.ndarray, mask: np.ndarray, read: Callable[[np.ndarray], np.ndarray]) -> None:
    rows = np.flatnonzero(mask)
    if rows.size:
        values[rows] = read(rows)


def _read_dms(text: TextColumn, axis: Axis) -> tuple[np.ndarray, list[str]]:
    """Return DMS values (NaN where unreadable) and, per row, the failure reason or ""."""

    def parse(value: str) -> float | str:
        try:
            return parse_dms(value, axis)
        except DmsError as error:
            return str(error)

    codes, results = map_distinct(text, parse)
    values = np.array([r if isinstance(r, float) else np.nan for r in results] + [np.nan])[codes]
    reasons = [results[code] if isinstance(results[code], str) else "" for code in codes.tolist()]
    return values, [str(reason) for reason in reasons]


def read_pairs(
    cells: TextColumn,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], dict[str, int]]:
    """Read a one-column location: "lat, lon", "lat; lon" with decimal commas, WKT or DMS pair.

    Returns (lat, lon, bad_rows, reasons, tallies).
    """
    text = trimmed(cells)
    size = len(text)
    lat, lon = np.full(size, np.nan), np.full(size, np.nan)
    done = missing(text)
    tallies: dict[str, int] = {}
    for name, pattern, comma in (("wkt", WKT_POINT, False), ("pair", DECIMAL_PAIR, False),
                                 ("comma", COMMA_PAIR, True)):  # fmt: skip
        rows = np.flatnonzero(~done & matches(text, pattern))
        if rows.size:
            parts = pc.extract_regex(take_rows(text, rows), pattern)
            lat[rows], lon[rows] = (_part(parts, axis, comma) for axis in ("lat", "lon"))
            done[rows] = True
        tallies[name] = int(rows.size)
    rest = np.flatnonzero(~done)
    rest_lat, rest_lon, rest_reasons = _read_dms_pairs(take_rows(text, rest))
    lat[rest], lon[rest] = rest_lat, rest_lon
    failed = rest[np.isnan(rest_lat)]
    empty = np.flatnonzero(missing(text))
    tallies["dms"] = int(len(rest) - len(failed))
    reasons = ["empty: a location is required"] * len(empty)
    reasons += [reason for reason in rest_reasons if reason]
    return lat, lon, np.concatenate([empty, failed]), reasons, tallies


def _part(parts: pa.ChunkedArray, axis: str, comma: bool) -> np.ndarray:
    text = pc.struct_field(parts, axis)
    return to_floats(pc.replace_substring(text, ",", ".") if comma else text)


def _read_dms_pairs(text: TextColumn) -> tuple[np.ndarray, np.ndarray, list[str]]:
    def parse(value: str) -> tuple[float, float] | str:
        try:
            return parse_dms_pair(value)
        except DmsError:
            return "not 'lat, lon', WKT 'POINT (lon lat)' or a degrees-minutes-seconds pair"

    codes, results = map_distinct(text, parse)
    pairs = np.array(
        [r if isinstance(r, tuple) else (np.nan, np.nan) for r in results] + [(np.nan, np.nan)]
    )
    reasons = [
        str(results[code]) if isinstance(results[code], str) else "" for code in codes.tolist()
    ]
    picked = pairs[codes].reshape(-1, 2)
    return picked[:, 0], picked[:, 1], reasons


def _first(text: TextColumn, mask: np.ndarray) -> str | None:
    """Return the first cell where mask is True (an example for a notice), or None."""
    rows = np.flatnonzero(mask)
    return quoted(text, rows[:1])[0] if rows.size else None


def _tally_notices(numbers: Numbers, field_name: str) -> list[Notice]:
    messages = {
        "comma": "{n} values with a decimal comma read with a decimal point",
        "dms": "{n} values in degrees-minutes-seconds converted to decimal degrees",
        "pair": "{n} values read as 'latitude, longitude' (in that order)",
        "wkt": "{n} values read as WKT 'POINT (longitude latitude)'",
    }
    return [
        Notice(None, field_name, numbers.examples.get(key), messages[key].format(n=count))
        for key, count in numbers.tallies.items()
        if count and key in messages
    ]


# --- checks ------------------------------------------------------------------------------------


def _check(
    lon: np.ndarray, lat: np.ndarray, lon_read: np.ndarray, lat_read: np.ndarray, area: Area
) -> dict[str, np.ndarray]:
    """Return, per failed check, the row positions failing it.

    Each axis is checked on its own (NaN, range) even when the other failed to read; the
    area and swap checks need both.
    """
    lat_number = lat_read & np.isfinite(lat)
    lon_number = lon_read & np.isfinite(lon)
    outside = lat_number & lon_number & ~area.contains(lon, lat)
    swapped = outside & area.contains(lat, lon)
    lat_range = lat_number & ~swapped & (np.abs(lat) > 90)
    lon_range = lon_number & ~swapped & (np.abs(lon) > 180)
    found = {
        "nonfinite_lat": lat_read & ~np.isfinite(lat),
        "nonfinite_lon": lon_read & ~np.isfinite(lon),
        "swapped": swapped,
        "lat_range": lat_range,
        "lon_range": lon_range,
        "outside": outside & ~swapped & ~lat_range & ~lon_range,
    }
    return {name: np.flatnonzero(mask) for name, mask in found.items()}


def _check_problems(
    checks: dict[str, np.ndarray], lines: np.ndarray, describe: Describe, area: Area
) -> list[Problem]:
    which = {"nonfinite_lat": "lat", "nonfinite_lon": "lon", "lat_range": "lat", "lon_range": "lon"}
    problems: list[Problem] = []
    for name, rows in checks.items():
        if not rows.size:
            continue
        field_name, values = describe(rows, which.get(name, "both"))
        problems += problems_at(rows, lines, field_name, values, _reason(name, area))
    return problems


def _reason(check: str, area: Area) -> str:
    if check == "outside":
        return area.outside_reason()
    return {
        "nonfinite_lat": "not a finite number",
        "nonfinite_lon": "not a finite number",
        "swapped": "probable swap of latitude and longitude: swapped, the point would be inside "
        "the area; fix the file (values are never swapped automatically)",
        "lat_range": "latitude out of range (must be between -90 and 90)",
        "lon_range": "longitude out of range (must be between -180 and 180)",
    }[check]
