"""Read a GeoJSON FeatureCollection of Point incidents, keeping the line where each feature starts.

Problems name the line on which a feature's `{` stands. When features share lines (a
minified file), lines cannot tell them apart: problems then give the 1-based feature number
instead, and a notice says so. Entries that are not Features are rejected whole.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, overload

import numpy as np

from geo.ingest.columns import COLUMN_ALIASES, HeaderIndex
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
    """Feature rows gathered one by one: lines, coordinates, property texts, problems."""

    lines: list[int] = field(default_factory=list)
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


def to_raw(text: str, file: str) -> RawIncidents:
    """Return the features of a FeatureCollection as canonical text cells and numbers.

    Raises IngestError for invalid JSON, JSON that is not a FeatureCollection, no features,
    or no feature carrying a required property (time, category).
    """
    members, starts, features = scan_feature_collection(text, file)
    if not features:
        raise IngestError(f"{file} has no features")
    lines, notices = _feature_lines(text, starts)
    crs = _crs_problem(members.get("crs"))
    gathered = _Features(cells={name: [] for name in PROPERTY_FIELDS})
    for line, feature in zip(lines, features, strict=True):
        _add_feature(gathered, line, feature, crs)
    _check_required(gathered, file)
    return _assemble(gathered, file, len(features), notices)


def _feature_lines(text: str, starts: list[int]) -> tuple[list[int], list[Notice]]:
    lines, line, previous = [], 1, 0
    for start in starts:
        line += text.count("\n", previous, start)
        lines.append(line)
        previous = start
    if len(set(lines)) == len(lines):
        return lines, []
    message = "several features share a line: problems are numbered by feature (1-based), not line"
    return list(range(1, len(starts) + 1)), [Notice(None, None, None, message)]


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


def _add_feature(gathered: _Features, line: int, feature: Any, crs_reason: str | None) -> None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        shown = _short(feature)
        gathered.problems.append(Problem(line, "type", shown, "not a GeoJSON Feature"))
        return
    gathered.lines.append(line)
    _add_geometry(gathered, line, feature.get("geometry"), crs_reason)
    properties = feature.get("properties")
    if properties is not None and not isinstance(properties, dict):
        reason = "properties must be a JSON object"
        gathered.problems.append(Problem(line, "properties", _short(properties), reason))
        properties = None
    _add_properties(gathered, line, properties or {})


def _add_geometry(gathered: _Features, line: int, geometry: Any, crs_reason: str | None) -> None:
    lon, lat, reason = _point(geometry)
    if reason is None and crs_reason is not None:
        reason = crs_reason
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else geometry
    gathered.lon.append(lon)
    gathered.lat.append(lat)
    gathered.raw_coordinates.append(coordinates)
    gathered.reported.append(reason is not None)
    if reason is not None:
        gathered.problems.append(Problem(line, "geometry", _short(coordinates), reason))
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


def _add_properties(gathered: _Features, line: int, properties: dict[str, Any]) -> None:
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
        gathered.problems.append(Problem(line, name, "", reason))


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
    if missing and gathered.lines:
        wanted = "; ".join(
            f"{name} (or {', '.join(PROPERTY_FIELDS[name][1:])})" for name in missing
        )
        raise IngestError(f"{file}: no feature has the required properties: {wanted}")


def _assemble(gathered: _Features, file: str, total: int, notices: list[Notice]) -> RawIncidents:
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
        file=file, format="geojson", lines=np.array(gathered.lines, dtype="int64"), cells=cells,
        names=names, location=location, total=total, problems=gathered.problems, notices=notices,
    )  # fmt: skip
