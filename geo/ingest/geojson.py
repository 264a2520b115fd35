"""Read a GeoJSON FeatureCollection of Point incidents, keeping the line where each feature starts.

Every problem names the physical line on which its feature's `{` stands (1 for every feature
of a one-line, minified file) and the feature's 1-based number in the features array, which
tells apart features sharing a line. Rows are keyed by feature number while reading.
Entries that are not Features are rejected whole.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, overload

import numpy as np

from geo.ingest.columns import COLUMN_ALIASES, HeaderIndex
from geo.ingest.detect import DecodedText
from geo.ingest.geojson_scan import scan_feature_collection
from geo.ingest.raw import PointNumbers, RawIncidents
from geo.ingest.report import IngestError, Notice, Problem
from geo.ingest.textcols import text_column

WGS84_CRS_NAMES: Final = frozenset(
    {"urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:ogc::crs84", "epsg:4326",
     "urn:ogc:def:crs:epsg::4326", "http://www.opengis.net/def/crs/epsg/0/4326", "crs84"}
)  # fmt: skip
PROPERTY_FIELDS: Final = {
    field: aliases
    for field, aliases in COLUMN_ALIASES.items()
    if field not in ("lat", "lon", "coordinates")
}
REQUIRED_PROPERTIES: Final = ("occurred_at", "category")


@dataclass
class _Features:
    """Feature rows gathered one by one: feature numbers, coordinates, property texts, problems."""

    numbers: list[int] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    raw_coordinates: list[Any] = field(default_factory=list)
    reported: list[bool] = field(default_factory=list)
    cells: dict[str, list[str | None]] = field(default_factory=dict)
    unused_keys: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    elevations: int = 0
    plans: dict[tuple[str, ...], _KeyPlan] = field(default_factory=dict)
    plan_uses: Counter[tuple[str, ...]] = field(default_factory=Counter)

    def key_used(self) -> dict[str, Counter[str]]:
        """Return, per canonical field, how many features gave it under each property key."""
        used: dict[str, Counter[str]] = {}
        for keys, count in self.plan_uses.items():
            for name, key in self.plans[keys].keys.items():
                used.setdefault(name, Counter())[key] += count
        return used


def to_raw(decoded: DecodedText, file: str) -> RawIncidents:
    """Return the features of a FeatureCollection as canonical text cells and numbers.

    A feature holding a byte that is not UTF-8 (in an otherwise UTF-8 file) is rejected.
    Raises IngestError for invalid JSON, JSON that is not a FeatureCollection, no features,
    or no feature carrying a required property (time, category).
    """
    text = decoded.text
    members, spans, features = scan_feature_collection(text, file)
    if not features:
        raise IngestError(f"{file} has no features")
    crs = _crs_problem(members.get("crs"))
    gathered = _Features(cells={name: [] for name in PROPERTY_FIELDS})
    for number, feature in enumerate(features, start=1):
        _add_feature(gathered, number, feature, crs)
    _check_required(gathered, file)
    notices = _reject_bad_bytes(gathered, spans, decoded)
    lines = _start_lines(text, [start for start, _ in spans])
    return _assemble(gathered, file, len(features), notices, lines)


def _start_lines(text: str, starts: list[int]) -> np.ndarray:
    """Return the physical line (1-based) of each offset in `starts` (ascending)."""
    lines, line, previous = [], 1, 0
    for start in starts:
        line += text.count("\n", previous, start)
        lines.append(line)
        previous = start
    return np.array(lines, dtype="int64")


def _reject_bad_bytes(
    gathered: _Features, spans: list[tuple[int, int]], decoded: DecodedText
) -> list[Notice]:
    """Reject each feature holding a non-UTF-8 byte; return notices for bytes outside features."""
    starts = [start for start, _ in spans]
    rejected: set[int] = set()
    noted: set[int] = set()
    notices = []
    for bad in decoded.bad_bytes:
        index = bisect.bisect_right(starts, bad.offset) - 1
        if index >= 0 and bad.offset < spans[index][1]:
            if index not in rejected:
                rejected.add(index)
                problem = Problem(index + 1, "(row)", decoded.shown_line(bad), bad.reason())
                gathered.problems.append(problem)
        elif bad.line not in noted:
            noted.add(bad.line)
            message = f"not valid UTF-8 (byte 0x{bad.byte:02X}) outside any feature: read as U+FFFD"
            notices.append(Notice(bad.line, None, decoded.shown_line(bad), message))
    return notices


def _crs_problem(crs: Any) -> str | None:
    """Return the rejection reason when the crs member names anything but WGS 84 lon/lat."""
    if crs is None:
        return None
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if isinstance(name, str) and name.strip().lower() in WGS84_CRS_NAMES:
        return None
    label = _crs_label(name) if isinstance(name, str) else json.dumps(crs)
    return (
        f"coordinates are in {label} (the file's crs member), not WGS 84 longitude/latitude "
        "(EPSG:4326): reproject the file; it is not reprojected on import"
    )


def _crs_label(name: str) -> str:
    tail = name.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return f"EPSG:{tail} ({name})" if tail.isdigit() and "epsg" in name.lower() else name


def _add_feature(gathered: _Features, number: int, feature: Any, crs_reason: str | None) -> None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        shown = _short(feature)
        gathered.problems.append(Problem(number, "type", shown, "not a GeoJSON Feature"))
        return
    gathered.numbers.append(number)
    _add_geometry(gathered, number, feature.get("geometry"), crs_reason)
    properties = feature.get("properties")
    if properties is not None and not isinstance(properties, dict):
        reason = "properties must be a JSON object"
        gathered.problems.append(Problem(number, "properties", _short(properties), reason))
        properties = None
    _add_properties(gathered, number, properties or {})


def _add_geometry(gathered: _Features, number: int, geometry: Any, crs_reason: str | None) -> None:
    lon, lat, reason = _point(geometry)
    if reason is None and crs_reason is not None:
        reason = crs_reason
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else geometry
    gathered.lon.append(lon)
    gathered.lat.append(lat)
    gathered.raw_coordinates.append(coordinates)
    gathered.reported.append(reason is not None)
    if reason is not None:
        gathered.problems.append(Problem(number, "geometry", _short(coordinates), reason))
    elif isinstance(coordinates, list) and len(coordinates) > 2:
        gathered.elevations += 1


def _point(geometry: Any) -> tuple[float, float, str | None]:
    """Return (lon, lat, None) for a valid Point geometry, else NaNs and the reason."""
    nan = float("nan")
    if geometry is None:
        return nan, nan, "geometry is null: a Point is required"
    if not isinstance(geometry, dict):
        return nan, nan, "geometry must be a GeoJSON object"
    kind = geometry.get("type")
    if kind != "Point":
        return nan, nan, f"geometry type {kind!r}: only Point is accepted"
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return nan, nan, "Point coordinates must be [longitude, latitude]"
    numbers = coordinates[:3]
    if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in numbers):
        return nan, nan, "Point coordinates must be numbers"
    return float(coordinates[0]), float(coordinates[1]), None


@dataclass(frozen=True)
class _KeyPlan:
    """Which property key gives each canonical field, for one set of keys (shared by features)."""

    keys: dict[str, str]  # canonical field -> property key
    conflicts: list[tuple[str, str]]  # (canonical field, reason) when two keys give one field
    unused: list[str]


def _plan_keys(keys: tuple[str, ...]) -> _KeyPlan:
    index = HeaderIndex(list(keys), "", "properties")
    found: dict[str, str] = {}
    conflicts: list[tuple[str, str]] = []
    for name, aliases in PROPERTY_FIELDS.items():
        try:
            position = index.find(aliases, name)
        except IngestError as error:
            conflicts.append((name, str(error).removeprefix(": ")))
            continue
        if position is not None:
            found[name] = keys[position]
    unused = [key for position, key in enumerate(keys) if position not in index.used]
    return _KeyPlan(found, conflicts, unused)


def _add_properties(gathered: _Features, number: int, properties: dict[str, Any]) -> None:
    keys = tuple(properties)
    plan = gathered.plans.get(keys)
    if plan is None:
        plan = gathered.plans[keys] = _plan_keys(keys)
        gathered.unused_keys.update(plan.unused)
    gathered.plan_uses[keys] += 1
    for name, column in gathered.cells.items():
        key = plan.keys.get(name)
        column.append(None if key is None else _as_text(properties[key]))
    for name, reason in plan.conflicts:
        gathered.problems.append(Problem(number, name, "", reason))


def _as_text(value: Any) -> str | None:
    """Return a property value as the text a CSV cell would hold."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ";".join(value)
    return json.dumps(value, ensure_ascii=False)


