"""Decide how a map view draws incidents: points below a threshold, H3 hexagon counts above."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd

from geo.cells import RESOLUTIONS, cell_centres, count_cells, edge_length_m
from geo.i18n import format_int, text

POINTS_MAX_ENV: Final = "HITO_MAP_POINTS_MAX"
CELLS_MAX_ENV: Final = "HITO_MAP_CELLS_MAX"
# A hexagon's edge is drawn at least this many pixels long: finer cells would be specks.
MIN_EDGE_PX: Final = 8.0
# Web Mercator: metres per pixel at zoom 0 on the equator (256-pixel tiles).
EQUATOR_M_PER_PX: Final = 156_543.03392
# A view box estimated from the centre and zoom alone assumes a map this large (pixels).
ASSUMED_VIEW_PX: Final = (1600, 800)
Bbox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


@dataclass(frozen=True)
class RenderPolicy:
    """When a map shows points and when H3 cells, and how fine and how many cells."""

    points_max: int = 2_000  # at most this many incidents are drawn one by one
    cells_max: int = 3_000  # at most this many cells reach the browser for one view
    finest_resolution: int = max(RESOLUTIONS)  # the public's is coarser than its privacy cell

    def __post_init__(self) -> None:
        if isinstance(self.points_max, bool) or not isinstance(self.points_max, int):
            raise ValueError(f"points_max: {self.points_max!r} is not a whole number")
        if self.points_max < 0:
            raise ValueError(f"points_max: {self.points_max} is below 0")
        if isinstance(self.cells_max, bool) or not isinstance(self.cells_max, int):
            raise ValueError(f"cells_max: {self.cells_max!r} is not a whole number")
        if self.cells_max < 100:
            raise ValueError(f"cells_max: {self.cells_max} is below 100")
        if self.finest_resolution not in RESOLUTIONS:
            raise ValueError(f"finest_resolution: {self.finest_resolution!r} not in {RESOLUTIONS}")


@dataclass(frozen=True)
class CellView:
    """The H3 cells one map view draws, with their counts."""

    resolution: int
    # One row per cell: cell (uint64), incidents, people (known counts summed),
    # people_unknown (incidents without a count), lat, lon (the cell's centre).
    counts: pd.DataFrame
    incidents: int  # incidents in the drawn cells
    clipped: bool  # True: only the cells around the view (the rest would exceed cells_max)


@dataclass(frozen=True)
class MapPlan:
    """What a map draws for the filtered incidents: points, or a CellView."""

    mode: Literal["points", "cells"]
    total: int  # filtered incidents
    cells: CellView | None  # None in points mode


def policy_for_role(role: str, privacy_cell_m: float) -> RenderPolicy:
    """Return the policy from the environment; the public's cells are never finer than its
    privacy cell (their edge is at least `privacy_cell_m`), so no cell shows the gate's grid."""
    policy = render_policy_from_env()
    if role == "analyst":
        return policy
    coarse_enough = [r for r in RESOLUTIONS if edge_length_m(r) >= privacy_cell_m]
    finest = max(coarse_enough) if coarse_enough else min(RESOLUTIONS)
    return RenderPolicy(policy.points_max, policy.cells_max, min(finest, policy.finest_resolution))


def render_policy_from_env() -> RenderPolicy:
    """Return the policy of $HITO_MAP_POINTS_MAX and $HITO_MAP_CELLS_MAX (blank = default).

    A value that is not a whole number, or is out of range, raises ValueError naming the
    variable and the value.
    """
    default = RenderPolicy()
    values = {}
    for variable, field in ((POINTS_MAX_ENV, "points_max"), (CELLS_MAX_ENV, "cells_max")):
        raw = os.environ.get(variable, "").strip()
        if not raw:
            values[field] = getattr(default, field)
            continue
        try:
            values[field] = int(raw)
        except ValueError:
            raise ValueError(f"{variable}={raw!r}: not a whole number") from None
    try:
        return RenderPolicy(points_max=values["points_max"], cells_max=values["cells_max"])
    except ValueError as error:
        variable = POINTS_MAX_ENV if "points_max" in str(error) else CELLS_MAX_ENV
        raise ValueError(f"{variable}={os.environ.get(variable)!r}: {error}") from error


def plan_map(
    filtered: pd.DataFrame, *, zoom: float, latitude: float, view: Bbox, policy: RenderPolicy
) -> MapPlan:
    """Return how to draw `filtered` (prepared, with geo.cells columns) at `zoom` around
    `view`: points up to policy.points_max, else cells at the zoom's resolution, only those
    near the view when there are too many, coarser still if that is not enough."""
    total = len(filtered)
    if total <= policy.points_max:
        return MapPlan("points", total, None)
    wanted = resolution_for_zoom(zoom, latitude, policy.finest_resolution)
    return MapPlan("cells", total, cells_for_view(filtered, wanted, view, policy.cells_max))


