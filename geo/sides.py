"""Decide each point's region and side of the border: the one rule all of Hito uses.

The rule, for a lon/lat point (EPSG:4326):

1. Its region is the first region, in order of region id (CL-AP before PE-TAC), whose
   polygon holds it, edge included, tested on lon/lat where the GeoJSON defines the
   edges. A point exactly on the shared border line therefore lies in CL-AP.
2. Its side is its region's country. A point in no region (at sea, in Bolivia, in
   Tarapacá, in a sub-metre sliver between polygons) takes the country of the region
   whose edge is nearest, measured in metres in EPSG:32719 (ties go to the first region).

`Layers.side_of` (ingest's choice of time zone) and `geo.enrich` (the `region`, `country`
and `side` columns) both call `RegionIndex.locate`, so a point gets the same side everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from geo.schema import METRIC_CRS, WGS84

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
ObjectArray = npt.NDArray[np.object_]

REGION_COLUMNS = ("id", "country")


@dataclass(frozen=True)
class Located:
    """Per point: index of its region (-1 = none) and of the region giving its side."""

    region: IntArray
    side: IntArray


@dataclass(frozen=True)
class RegionIndex:
    """The regions as arrays, sorted by id: prepared lon/lat polygons and metric edges."""

    ids: ObjectArray
    countries: ObjectArray
    shapes: tuple[BaseGeometry, ...]  # prepared lon/lat polygons
    edges: tuple[FloatArray, ...]  # per region: (k, 4) metric boundary segments ax, ay, bx, by

    @classmethod
    def from_regions(cls, regions: gpd.GeoDataFrame) -> RegionIndex:
        """Build the index from a regions layer in EPSG:4326 with columns id and country."""
        _check_regions(regions)
        ordered = regions.sort_values("id", kind="stable")
        shapes = tuple(ordered.geometry)
        shapely.prepare(list(shapes))
        metric = ordered.geometry.to_crs(METRIC_CRS)
        return cls(
            ids=ordered["id"].to_numpy(dtype=object),
            countries=ordered["country"].to_numpy(dtype=object),
            shapes=shapes,
            edges=tuple(boundary_segments(shapely.boundary(shape)) for shape in metric),
        )

    def locate(
        self,
        lon: FloatArray,
        lat: FloatArray,
        metric_xy: tuple[FloatArray, FloatArray] | None = None,
    ) -> Located:
        """Return region and side codes of lon/lat points (pass metric_xy if already known)."""
        region = self._region_codes(lon, lat)
        side = region.copy()
        outside = np.flatnonzero(region == -1)
        if outside.size:
            if metric_xy is None:
                x, y = to_metric(lon[outside], lat[outside])
            else:
                x, y = metric_xy[0][outside], metric_xy[1][outside]
            distances = np.vstack([distance_to_segments(x, y, edges) for edges in self.edges])
            side[outside] = distances.argmin(axis=0)
        return Located(region=region, side=side)

    def side_of(self, lon: FloatArray, lat: FloatArray) -> ObjectArray:
        """Return the country ("CL" or "PE") of each point's side as an object array."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        return self.countries[self.locate(lon, lat).side]

    def _region_codes(self, lon: FloatArray, lat: FloatArray) -> IntArray:
        codes = np.full(lon.shape, -1, dtype=np.intp)
        for index, shape in enumerate(self.shapes):  # one pass per region, vectorised
            todo = np.flatnonzero(codes == -1)
            codes[todo[shapely.intersects_xy(shape, lon[todo], lat[todo])]] = index
        return codes


def _check_regions(regions: gpd.GeoDataFrame) -> None:
    missing = [column for column in REGION_COLUMNS if column not in regions.columns]
    if missing:
        raise ValueError(f"layers.regions: missing column(s) {missing}")
    if regions.empty:
        raise ValueError("layers.regions: no region to place points in")
    crs = regions.crs
    if crs is None or crs.to_epsg() != 4326:
        raise ValueError(f"layers.regions: CRS is {crs}, expected {WGS84} (lon/lat)")


# --- metric helpers shared with geo.enrich -----------------------------------------------


@lru_cache(maxsize=1)
def _transformer() -> Transformer:
    return Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)  # thread-safe (pyproj ≥ 3.1)


def to_metric(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Project lon/lat arrays to EPSG:32719 x/y metres."""
    x, y = _transformer().transform(lon, lat)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def boundary_segments(lines: BaseGeometry) -> FloatArray:
    """Return the straight segments of a (multi)line as rows ax, ay, bx, by."""
    parts = shapely.get_parts(lines)
    pieces = [np.hstack([c[:-1], c[1:]]) for c in map(shapely.get_coordinates, parts)]
    return np.vstack(pieces) if pieces else np.empty((0, 4))


def distance_to_segments(x: FloatArray, y: FloatArray, edges: FloatArray) -> FloatArray:
    """Distance from each point to the nearest of `edges` (rows ax, ay, bx, by), same units."""
    best = np.full(x.shape, np.inf)
    for ax, ay, bx, by in edges:  # one pass per segment, vectorised over points
        dx, dy = bx - ax, by - ay
        length2 = dx * dx + dy * dy
        t = ((x - ax) * dx + (y - ay) * dy) / (length2 if length2 > 0 else 1.0)
        np.clip(t, 0.0, 1.0, out=t)
        px, py = x - ax - t * dx, y - ay - t * dy
        np.minimum(best, px * px + py * py, out=best)
    return np.sqrt(best)
