"""Add spatial context to incidents: region, side, nearest complex, distances, corridor flag."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from geo.layers import Layers
from geo.schema import DERIVED_DTYPES, METRIC_CRS, WGS84
from geo.settings import DEFAULT_SETTINGS, Settings

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

BORDER_COMPLEX = "border_complex"  # the crossings `kind` that counts as a nearest complex
_MAX_EXAMPLES = 5  # offending rows quoted in an error message


@dataclass(frozen=True)
class _Reference:
    """The reference layers reduced to arrays (metric, or lon/lat for membership tests)."""

    region_ids: npt.NDArray[np.object_]
    region_countries: npt.NDArray[np.object_]
    region_shapes: list[BaseGeometry]  # prepared lon/lat polygons, same order as region_ids
    region_edges: list[FloatArray]  # per region: (k, 4) metric boundary segments ax, ay, bx, by
    complex_ids: npt.NDArray[np.object_]
    complex_xy: FloatArray  # (m, 2) metric coordinates of the border complexes
    border_edges: FloatArray  # (k, 4) segments of the border line
    corridor: BaseGeometry  # prepared lon/lat corridor polygon


@dataclass(frozen=True)
class _Derived:
    """Per-row results as integer codes into _Reference arrays (-1 = none) and floats."""

    region: IntArray
    side: IntArray
    nearest_complex: IntArray
    dist_crossing_m: FloatArray
    dist_border_m: FloatArray
    between_complexes: BoolArray


def enrich(
    incidents: gpd.GeoDataFrame, layers: Layers, settings: Settings = DEFAULT_SETTINGS
) -> gpd.GeoDataFrame:
    """Return a copy of `incidents` with the derived spatial columns of geo.schema.DERIVED_DTYPES.

    Rows keep their order and index. `crossing` is filled with the nearest border
    complex when the report names none and the complex lies within
    `settings.crossing_radius_m`; a given crossing is never changed. All distances
    are metres in EPSG:32719. Region and corridor membership are tested on lon/lat,
    where the GeoJSON layers define their edges (as Layers.side_of does), so a point a
    few centimetres from a long border segment lands on the same side everywhere in
    Hito. The input is not modified.
    """
    _check_incidents(incidents)
    _check_radius(settings.crossing_radius_m)
    reference = _reference(layers)
    lon, lat = _lon_lat(incidents)
    derived = _derive(lon, lat, reference)
    return _assemble(incidents, derived, reference, settings.crossing_radius_m)


# --- validate -----------------------------------------------------------------------------


def _check_incidents(incidents: gpd.GeoDataFrame) -> None:
    if not isinstance(incidents, gpd.GeoDataFrame):
        raise TypeError(f"incidents: expected a GeoDataFrame, got {type(incidents).__name__}")
    crs = incidents.crs
    if crs is None or crs.to_epsg() != 4326:
        raise ValueError(
            f"incidents: CRS is {crs.to_string() if crs is not None else 'missing'}, "
            f"expected {WGS84} (lon/lat); convert with .to_crs('{WGS84}') first"
        )
    if "crossing" not in incidents.columns:
        raise ValueError("incidents: column 'crossing' is missing (canonical incidents carry it)")
    geoms = incidents.geometry.array
    type_ids = shapely.get_type_id(geoms)
    _raise_for_rows(incidents, type_ids != 0, "is not a Point", geoms)
    _raise_for_rows(incidents, shapely.is_empty(geoms), "is an empty Point", geoms)
    xy = shapely.get_coordinates(geoms)
    _raise_for_rows(incidents, ~np.isfinite(xy).all(axis=1), "has a non-finite coordinate", geoms)


def _raise_for_rows(
    incidents: gpd.GeoDataFrame, bad: BoolArray, reason: str, geoms: object
) -> None:
    if not bad.any():
        return
    positions = np.flatnonzero(bad)
    values = np.asarray(geoms, dtype=object)
    ids = incidents["incident_id"] if "incident_id" in incidents.columns else None
    examples = []
    labels = incidents.index[positions[:_MAX_EXAMPLES]].tolist()
    for pos, row in zip(positions[:_MAX_EXAMPLES], labels, strict=True):  # quoted rows only
        label = f"row {row!r}"
        if ids is not None:
            label += f" (incident_id {ids.iloc[pos]!r})"
        wkt = "None" if values[pos] is None else shapely.to_wkt(values[pos], rounding_precision=6)
        examples.append(f"{label}: geometry {wkt}")
    raise ValueError(
        f"incidents: {len(positions)} row(s) where field 'geometry' {reason}; "
        f"enrich needs one finite lon/lat Point per row: " + "; ".join(examples)
    )


def _check_radius(radius_m: float) -> None:
    if not np.isfinite(radius_m) or radius_m < 0:
        raise ValueError(f"settings.crossing_radius_m: {radius_m!r} must be a finite number ≥ 0")


# --- reference layers as arrays -----------------------------------------------------------


def _reference(layers: Layers) -> _Reference:
    _check_columns(layers.regions, "regions", ("id", "country"))
    _check_columns(layers.crossings, "crossings", ("id", "kind"))
    metric = layers.metric
    regions = metric.regions
    complexes = metric.crossings[metric.crossings["kind"] == BORDER_COMPLEX]
    if regions.empty or complexes.empty or metric.border.empty or metric.corridor.empty:
        raise ValueError(
            "layers: enrich needs at least one region, one crossing of kind "
            f"'{BORDER_COMPLEX}', a border line and a corridor polygon"
        )
    shapes = list(layers.regions.geometry)
    corridor = layers.corridor.geometry.union_all()
    shapely.prepare([*shapes, corridor])
    return _Reference(
        region_ids=regions["id"].to_numpy(dtype=object),
        region_countries=regions["country"].to_numpy(dtype=object),
        region_shapes=shapes,
        region_edges=[_segments(shapely.boundary(shape)) for shape in regions.geometry],
        complex_ids=complexes["id"].to_numpy(dtype=object),
        complex_xy=shapely.get_coordinates(complexes.geometry.array),
        border_edges=_segments(metric.border.geometry.union_all()),
        corridor=corridor,
    )


def _check_columns(frame: gpd.GeoDataFrame, layer: str, columns: tuple[str, ...]) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"layers.{layer}: missing column(s) {missing}")


def _segments(lines: BaseGeometry) -> FloatArray:
    """Return the straight segments of a (multi)line as rows ax, ay, bx, by."""
    parts = shapely.get_parts(lines)
    pieces = [np.hstack([c[:-1], c[1:]]) for c in map(shapely.get_coordinates, parts)]
    return np.vstack(pieces) if pieces else np.empty((0, 4))


@lru_cache(maxsize=1)
def _to_metric() -> Transformer:
    return Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)  # thread-safe (pyproj ≥ 3.1)


def _lon_lat(incidents: gpd.GeoDataFrame) -> tuple[FloatArray, FloatArray]:
    lonlat = shapely.get_coordinates(incidents.geometry.array)
    return lonlat[:, 0], lonlat[:, 1]


def _metric(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    x, y = _to_metric().transform(lon, lat)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


# --- compute ------------------------------------------------------------------------------


def _derive(lon: FloatArray, lat: FloatArray, reference: _Reference) -> _Derived:
    region = _region_codes(lon, lat, reference.region_shapes)
    x, y = _metric(lon, lat)
    nearest, dist_crossing = _nearest_point(x, y, reference.complex_xy)
    return _Derived(
        region=region,
        side=_side_codes(x, y, region, reference.region_edges),
        nearest_complex=nearest,
        dist_crossing_m=dist_crossing,
        dist_border_m=_segment_distance(x, y, reference.border_edges),
        between_complexes=shapely.intersects_xy(reference.corridor, lon, lat),
    )


def _region_codes(lon: FloatArray, lat: FloatArray, shapes: list[BaseGeometry]) -> IntArray:
    """Index of the first region covering each point (its boundary included), -1 for none."""
    codes = np.full(lon.shape, -1, dtype=np.intp)
    for index, shape in enumerate(shapes):  # one pass per region, vectorised over points
        todo = np.flatnonzero(codes == -1)
        codes[todo[shapely.intersects_xy(shape, lon[todo], lat[todo])]] = index
    return codes


def _side_codes(
    x: FloatArray, y: FloatArray, region: IntArray, edges: list[FloatArray]
) -> IntArray:
    """Region index of each point's side: its own region, else the nearest region."""
    side = region.copy()
    outside = np.flatnonzero(region == -1)
    if outside.size:
        distances = np.vstack([_segment_distance(x[outside], y[outside], e) for e in edges])
        side[outside] = distances.argmin(axis=0)
    return side