def cells_for_view(
    filtered: pd.DataFrame, resolution: int, view: Bbox, cells_max: int
) -> CellView:
    """Return at most `cells_max` cells: all at `resolution` if they fit, else those whose
    centre lies in `view` widened by one view on every side, else the same at coarser ones."""
    for level in sorted((r for r in RESOLUTIONS if r <= resolution), reverse=True):
        counts = count_cells(filtered, level)
        if len(counts) <= cells_max:
            return _cell_view(counts, level, clipped=False)
        near = _near_view(counts, widened(view))
        if len(near) <= cells_max:
            return _cell_view(near, level, clipped=True)
    coarsest = min(RESOLUTIONS)
    near = _near_view(count_cells(filtered, coarsest), widened(view)).head(cells_max)
    return _cell_view(near, coarsest, clipped=True)


def resolution_for_zoom(zoom: float, latitude: float, finest: int = max(RESOLUTIONS)) -> int:
    """Return the finest resolution (up to `finest`) whose hexagon edge is drawn at least
    MIN_EDGE_PX pixels long at this Web Mercator zoom and latitude."""
    return resolution_for_scale(metres_per_pixel(zoom, latitude), finest)


def resolution_for_scale(metres_per_px: float, finest: int = max(RESOLUTIONS)) -> int:
    """Return the finest resolution (up to `finest`) whose edge spans MIN_EDGE_PX pixels at
    `metres_per_px` (a static snapshot's scale); the coarsest when none does."""
    if not (math.isfinite(metres_per_px) and metres_per_px > 0):
        raise ValueError(f"metres_per_px: {metres_per_px!r} is not a positive number")
    fitting = [r for r in RESOLUTIONS
               if r <= finest and edge_length_m(r) >= MIN_EDGE_PX * metres_per_px]  # fmt: skip
    return max(fitting) if fitting else min(RESOLUTIONS)


def metres_per_pixel(zoom: float, latitude: float) -> float:
    """Return the ground size of one Web Mercator pixel at `zoom` and `latitude`."""
    return EQUATOR_M_PER_PX * math.cos(math.radians(latitude)) / 2.0**zoom


def view_around(center: tuple[float, float], zoom: float, size_px: tuple[int, int]) -> Bbox:
    """Return the lon/lat box a Web Mercator map of `size_px` shows around (lat, lon) `center`."""
    lat, lon = center
    degrees_per_px = 360.0 / (256 * 2.0**zoom)
    half_width = size_px[0] / 2 * degrees_per_px
    half_height = size_px[1] / 2 * degrees_per_px * math.cos(math.radians(lat))
    return lon - half_width, lat - half_height, lon + half_width, lat + half_height


def widened(view: Bbox) -> Bbox:
    """Return `view` grown by its own width and height on every side (three views across),
    its edges snapped outward to whole view sizes, so a small pan keeps the same box."""
    west, south, east, north = view
    width, height = east - west, north - south
    if not (width > 0 and height > 0):
        raise ValueError(f"view: {view!r} is not a (west, south, east, north) box")
    return (
        (math.floor(west / width) - 1) * width,
        (math.floor(south / height) - 1) * height,
        (math.ceil(east / width) + 1) * width,
        (math.ceil(north / height) + 1) * height,
    )


def _near_view(counts: pd.DataFrame, box: Bbox) -> pd.DataFrame:
    lat, lon = cell_centres(counts["cell"].to_numpy())
    west, south, east, north = box
    inside = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
    return counts.loc[inside].reset_index(drop=True)


def _cell_view(counts: pd.DataFrame, resolution: int, *, clipped: bool) -> CellView:
    lat, lon = cell_centres(counts["cell"].to_numpy())
    located = counts.assign(lat=np.round(lat, 5), lon=np.round(lon, 5))
    return CellView(resolution, located, int(located["incidents"].sum()), clipped)


def describe_plan(
    plan: MapPlan, policy: RenderPolicy, lang: str, *, follows_zoom: bool = True
) -> str:
    """Say in `lang` what the map draws: one marker per incident, or counts per hexagon
    (and, on a map whose drawing follows its zoom — folium's, not pydeck's — that markers
    group when zoomed out and zooming in gives finer hexagons)."""
    total = format_int(plan.total, lang)
    if plan.cells is None:
        key = "map_points_caption" if follows_zoom else "map_points_caption_flat"
        return text(key, lang, total=total)
    cells = plan.cells
    words = text("map_cells_caption", lang, total=total,
                 points_max=format_int(policy.points_max, lang),
                 edge=format_int(round(edge_length_m(cells.resolution)), lang))  # fmt: skip
    if follows_zoom and cells.resolution < policy.finest_resolution:
        words += text("map_cells_finer", lang)
    if cells.clipped:
        words += text("map_cells_clipped", lang, shown=format_int(cells.incidents, lang))
    return words
