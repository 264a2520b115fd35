"""Derive region geometries that share the official border exactly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LinearRing, LineString, MultiPoint, Polygon
from shapely.geometry.base import BaseGeometry

from geo.schema import METRIC_CRS, WGS84

GRID_DEG: Final = 1e-6  # every output coordinate sits on this grid (6 decimals, ~0.1 m)
FAR_WEST_LON: Final = -72.5  # the "north side" polygon is closed through the sea out here...
FAR_NORTH_LAT: Final = -15.5  # ...and north of Tacna up here
CRACK_CLOSE_M: Final = 200.0  # commune gaps narrower than twice this, open to the outside, close
SLIVER_KM2: Final = 0.01  # region parts and holes smaller than this are slivers
MAX_EDGE_DEVIATION_M: Final = 1.0  # CL-AP's northern edge must lie this close to the border line
SAMPLE_STEP_M: Final = 25.0  # spacing of the samples along the line for gap measurements

Log = list[str]


class RegionGeometryError(ValueError):
    """A derived region breaks what the build guarantees (one polygon, edge on the line)."""


# ---------------------------------------------------------------- helpers


def to_metric(geom: BaseGeometry) -> BaseGeometry:
    """Project one EPSG:4326 geometry to EPSG:32719."""
    return gpd.GeoSeries([geom], crs=WGS84).to_crs(METRIC_CRS).iloc[0]


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Keep the polygon parts of an overlay result (drops touching lines and points)."""
    parts = [part for part in shapely.get_parts(geom) if part.geom_type == "Polygon"]
    return shapely.union_all(parts, grid_size=GRID_DEG)


def finish(geom: BaseGeometry, label: str, log: Log) -> BaseGeometry:
    """Snap to the 6-decimal grid, orient rings (RFC 7946); make_valid only if needed, logged."""
    geom = shapely.orient_polygons(shapely.set_precision(geom, GRID_DEG))
    geom = shapely.transform(geom, lambda xy: np.round(xy, 6))
    if not geom.is_valid:
        log.append(f"  make_valid on {label}: {shapely.is_valid_reason(geom)}")
        geom = shapely.make_valid(geom)
    return geom


def ring_km2(ring: LinearRing) -> float:
    """Return the area (km²) enclosed by a ring given in EPSG:4326."""
    return float(to_metric(Polygon(ring)).area / 1e6)


def area_km2(geom: BaseGeometry) -> float:
    """Return the area (km²) of an EPSG:4326 geometry, measured in EPSG:32719."""
    return float(to_metric(geom).area / 1e6)


def samples_along(line: BaseGeometry) -> np.ndarray:
    """Return points every SAMPLE_STEP_M along a metric line, both ends included."""
    distances = np.append(np.arange(0.0, line.length, SAMPLE_STEP_M), line.length)
    return shapely.line_interpolate_point(line, distances)


def _polygon_or_multi(parts: Sequence[Polygon]) -> BaseGeometry:
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


# ---------------------------------------------------------------- the side north of the line


def north_side(line: LineString) -> Polygon:
    """Return the polygon north of the border: the line closed through the sea and the far north.

    Its southern edge west of Hito 1 is Hito 1's parallel, the start of the maritime boundary.
    """
    coords = shapely.get_coordinates(line)
    hito_1, tripoint = coords[0], coords[-1]
    far_north = [(tripoint[0], FAR_NORTH_LAT), (FAR_WEST_LON, FAR_NORTH_LAT)]
    side = Polygon([*map(tuple, coords), *far_north, (FAR_WEST_LON, hito_1[1])])
    if not side.is_valid:
        reason = shapely.is_valid_reason(side)
        raise RegionGeometryError(f"the side north of the border line is invalid ({reason})")
    return side


def edge_deviation_m(region: BaseGeometry, line: LineString) -> float:
    """Return the max distance (m) from samples along the line to the region's boundary."""
    return float(shapely.distance(samples_along(to_metric(line)), to_metric(region).boundary).max())