def _nearest_point(x: FloatArray, y: FloatArray, points: FloatArray) -> tuple[IntArray, FloatArray]:
    """Index of and distance to the nearest of a few points (numpy on metric x/y)."""
    distances = np.hypot(x[:, None] - points[:, 0], y[:, None] - points[:, 1])
    nearest = distances.argmin(axis=1)
    return nearest, distances[np.arange(len(x)), nearest]


def _segment_distance(x: FloatArray, y: FloatArray, edges: FloatArray) -> FloatArray:
    """Distance from each point to the nearest of `edges` (rows ax, ay, bx, by)."""
    best = np.full(x.shape, np.inf)
    for ax, ay, bx, by in edges:  # one pass per segment, vectorised over points
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = ((x - ax) * dx + (y - ay) * dy) / (length2 if length2 > 0 else 1.0)
        np.clip(t, 0.0, 1.0, out=t)
        px, py = x - ax - t * dx, y - ay - t * dy
        np.minimum(best, px * px + py * py, out=best)
    return np.sqrt(best)


# --- assemble -----------------------------------------------------------------------------


def _assemble(
    incidents: gpd.GeoDataFrame, derived: _Derived, reference: _Reference, radius_m: float
) -> gpd.GeoDataFrame:
    nearest = _labels(reference.complex_ids, derived.nearest_complex)
    columns = {
        "country": _labels(reference.region_countries, derived.region),
        "region": _labels(reference.region_ids, derived.region),
        "side": _labels(reference.region_countries, derived.side),
        "nearest_crossing": nearest,
        "dist_crossing_m": derived.dist_crossing_m,
        "dist_border_m": derived.dist_border_m,
        "between_complexes": derived.between_complexes,
    }
    out = incidents.copy()
    for name, dtype in DERIVED_DTYPES.items():
        out[name] = pd.Series(columns[name], index=out.index, dtype=dtype)
    given = incidents["crossing"].astype("string")
    fill = given.isna().to_numpy() & (derived.dist_crossing_m <= radius_m)
    out["crossing"] = given.mask(fill, pd.Series(nearest, index=out.index, dtype="string"))
    return out


def _labels(values: npt.NDArray[np.object_], codes: IntArray) -> pd.arrays.StringArray:
    """Map integer codes to labels; code -1 becomes <NA>."""
    lookup = np.append(values, pd.NA)  # index -1 picks the trailing <NA>
    return pd.array(lookup[codes], dtype="string")
