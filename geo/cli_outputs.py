"""Make the files `hito snapshot` writes: a static picture or a standalone HTML map."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd

from geo.caption import SnapshotCaption, snapshot_caption
from geo.cli_views import FilteredView, Picture
from geo.map_incidents import map_incidents
from geo.map_policy import RenderPolicy, policy_for_role
from geo.maps_folium import MAX_ZOOM, MIN_ZOOM, folium_map
from geo.privacy import policy_from_env
from geo.settings import tiles_from_env
from geo.snapshot_html import DEFAULT_VENDOR_DIR, standalone_html

TILE_PX: Final = 256  # Leaflet's world width in pixels at zoom 0
HTML_ASSET_BASE: Final = "vendor"  # any path: standalone_html inlines the files it names


def draw_snapshot(
    view: FilteredView, countries: gpd.GeoDataFrame, fmt: str, picture: Picture, made_at: datetime
) -> bytes:
    """Return the snapshot file: a static picture (geo.snapshot) or a standalone HTML map.

    Both draw points up to the render policy's threshold and H3 hexagon counts above it
    (role_policy), as the dashboard's maps do.
    """
    from geo import snapshot  # matplotlib loads for snapshots only

    caption = snapshot_caption(
        view.filtered, view.flt, lang=picture.lang, generated_at=made_at, source=view.source
    )
    policy = role_policy(view.role)
    if fmt == "html":
        extent = snapshot.snapshot_extent(view.filtered, view.layers, picture.bbox)
        return _html_snapshot(view, countries, caption, picture, extent, policy)
    return snapshot.render_snapshot(
        view.filtered, view.layers, countries, caption, fmt=fmt, bbox=picture.bbox,
        width_px=picture.width_px, height_px=picture.height_px, dpi=picture.dpi,
        lang=picture.lang, policy=policy,
    )  # fmt: skip


def role_policy(role: str) -> RenderPolicy:
    """Return the render policy of `role`: thresholds from $HITO_MAP_POINTS_MAX and
    $HITO_MAP_CELLS_MAX; the public's hexagons no finer than its privacy cell."""
    return policy_for_role(role, policy_from_env().cell_m)


def written_line(path: Path, view: FilteredView, size: int) -> str:
    """Return "wrote PATH: N incidents, P people (U incidents without a count), B bytes"."""
    people, uncounted = people_counts(view.filtered)
    line = (
        f"wrote {path}: {_many(len(view.filtered), 'incident')}, {people} people "
        f"({_many(uncounted, 'incident')} without a count), {size} bytes"
    )
    flags = view.filtered.get("synthetic", pd.Series(dtype="boolean"))
    synthetic = flags.astype("boolean").fillna(False).any()
    return line + (", includes SYNTHETIC rows" if synthetic else "")


def _many(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def people_counts(frame: pd.DataFrame) -> tuple[int, int]:
    """Return (people counted, rows without a count) of the incidents in `frame`."""
    people = frame["people_count"].astype("Float64")
    return int(people.fillna(0).sum()), int(people.isna().sum())


def _html_snapshot(
    view: FilteredView,
    countries: gpd.GeoDataFrame,
    caption: SnapshotCaption,
    picture: Picture,
    extent: tuple[float, float, float, float],
    policy: RenderPolicy,
) -> bytes:
    """Return the folium map of the view as a standalone HTML page fitted to `extent`: the
    incidents one by one, or their H3 cells past policy.points_max (geo.map_policy)."""
    center, zoom = map_view(extent, picture.width_px, picture.height_px)
    shown, _plan = map_incidents(
        view.filtered, zone=view.flt.zone, center=center, zoom=zoom, policy=policy,
        day_only=view.role == "public",
    )  # fmt: skip
    figure = folium_map(
        view.layers, countries, shown, lang=picture.lang, center=center, zoom=zoom,
        heat=False, asset_base=HTML_ASSET_BASE, tiles=tiles_from_env(),
    )  # fmt: skip
    minx, miny, maxx, maxy = extent
    figure.fit_bounds([[miny, minx], [maxy, maxx]])
    return standalone_html(figure, caption, DEFAULT_VENDOR_DIR).encode("utf-8")


def map_view(
    bbox: tuple[float, float, float, float], width_px: int, height_px: int
) -> tuple[tuple[float, float], int]:
    """Return ((lat, lon) centre, zoom) of the web map that shows `bbox` in the given size.

    The zoom is the largest whole Web Mercator zoom at which the box fits, within the
    map's zoom range.
    """
    minx, miny, maxx, maxy = bbox
    top, bottom = _mercator_y(maxy), _mercator_y(miny)
    fits_x = math.log2(width_px * 360.0 / (TILE_PX * (maxx - minx)))
    fits_y = math.log2(height_px * 2 * math.pi / (TILE_PX * (top - bottom)))
    zoom = min(MAX_ZOOM, max(MIN_ZOOM, math.floor(min(fits_x, fits_y))))
    return ((miny + maxy) / 2, (minx + maxx) / 2), zoom


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))