# ---------------------------------------------------------------- Arica y Parinacota (CL-AP)


def build_cl_ap(
    communes: gpd.GeoSeries, line: LineString, disputed: Polygon, log: Log
) -> BaseGeometry:
    """Return CL-AP: the communes with their gaps filled and the disputed triangle added.

    Raises RegionGeometryError when the result is not one polygon or its northern edge
    departs more than MAX_EDGE_DEVIATION_M from the line.
    """
    union = shapely.union_all(communes.to_numpy(), grid_size=GRID_DEG)
    if union.geom_type != "Polygon":
        raise RegionGeometryError(f"the communes' union is a {union.geom_type}, expected a Polygon")
    holes = sorted(ring_km2(ring) for ring in union.interiors)
    log.append(
        f"  CL-AP: filled {len(holes)} gaps between the simplified communes "
        f"(total {sum(holes):.3f} km², largest {max(holes, default=0.0):.3f} km²)"
    )
    filled = shapely.union_all([Polygon(union.exterior), *commune_cracks(union, communes, log)])
    cl_ap = with_disputed_triangle(filled, disputed, log)
    cl_ap = polygonal(shapely.difference(cl_ap, north_side(line), grid_size=GRID_DEG))
    if cl_ap.geom_type != "Polygon":
        raise RegionGeometryError(f"CL-AP is a {cl_ap.geom_type}, expected one Polygon")
    check_northern_edge(cl_ap, line, log)
    return cl_ap


def commune_cracks(union: Polygon, communes: gpd.GeoSeries, log: Log) -> list[BaseGeometry]:
    """Return the gaps between communes that open onto the region's outer edge.

    They are what a CRACK_CLOSE_M closing adds to the union where it touches two or
    more communes (a concave coast or border corner touches only one).
    """
    shape = to_metric(Polygon(union.exterior))
    closed = shape.buffer(CRACK_CLOSE_M).buffer(-CRACK_CLOSE_M)
    metric_communes = communes.to_crs(METRIC_CRS).to_numpy()
    cracks = [
        piece
        for piece in shapely.get_parts(closed.difference(shape))
        if (shapely.distance(metric_communes, piece) < 1.0).sum() >= 2
    ]
    areas = ", ".join(f"{crack.area / 1e6:.3f}" for crack in cracks)
    log.append(f"  CL-AP: closed {len(cracks)} outer-edge cracks between communes ({areas} km²)")
    return list(gpd.GeoSeries(cracks, crs=METRIC_CRS).to_crs(WGS84))


def with_disputed_triangle(region: BaseGeometry, disputed: Polygon, log: Log) -> BaseGeometry:
    """Return the region with the disputed triángulo terrestre added (Chile administers it).

    IDE Chile's simplified coast runs straight south from Hito 1, so the triangle lies
    almost wholly outside the communes; without it, it would belong to neither region.
    """
    added = area_km2(shapely.difference(disputed, region, grid_size=GRID_DEG))
    log.append(f"  CL-AP: added the disputed triangle ({added * 100:.2f} ha outside the communes)")
    return shapely.union(region, disputed, grid_size=GRID_DEG)


def check_northern_edge(cl_ap: BaseGeometry, line: LineString, log: Log) -> None:
    """Fail unless CL-AP's northern edge lies within MAX_EDGE_DEVIATION_M of the border line."""
    deviation = edge_deviation_m(cl_ap, line)
    log.append(f"  CL-AP northern edge vs border line: max deviation {deviation:.2e} m")
    if deviation > MAX_EDGE_DEVIATION_M:
        raise RegionGeometryError(
            f"CL-AP's northern edge departs {deviation:.1f} m from the border line "
            f"(limit {MAX_EDGE_DEVIATION_M} m): the communes and the line disagree"
        )


# ---------------------------------------------------------------- Tacna (PE-TAC)


