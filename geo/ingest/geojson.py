"""Read a GeoJSON FeatureCollection of Point incidents, keeping the line where each feature starts.

Every problem names the physical line on which its feature's `{` stands (1 for every feature
of a one-line, minified file) and the feature's 1-based number in the features array, which
tells apart features sharing a line. Rows are keyed by feature number while reading.
Entries that are not Features are rejected whole.

Two readers give the same rows. pyarrow reads the features array, making no Python object
per feature, when it reads it as json would (see geojson_scan.read_with_arrow) and every
feature is a Feature with a Point whose used properties are texts, integers, booleans or
lists of texts; any other file is decoded by json and read column by column (C-level maps),
with only odd entries (not a Point of two floats, say) checked one by one.
"""

from __future__ import annotations

import bisect
import json
import operator
from collections import Counter
from collections.abc import Sequence
from itertools import repeat
from typing import Any, Final, overload

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from geo.ingest.detect import DecodedText
from geo.ingest.gc_pause import paused_garbage_collection
from geo.ingest.geojson_arrow import read_arrow
from geo.ingest.geojson_model import (
    PROPERTY_FIELDS,
    REQUIRED_PROPERTIES,
    KeyPlan,
    Points,
    Properties,
    ReadFeatures,
    check_required,
    plan_keys,
)
from geo.ingest.geojson_scan import (
    ScannedCollection,
    scan_feature_collection,
    start_lines,
)
from geo.ingest.raw import PointNumbers, RawIncidents
from geo.ingest.report import IngestError, Notice, Problem
from geo.ingest.textcols import TextColumn, text_column

WGS84_CRS_NAMES: Final = frozenset(
    {"urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:ogc::crs84", "epsg:4326",
     "urn:ogc:def:crs:epsg::4326", "http://www.opengis.net/def/crs/epsg/0/4326", "crs84"}
)  # fmt: skip
TEXT_KINDS: Final = frozenset({str, type(None)})
ARROW_KINDS: Final = (frozenset({int, type(None)}), frozenset({bool, type(None)}))
NO_PROPERTIES: Final[dict[str, Any]] = {}


def to_raw(decoded: DecodedText, file: str) -> RawIncidents:
    """Return the features of a FeatureCollection as canonical text cells and numbers.

    A feature holding a byte that is not UTF-8 (in an otherwise UTF-8 file) is rejected.
    Raises IngestError for invalid JSON, JSON that is not a FeatureCollection, no features,
    or no feature carrying a required property (time, category).
    """
    utf8 = None if decoded.bad_bytes else decoded.utf8  # bad bytes need the python reader
    with paused_garbage_collection():  # see its docstring; the features are freed inside
        scanned = scan_feature_collection(decoded.text, file, utf8)
        crs = _crs_problem(scanned.members.get("crs"))
        read = None
        if scanned.arrow is not None and crs is None:
            read = read_arrow(scanned.arrow, file)
        if read is None:
            if scanned.arrow is not None:  # pyarrow read it, but not as json would: again
                scanned = scan_feature_collection(decoded.text, file)
            read = _read_decoded(scanned, decoded, crs, file)
    return _assemble(file, read)


def _read_decoded(
    scanned: ScannedCollection, decoded: DecodedText, crs_reason: str | None, file: str
) -> ReadFeatures:
    """Return the rows of features json decoded; free the feature objects."""
    if not scanned.features:
        raise IngestError(f"{file} has no features")
    numbers, features, problems = _feature_rows(scanned.features)
    points = _read_points(features, numbers, crs_reason)
    properties = _read_properties(features, numbers, file)
    problems += points.problems + properties.problems
    problems.sort(key=lambda problem: problem.line)  # stable: a feature's problems keep order
    scanned.features.clear()
    del features
    notices = _reject_bad_bytes(problems, scanned, decoded)
    feature_lines = start_lines(decoded.text, scanned.starts)
    return ReadFeatures(numbers, points, properties, problems, notices, feature_lines)


def _feature_rows(entries: list[Any]) -> tuple[np.ndarray, list[dict[str, Any]], list[Problem]]:
    """Return (feature numbers, objects) of the entries that are Features; reject the others."""
    size = len(entries)
    if all(map(isinstance, entries, repeat(dict))):
        kinds = map(dict.get, entries, repeat("type"))
        is_feature = np.fromiter(map(operator.eq, kinds, repeat("Feature")), bool, size)
    else:
        is_feature = np.fromiter(
            (isinstance(entry, dict) and entry.get("type") == "Feature" for entry in entries),
            bool, size,
        )  # fmt: skip
    if is_feature.all():
        return np.arange(1, size + 1), entries, []
    positions = np.flatnonzero(is_feature)
    problems = [
        Problem(index + 1, "type", _short(entries[index]), "not a GeoJSON Feature")
        for index in np.flatnonzero(~is_feature).tolist()
    ]
    return positions + 1, [entries[index] for index in positions.tolist()], problems


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


