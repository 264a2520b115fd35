"""Add spatial context to incidents: region, side, nearest complex, distances, corridor flag."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.layers import Layers
from geo.schema import DERIVED_DTYPES, WGS84
from geo.settings import DEFAULT_SETTINGS, Settings
from geo.sides import RegionIndex, boundary_segments, distance_to_segments, to_metric

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

BORDER_COMPLEX = "border_complex"  # the crossings `kind` that counts as a nearest complex
_MAX_EXAMPLES = 5  # offending rows quoted in an error message



@dataclass(frozen=True)
class _Reference:
    """The reference layers reduced to arrays (metric, or lon/lat for membership tests)."""

    regions: RegionIndex  # membership and side: the rule of geo.sides
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
    """Return a copy of `incidents` with the columns of DERIVED_DTYPES added (or refreshed).

    Rows keep their order and index. `crossing` is filled with the nearest border
    complex when the report names none and the complex lies within
    `settings.crossing_radius_m`, and `crossing_assigned` says so; a crossing the report
    gave is never changed. Enriching an enriched frame first clears the crossings it had
    assigned, so the result depends only on the report, the layers and the settings.
    All distances are metres in EPSG:32719, to the layers' vertices joined straight in
    that CRS (the GeoJSON joins them straight in lon/lat: on the border's longest, 15 km
    segment the two lines part by up to 1.6 m). Region and side follow the one rule of
    geo.sides (shared with Layers.side_of); corridor membership is tested on lon/lat,
    edge included. The input is not modified.
    """
    _check_incidents(incidents)
    _check_radius(settings.crossing_radius_m)
    reported = _reported_crossing(incidents)
    reference = _reference(layers)
    lon, lat = _lon_lat(incidents)
    derived = _derive(lon, lat, reference)
    return _assemble(incidents, reported, derived, reference, settings.crossing_radius_m)


def nearest_complex(
    lon: FloatArray, lat: FloatArray, layers: Layers
) -> tuple[npt.NDArray[np.object_], FloatArray]:
    """Return the id of, and the distance in metres to, the nearest border complex of each point.

    Points are lon/lat arrays (EPSG:4326); complexes are the crossings of kind
    "border_complex"; distances are straight lines in EPSG:32719, as in enrich().
    """
    ids, xy = _complexes(layers)
    x, y = to_metric(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    nearest, distance = _nearest_point(x, y, xy)
    return ids[nearest], distance


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


def _reported_crossing(incidents: gpd.GeoDataFrame) -> pd.Series:
    """The crossing the report gave: `crossing`, minus what an earlier enrich assigned."""
    crossing = incidents["crossing"].astype("string")
    if "crossing_assigned" not in incidents.columns:
        return crossing
    assigned = incidents["crossing_assigned"]
    if not pd.api.types.is_bool_dtype(assigned.dtype) or assigned.isna().any():
        raise ValueError(
            "incidents: field 'crossing_assigned' must be true/false in every row (enrich "
            f"writes it as bool), got dtype {assigned.dtype} with {int(assigned.isna().sum())} "
            "null(s); drop the column to treat every crossing as reported"
        )
    return crossing.mask(assigned.to_numpy(dtype=bool))


def _check_radius(radius_m: float) -> None:
    if not np.isfinite(radius_m) or radius_m < 0:
        raise ValueError(f"settings.crossing_radius_m: {radius_m!r} must be a finite number ≥ 0")


# --- reference layers as arrays -----------------------------------------------------------


def _reference(layers: Layers) -> _Reference:
    complex_ids, complex_xy = _complexes(layers)
    metric = layers.metric
    if metric.border.empty or metric.corridor.empty:
        raise ValueError("layers: enrich needs a border line and a corridor polygon")
    corridor = layers.corridor.geometry.union_all()
    shapely.prepare(corridor)
    return _Reference(
        regions=layers.region_index,
        complex_ids=complex_ids,
        complex_xy=complex_xy,
        border_edges=boundary_segments(metric.border.geometry.union_all()),
        corridor=corridor,
    )


def _complexes(layers: Layers) -> tuple[npt.NDArray[np.object_], FloatArray]:
    """Ids and metric (m, 2) coordinates of the crossings of kind border_complex."""
    missing = [column for column in ("id", "kind") if column not in layers.crossings.columns]
    if missing:
        raise ValueError(f"layers.crossings: missing column(s) {missing}")
    crossings = layers.metric.crossings
    complexes = crossings[crossings["kind"] == BORDER_COMPLEX]
    if complexes.empty:
        raise ValueError(f"layers: enrich needs at least one crossing of kind '{BORDER_COMPLEX}'")
    return complexes["id"].to_numpy(dtype=object), shapely.get_coordinates(complexes.geometry.array)


def _lon_lat(incidents: gpd.GeoDataFrame) -> tuple[FloatArray, FloatArray]:
    lonlat = shapely.get_coordinates(incidents.geometry.array)
    return lonlat[:, 0], lonlat[:, 1]


# --- compute ------------------------------------------------------------------------------


def _derive(lon: FloatArray, lat: FloatArray, reference: _Reference) -> _Derived:
    x, y = to_metric(lon, lat)
    located = reference.regions.locate(lon, lat, metric_xy=(x, y))
    nearest, dist_crossing = _nearest_point(x, y, reference.complex_xy)
    return _Derived(
        region=located.region,
        side=located.side,
        nearest_complex=nearest,
        dist_crossing_m=dist_crossing,
        dist_border_m=distance_to_segments(x, y, reference.border_edges),
        between_complexes=shapely.intersects_xy(reference.corridor, lon, lat),
    )


def _nearest_point(x: FloatArray, y: FloatArray, points: FloatArray) -> tuple[IntArray, FloatArray]:
    """Index of and distance to the nearest of a few points (numpy on metric x/y)."""
    distances = np.hypot(x[:, None] - points[:, 0], y[:, None] - points[:, 1])
    nearest = distances.argmin(axis=1)
    return nearest, distances[np.arange(len(x)), nearest]


# --- assemble -----------------------------------------------------------------------------


def _assemble(
    incidents: gpd.GeoDataFrame,
    reported: pd.Series,
    derived: _Derived,
    reference: _Reference,
    radius_m: float,
) -> gpd.GeoDataFrame:
    regions = reference.regions
    nearest = _labels(reference.complex_ids, derived.nearest_complex)
    assigned = reported.isna().to_numpy() & (derived.dist_crossing_m <= radius_m)
    columns = {
        "country": _labels(regions.countries, derived.region),
        "region": _labels(regions.ids, derived.region),
        "side": _labels(regions.countries, derived.side),
        "nearest_crossing": nearest,
        "dist_crossing_m": derived.dist_crossing_m,
        "dist_border_m": derived.dist_border_m,
        "between_complexes": derived.between_complexes,
        "crossing_assigned": assigned,
    }
    out = incidents.copy()
    for name, dtype in DERIVED_DTYPES.items():
        out[name] = pd.Series(columns[name], index=out.index, dtype=dtype)
    out["crossing"] = reported.mask(assigned, pd.Series(nearest, index=out.index, dtype="string"))
    return out


def _labels(values: npt.NDArray[np.object_], codes: IntArray) -> pd.arrays.StringArray:
    """Map integer codes to labels; code -1 becomes <NA>."""
    lookup = np.append(values, pd.NA)  # index -1 picks the trailing <NA>
    return pd.array(lookup[codes], dtype="string")
