"""Project the reference layers to EPSG:32719 once, as matplotlib paths a snapshot can draw."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.path import Path
from pyproj import Transformer

from geo.layers import Layers
from geo.maps_folium import REGION_STYLE
from geo.schema import METRIC_CRS, WGS84


@dataclass(frozen=True)
class CrossingMarks:
    """The crossings in metres, with what their markers and labels need."""

    x: np.ndarray
    y: np.ndarray
    ids: tuple[str, ...]
    names: tuple[str, ...]  # the layer's own names (fallback labels)
    countries: tuple[str, ...]  # CL, PE or CL-PE
    kinds: tuple[str, ...]  # border_complex, rail_crossing, ...


@dataclass(frozen=True)
class ProjectedLayers:
    """The reference layers and country outlines in EPSG:32719, ready to draw.

    Build it once with project_layers() and pass it to every render_snapshot call that
    uses the same layers: it holds no per-call state, so threads may share it.
    """

    countries: Path
    regions: tuple[tuple[str, str, Path], ...]  # (region id, country CL/PE, outline)
    corridor: Path
    disputed: Path
    border: tuple[np.ndarray, ...]  # one (n, 2) vertex array per line part
    crossings: CrossingMarks
    to_metric: Transformer  # lon/lat -> EPSG:32719 metres (always_xy); thread-safe
    to_lonlat: Transformer  # EPSG:32719 metres -> lon/lat (always_xy); thread-safe


def project_layers(layers: Layers, countries: gpd.GeoDataFrame) -> ProjectedLayers:
    """Return `layers` and the `countries` outlines (both EPSG:4326) projected for snapshots."""
    _check_crs("countries", countries)
    metric = layers.metric
    regions = tuple(
        (str(region), _region_country(str(region), str(country)), polygons_path(geometry))
        for region, country, geometry in zip(
            metric.regions["id"], metric.regions["country"], metric.regions.geometry, strict=True
        )
    )
    return ProjectedLayers(
        countries=polygons_path(countries.to_crs(METRIC_CRS).geometry.array),
        regions=regions,
        corridor=polygons_path(metric.corridor.geometry.array),
        disputed=polygons_path(metric.disputed.geometry.array),
        border=line_parts(metric.border.geometry.array),
        crossings=_crossing_marks(metric.crossings),
        to_metric=Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True),
        to_lonlat=Transformer.from_crs(METRIC_CRS, WGS84, always_xy=True),
    )


def polygons_path(geometries: object) -> Path:
    """Return one compound path of every polygon ring (exteriors CCW, holes CW)."""
    parts = shapely.get_parts(np.asarray(geometries, dtype=object))
    kinds = set(shapely.get_type_id(parts).tolist())
    if not kinds <= {3}:  # 3 = Polygon (MultiPolygons were split by get_parts)
        raise ValueError(f"polygons_path: expected polygons, got geometry type ids {kinds}")
    rings = shapely.get_rings(shapely.orient_polygons(parts))
    coords, ring_index = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(coords), Path.LINETO, dtype=Path.code_type)
    if len(coords):
        starts = np.concatenate([[0], np.flatnonzero(np.diff(ring_index)) + 1])
        codes[starts] = Path.MOVETO
        codes[np.concatenate([starts[1:] - 1, [len(coords) - 1]])] = Path.CLOSEPOLY
    return Path(coords, codes)


def line_parts(geometries: object) -> tuple[np.ndarray, ...]:
    """Return the vertex arrays of every line part (for a LineCollection)."""
    parts = shapely.get_parts(np.asarray(geometries, dtype=object))
    kinds = set(shapely.get_type_id(parts).tolist())
    if not kinds <= {1, 2}:  # LineString, LinearRing
        raise ValueError(f"line_parts: expected lines, got geometry type ids {kinds}")
    coords, part_index = shapely.get_coordinates(parts, return_index=True)
    breaks = np.flatnonzero(np.diff(part_index)) + 1
    return tuple(np.split(coords, breaks)) if len(coords) else ()


def _crossing_marks(crossings: gpd.GeoDataFrame) -> CrossingMarks:
    return CrossingMarks(
        x=shapely.get_x(crossings.geometry.array),
        y=shapely.get_y(crossings.geometry.array),
        ids=tuple(str(value) for value in crossings["id"]),
        names=tuple(str(value) for value in crossings["name"]),
        countries=tuple(str(value) for value in crossings["country"]),
        kinds=tuple(str(value) for value in crossings["kind"]),
    )


def _region_country(region: str, country: str) -> str:
    if country not in REGION_STYLE:
        raise ValueError(
            f"regions: region {region!r} has country {country!r}; snapshots draw "
            f"{list(REGION_STYLE)} (geo.maps_folium.REGION_STYLE)"
        )
    return country


def _check_crs(name: str, frame: gpd.GeoDataFrame) -> None:
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"{name}: expected a GeoDataFrame, got {type(frame).__name__}")
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise ValueError(f"{name}: CRS is {frame.crs}, expected {WGS84}")