def _read_points(features: list[Any], numbers: np.ndarray, crs_reason: str | None) -> Points:
    """Return every row's point: plain 2-D Points at once, the other geometries one by one."""
    geometries = list(map(dict.get, features, repeat("geometry")))
    size = len(geometries)
    points = Points(np.full(size, np.nan), np.full(size, np.nan), np.zeros(size, bool), [],
                     odd={})  # fmt: skip
    odd = np.ones(size, dtype=bool)
    if crs_reason is None:  # with a foreign crs every geometry is rejected, one by one
        plain, lon, lat = _plain_points(geometries)
        points.lon[plain], points.lat[plain], odd[plain] = lon, lat, False
    for row in np.flatnonzero(odd).tolist():
        _add_odd_point(points, row, geometries[row], int(numbers[row]), crs_reason)
    return points


def _plain_points(geometries: list[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (rows, lon, lat) of the geometries that are Points of exactly two floats."""
    items = np.fromiter(geometries, object, len(geometries))
    rows = np.flatnonzero(_of_type(items, dict))
    kinds = map(dict.get, items[rows], repeat("type"))
    rows = rows[np.fromiter(map(operator.eq, kinds, repeat("Point")), bool, len(rows))]
    pairs = np.fromiter(map(dict.get, items[rows], repeat("coordinates")), object, len(rows))
    keep = _of_type(pairs, list)
    rows, pairs = rows[keep], pairs[keep]
    keep = np.fromiter(map(len, pairs), "int64", len(pairs)) == 2
    rows, pairs = rows[keep], pairs[keep]
    lon = np.fromiter(map(operator.itemgetter(0), pairs), object, len(pairs))
    lat = np.fromiter(map(operator.itemgetter(1), pairs), object, len(pairs))
    keep = _of_type(lon, float) & _of_type(lat, float)
    return rows[keep], lon[keep].astype("float64"), lat[keep].astype("float64")


def _of_type(values: np.ndarray | list[Any], kind: type) -> np.ndarray:
    """Return True where a value is exactly of type `kind` (bool is not int here)."""
    return np.fromiter(map(operator.is_, map(type, values), repeat(kind)), bool, len(values))


def _add_odd_point(
    points: Points, row: int, geometry: Any, number: int, crs_reason: str | None
) -> None:
    if points.odd is not None:
        points.odd[row] = geometry
    points.lon[row], points.lat[row], reason = _point(geometry)
    if reason is None and crs_reason is not None:
        reason = crs_reason
    coordinates = _coordinates(geometry)
    if reason is not None:
        points.reported[row] = True
        points.problems.append(Problem(number, "geometry", _short(coordinates), reason))
    elif isinstance(coordinates, list) and len(coordinates) > 2:
        points.elevations += 1


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


def _coordinates(geometry: Any) -> Any:
    """Return a geometry's coordinates as given (the geometry itself when not an object)."""
    return geometry.get("coordinates") if isinstance(geometry, dict) else geometry


def _read_properties(features: list[Any], numbers: np.ndarray, file: str) -> Properties:
    """Return each canonical field's texts, found by key plans shared by same-keyed features."""
    objects, problems = _property_objects(features, numbers)
    keysets = list(map(tuple, objects))
    uses = Counter(keysets)  # in order of first use, as the most common key ties are broken
    plans = {keys: plan_keys(keys) for keys in uses}
    key_used: dict[str, Counter[str]] = {}
    for keys, count in uses.items():
        for name, key in plans[keys].keys.items():
            key_used.setdefault(name, Counter())[key] += count
    check_required(key_used, len(objects), file)
    codes = _plan_codes(keysets, plans)
    cells = {
        name: _text_column(_field_values(name, objects, plans, codes))
        for name in PROPERTY_FIELDS
        if name in key_used or name in REQUIRED_PROPERTIES
    }
    unused = {key for plan in plans.values() for key in plan.unused}
    return Properties(cells, key_used, unused, problems + _conflicts(plans, codes, numbers))


def _property_objects(
    features: list[Any], numbers: np.ndarray
) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Return each row's properties object ({} when null); reject a non-object one."""
    objects: list[Any] = list(map(dict.get, features, repeat("properties")))
    if all(map(isinstance, objects, repeat(dict))):
        return objects, []
    problems = [
        Problem(int(number), "properties", _short(value), "properties must be a JSON object")
        for number, value in zip(numbers.tolist(), objects, strict=True)
        if value is not None and not isinstance(value, dict)
    ]
    return [value if isinstance(value, dict) else NO_PROPERTIES for value in objects], problems


def _plan_codes(
    keysets: list[tuple[str, ...]], plans: dict[tuple[str, ...], KeyPlan]
) -> np.ndarray | None:
    """Return each row's position in `plans` (an int64 array), or None when all share one."""
    if len(plans) == 1:
        return None
    position = {keys: code for code, keys in enumerate(plans)}
    return np.fromiter(map(position.__getitem__, keysets), "int64", len(keysets))


def _field_values(
    name: str,
    objects: list[dict[str, Any]],
    plans: dict[tuple[str, ...], KeyPlan],
    codes: np.ndarray | None,
) -> list[Any]:
    """Return one canonical field's value in every row (None where its plan lacks the field)."""
    keys = [plan.keys.get(name) for plan in plans.values()]
    if codes is None:  # one plan: every row has its key, if it has one
        key = keys[0]
        return (
            [None] * len(objects) if key is None else list(map(operator.itemgetter(key), objects))
        )
    row_keys = np.array(keys, dtype=object)[codes]  # dict.get(obj, None) gives None
    return list(map(dict.get, objects, row_keys))


def _conflicts(
    plans: dict[tuple[str, ...], KeyPlan], codes: np.ndarray | None, numbers: np.ndarray
) -> list[Problem]:
    """Return, per row whose keys give a field twice, a problem per such field (in row order)."""
    found: list[tuple[int, int, Problem]] = []
    for code, plan in enumerate(plans.values()):
        if not plan.conflicts:
            continue
        rows = np.arange(len(numbers)) if codes is None else np.flatnonzero(codes == code)
        for row in rows.tolist():
            for order, (name, reason) in enumerate(plan.conflicts):
                found.append((row, order, Problem(int(numbers[row]), name, "", reason)))
    return [problem for _, _, problem in sorted(found, key=lambda item: item[:2])]


def _text_column(values: list[Any]) -> TextColumn:
    """Return property values as the texts CSV cells would hold (see _as_text), as a column."""
    kinds = set(map(type, values))
    if kinds <= TEXT_KINDS:
        return text_column(values)
    if any(kinds <= allowed for allowed in ARROW_KINDS):  # ints, or booleans: cast by arrow
        try:
            return pc.cast(pa.chunked_array([pa.array(values)]), pa.string())
        except (OverflowError, pa.ArrowException):  # an int beyond 64 bits
            pass
    return text_column(list(map(_as_text, values)))


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


def _reject_bad_bytes(
    problems: list[Problem], scanned: ScannedCollection, decoded: DecodedText
) -> list[Notice]:
    """Reject each feature holding a non-UTF-8 byte; return notices for bytes outside features."""
    starts, ends = scanned.starts, scanned.ends
    rejected: set[int] = set()
    noted: set[int] = set()
    notices = []
    for bad in decoded.bad_bytes:
        index = bisect.bisect_right(starts, bad.offset) - 1
        if index >= 0 and bad.offset < ends[index]:
            if index not in rejected:
                rejected.add(index)
                problems.append(Problem(index + 1, "(row)", decoded.shown_line(bad), bad.reason()))
        elif bad.line not in noted:
            noted.add(bad.line)
            message = f"not valid UTF-8 (byte 0x{bad.byte:02X}) outside any feature: read as U+FFFD"
            notices.append(Notice(bad.line, None, decoded.shown_line(bad), message))
    return notices


class _CoordinateTexts(Sequence[str]):
    """JSON text of each row's coordinates as given, made only when asked for (messages).

    A plain Point's text is remade from its two floats (json writes a float as it reads it);
    a row pyarrow read is decoded again from its line.
    """

    def __init__(self, points: Points) -> None:
        self._points = points

    def __len__(self) -> int:
        return len(self._points.lon)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            return [self[row] for row in range(len(self))[index]]
        row, points = range(len(self))[index], self._points
        if points.arrow is not None:
            return _short(_coordinates(points.arrow.feature(row).get("geometry")))
        if points.odd is not None and row in points.odd:
            return _short(_coordinates(points.odd[row]))
        return _short([float(points.lon[row]), float(points.lat[row])])


def _short(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "…"


def _assemble(file: str, read: ReadFeatures) -> RawIncidents:
    points, properties, notices = read.points, read.properties, list(read.notices)
    names = {name: counts.most_common(1)[0][0] for name, counts in properties.key_used.items()}
    location = PointNumbers(points.lon, points.lat, _CoordinateTexts(points), points.reported)
    if properties.unused_keys:
        unused = ", ".join(sorted(properties.unused_keys))
        notices.append(Notice(None, None, None, f"properties not used: {unused}"))
    if points.elevations:
        message = f"{points.elevations} points had a third (elevation) coordinate: ignored"
        notices.append(Notice(None, "geometry", None, message))
    return RawIncidents(
        file=file, format="geojson", lines=read.numbers.astype("int64"), cells=properties.cells,
        names=names, location=location, total=len(read.feature_lines), problems=read.problems,
        notices=notices, feature_lines=read.feature_lines,
    )  # fmt: skip