def build_tacna(
    ne_tacna: Polygon, ne_arica: BaseGeometry, cl_ap: BaseGeometry, line: LineString, log: Log
) -> BaseGeometry:
    """Return Natural Earth Tacna with its southern edge replaced by the official line.

    (NE Tacna ∪ NE Arica y Parinacota ∪ tripoint wedge) ∩ north of the line − CL-AP,
    slivers dropped, overlay vertices along the line removed.
    """
    pieces = [ne_tacna, ne_arica, cl_ap, tripoint_wedge(ne_tacna, line)]
    union = shapely.union_all(pieces, grid_size=GRID_DEG)
    candidate = polygonal(shapely.intersection(union, north_side(line), grid_size=GRID_DEG))
    tacna = polygonal(shapely.difference(candidate, cl_ap, grid_size=GRID_DEG))
    return align_to_line(drop_slivers(tacna, "PE-TAC", log), line, log)


def tripoint_wedge(ne_tacna: Polygon, line: LineString) -> Polygon:
    """Return the triangle carrying Tacna east from Natural Earth's tripoint to the official one.

    Natural Earth puts the CL-PE-BO tripoint ~4.4 km west of IDE Chile's, so its Tacna
    stops short of the line's last kilometres. The wedge joins the line's last two
    vertices to the nearest Natural Earth Tacna vertex north of the official tripoint.
    """
    coords = shapely.get_coordinates(line)
    tripoint = coords[-1]
    ring = shapely.get_coordinates(ne_tacna.exterior)
    north = ring[ring[:, 1] > tripoint[1]]
    if len(north) == 0:
        raise RegionGeometryError("Natural Earth Tacna has no vertex north of the tripoint")
    nearest = north[np.hypot(*(north - tripoint).T).argmin()]
    return MultiPoint([tripoint, coords[-2], nearest]).convex_hull


def drop_slivers(geom: BaseGeometry, label: str, log: Log) -> BaseGeometry:
    """Drop parts and fill holes smaller than SLIVER_KM2, logging each one."""
    kept: list[Polygon] = []
    for part in shapely.get_parts(geom):
        if (area := ring_km2(part.exterior)) < SLIVER_KM2:
            log.append(f"  {label}: dropped a sliver part of {area * 1e6:.1f} m²")
            continue
        holes = [ring for ring in part.interiors if ring_km2(ring) >= SLIVER_KM2]
        if dropped := len(part.interiors) - len(holes):
            log.append(f"  {label}: filled {dropped} sliver holes")
        kept.append(Polygon(part.exterior, holes))
    if not kept:
        raise RegionGeometryError(f"{label}: every part is a sliver under {SLIVER_KM2} km²")
    return _polygon_or_multi(kept)


def align_to_line(region: BaseGeometry, line: LineString, log: Log) -> BaseGeometry:
    """Drop region vertices lying on the line between two other on-line vertices (overlay noise).

    The region's edge then runs along the line's own segments, so both regions share
    exactly the line's vertices (no sub-metre zigzags after projection).
    """
    line_vertices = {tuple(xy) for xy in shapely.get_coordinates(line)}
    removed = 0

    def clean(ring: LinearRing) -> list[tuple[float, float]]:
        nonlocal removed
        xy = shapely.get_coordinates(ring)[:-1]
        on_line = shapely.distance(shapely.points(xy), line) < GRID_DEG
        own = np.array([tuple(point) in line_vertices for point in xy])
        drop = on_line & ~own & np.roll(on_line, 1) & np.roll(on_line, -1)
        removed += int(drop.sum())
        return [tuple(point) for point in xy[~drop]]

    parts = [
        Polygon(clean(part.exterior), [clean(hole) for hole in part.interiors])
        for part in shapely.get_parts(region)
    ]
    log.append(f"  PE-TAC: removed {removed} overlay vertices lying on the border line")
    return _polygon_or_multi(parts)