class _JsonTexts(Sequence[str]):
    """JSON text of values, made only when asked for (messages need few of them)."""

    def __init__(self, values: list[Any]) -> None:
        self._values = values

    def __len__(self) -> int:
        return len(self._values)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [_short(value) for value in self._values[index]]
        return _short(self._values[index])


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def _check_required(gathered: _Features, file: str) -> None:
    used = gathered.key_used()
    missing = [name for name in REQUIRED_PROPERTIES if name not in used]
    if missing and gathered.numbers:
        wanted = "; ".join(
            f"{name} (or {', '.join(PROPERTY_FIELDS[name][1:])})" for name in missing
        )
        raise IngestError(f"{file}: no feature has the required properties: {wanted}")


def _assemble(
    gathered: _Features, file: str, total: int, notices: list[Notice], feature_lines: np.ndarray
) -> RawIncidents:
    names = {name: counts.most_common(1)[0][0] for name, counts in gathered.key_used().items()}
    cells = {
        name: text_column(values)
        for name, values in gathered.cells.items()
        if name in names or name in REQUIRED_PROPERTIES
    }
    location = PointNumbers(
        np.array(gathered.lon, dtype="float64"), np.array(gathered.lat, dtype="float64"),
        _JsonTexts(gathered.raw_coordinates), np.array(gathered.reported, dtype=bool),
    )  # fmt: skip
    notices = list(notices)
    if gathered.unused_keys:
        unused = ", ".join(sorted(gathered.unused_keys))
        notices.append(Notice(None, None, None, f"properties not used: {unused}"))
    if gathered.elevations:
        message = f"{gathered.elevations} points had a third (elevation) coordinate: ignored"
        notices.append(Notice(None, "geometry", None, message))
    return RawIncidents(
        file=file, format="geojson", lines=np.array(gathered.numbers, dtype="int64"), cells=cells,
        names=names, location=location, total=total, problems=gathered.problems, notices=notices,
        feature_lines=feature_lines,
    )  # fmt: skip
