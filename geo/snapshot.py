"""Render a filtered view as a static, self-describing map snapshot (PNG, PDF or SVG), offline."""

from __future__ import annotations

import io
import math
import threading
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import matplotlib
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from geo.caption import SnapshotCaption, caption_text
from geo.i18n import LANGS, format_int
from geo.layers import Layers
from geo.map_policy import RenderPolicy
from geo.schema import WGS84
from geo.snapshot_incidents import (
    DrawnIncidents,
    SnapshotIncidents,
    draw_incidents,
    incident_legend,
    incidents_in_view,
)
from geo.snapshot_layers import ProjectedLayers, project_layers
from geo.snapshot_layout import Layout, page_layout
from geo.snapshot_legend import LegendRow, draw_legend
from geo.snapshot_marks import draw_north_arrow, draw_scale_bar, true_north
from geo.snapshot_reference import draw_crossings, draw_reference, reference_legend
from geo.snapshot_text import draw_page_text

__all__ = [
    "DEFAULT_POLICY", "SNAPSHOT_FORMATS", "ProjectedLayers", "Snapshot", "project_layers",
    "render_snapshot", "snapshot_extent", "snapshot_figure",
]  # fmt: skip

SNAPSHOT_FORMATS: Final[tuple[str, ...]] = ("png", "pdf", "svg")
# Points or H3 hexagons, as the web maps decide (geo.map_policy): the environment's
# thresholds and policy_for_role are the caller's to apply.
DEFAULT_POLICY: Final = RenderPolicy()
SIZE_RANGE_PX: Final = (200, 10_000)
DPI_RANGE: Final = (50, 600)
# Where EPSG:32719 (UTM 19S) still draws this border sensibly: a bbox must lie inside.
DRAWABLE_AREA: Final = (-84.0, -60.0, -54.0, 10.0)
EXTENT_PAD_SHARE: Final = 0.08  # the default extent grows by this share on each side ...
MIN_PAD_DEG: Final = 0.01  # ... and by at least ~1 km
# Vector formats are written with rcParams (see _save): text stays text (SVG) / TrueType
# (PDF) and SVG element ids do not change from run to run. rcParams are global: one
# vector writer at a time.
SVG_HASH_SALT: Final = "hito-snapshot"
_VECTOR_LOCK: Final = threading.Lock()


@dataclass(frozen=True)
class Snapshot:
    """A drawn snapshot page (matplotlib Figure on an Agg canvas) and what it shows."""

    figure: Figure
    map_axes: Axes
    view: tuple[float, float, float, float]  # map limits in EPSG:32719 metres
    incidents: DrawnIncidents
    layout: Layout


def render_snapshot(
    filtered: gpd.GeoDataFrame,
    layers: Layers,
    countries: gpd.GeoDataFrame,
    caption: SnapshotCaption,
    *,
    fmt: str = "png",
    bbox: tuple[float, float, float, float] | None = None,
    width_px: int = 1600,
    height_px: int = 1200,
    dpi: int = 100,
    lang: str = "es",
    projected: ProjectedLayers | None = None,
    policy: RenderPolicy = DEFAULT_POLICY,
) -> bytes:
    """Return a PNG, PDF or SVG map of `filtered` (EPSG:4326 points) with legend and caption.

    The page is `width_px` × `height_px` pixels at `dpi` (a PNG has exactly that size; PDF and
    SVG are width_px/dpi × height_px/dpi inches). `bbox` (lon/lat) is the view to show, else
    snapshot_extent's. Pass `projected` (project_layers(layers, countries)) to skip
    re-projecting the reference layers on every call. Up to policy.points_max incidents in
    view are drawn one by one, more as H3 hexagons coloured by count at the finest resolution
    (up to policy.finest_resolution) legible at the page's scale. Thread-safe: no pyplot;
    vector writes take a lock.
    """
    _check_format(fmt)
    snapshot = snapshot_figure(
        filtered, layers, countries, caption, bbox=bbox, width_px=width_px, height_px=height_px,
        dpi=dpi, lang=lang, projected=projected, policy=policy,
    )  # fmt: skip
    return _save(snapshot.figure, fmt, dpi, caption)


def snapshot_figure(
    filtered: gpd.GeoDataFrame,
    layers: Layers,
    countries: gpd.GeoDataFrame,
    caption: SnapshotCaption,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    width_px: int = 1600,
    height_px: int = 1200,
    dpi: int = 100,
    lang: str = "es",
    projected: ProjectedLayers | None = None,
    policy: RenderPolicy = DEFAULT_POLICY,
) -> Snapshot:
    """Return the drawn snapshot page without writing it (render_snapshot writes it)."""
    _check_page(width_px, height_px, dpi, lang, policy)
    lon, lat = _checked_lonlat(filtered)
    if not isinstance(caption, SnapshotCaption):
        raise TypeError(f"caption: expected a SnapshotCaption, got {type(caption).__name__}")
    projected = projected or project_layers(layers, countries)
    extent = _checked_bbox(bbox) if bbox is not None else _default_extent(lon, lat, layers)
    layout = page_layout(width_px, height_px, dpi, caption.lines(), synthetic=caption.synthetic)
    figure = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(figure)
    map_axes = figure.add_axes(layout.map_box.fraction(width_px, height_px))
    view = _metric_view(extent, projected, layout.map_box.width / layout.map_box.height)
    incidents = SnapshotIncidents(filtered, lon, lat, incidents_in_view(lon, lat, view, projected))
    drawn = _draw_map(map_axes, incidents, projected, view, layout, lang, policy)
    _draw_legend(figure, layout, projected, drawn, len(filtered), lang)
    draw_page_text(figure, layout, caption)
    return Snapshot(figure=figure, map_axes=map_axes, view=view, incidents=drawn, layout=layout)


def snapshot_extent(
    filtered: gpd.GeoDataFrame, layers: Layers, bbox: tuple[float, float, float, float] | None
) -> tuple[float, float, float, float]:
    """Return the lon/lat (minx, miny, maxx, maxy) a snapshot shows.

    `bbox` wins when given. Otherwise: the filtered rows' extent together with the two
    border complexes and the corridor, grown by EXTENT_PAD_SHARE (at least MIN_PAD_DEG)
    on every side, so the extent is never a point or a line.
    """
    if bbox is not None:
        return _checked_bbox(bbox)
    lon, lat = _checked_lonlat(filtered)
    return _default_extent(lon, lat, layers)


def drawable_part(
    bbox: tuple[float, float, float, float],
) -> tuple[float, float, float, float] | None:
    """Return the part of a lon/lat bbox inside DRAWABLE_AREA (None when nothing is left),
    e.g. a web map zoomed out past what a snapshot in EPSG:32719 can draw."""
    west, south, east, north = DRAWABLE_AREA
    minx, miny = max(bbox[0], west), max(bbox[1], south)
    maxx, maxy = min(bbox[2], east), min(bbox[3], north)
    return (minx, miny, maxx, maxy) if minx < maxx and miny < maxy else None


# --- validate -----------------------------------------------------------------------------


def _check_format(fmt: str) -> None:
    if fmt not in SNAPSHOT_FORMATS:
        raise ValueError(f"fmt: {fmt!r} is not one of {list(SNAPSHOT_FORMATS)}")


def _check_page(width_px: int, height_px: int, dpi: int, lang: str, policy: object) -> None:
    low, high = SIZE_RANGE_PX
    for name, value in (("width_px", width_px), ("height_px", height_px)):
        if not _is_int(value) or not low <= value <= high:
            raise ValueError(f"{name}: {value!r} is not an integer from {low} to {high}")
    if not _is_int(dpi) or not DPI_RANGE[0] <= dpi <= DPI_RANGE[1]:
        raise ValueError(f"dpi: {dpi!r} is not an integer from {DPI_RANGE[0]} to {DPI_RANGE[1]}")
    if lang not in LANGS:
        raise ValueError(f"lang: {lang!r} is not one of {list(LANGS)}")
    if not isinstance(policy, RenderPolicy):
        raise TypeError(f"policy: expected a geo.map_policy.RenderPolicy, got {policy!r}")


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _checked_bbox(bbox: object) -> tuple[float, float, float, float]:
    if not isinstance(bbox, tuple | list) or len(bbox) != 4:
        raise ValueError(f"bbox: {bbox!r} is not (minx, miny, maxx, maxy)")
    if not all(_is_number(value) for value in bbox):
        raise ValueError(f"bbox: {bbox!r} must hold four finite numbers (lon/lat degrees)")
    minx, miny, maxx, maxy = (float(value) for value in bbox)
    if not (minx < maxx and miny < maxy):
        raise ValueError(f"bbox: {bbox!r} is not ordered (minx < maxx, miny < maxy)")
    west, south, east, north = DRAWABLE_AREA
    if not (minx >= west and maxx <= east and miny >= south and maxy <= north):
        raise ValueError(
            f"bbox: {bbox!r} leaves lon {west}..{east} / lat {south}..{north}, the area a "
            "snapshot in EPSG:32719 can draw (is it lat/lon instead of lon/lat?)"
        )
    return (minx, miny, maxx, maxy)


def _is_number(value: object) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _checked_lonlat(filtered: object) -> tuple[np.ndarray, np.ndarray]:
    """Return the lon and lat of every row, after checking the frame can be drawn."""
    if not isinstance(filtered, gpd.GeoDataFrame):
        raise TypeError(f"filtered: expected a GeoDataFrame, got {type(filtered).__name__}")
    if filtered.crs is None or filtered.crs.to_epsg() != 4326:
        raise ValueError(f"filtered: CRS is {filtered.crs}, expected {WGS84}")
    if "category" not in filtered.columns:
        raise ValueError("filtered: column 'category' is missing")
    geometries = filtered.geometry.array
    lon, lat = shapely.get_x(geometries), shapely.get_y(geometries)  # NaN unless a point
    with np.errstate(invalid="ignore"):
        bad = ~((np.abs(lon) <= 180) & (np.abs(lat) <= 90))
    if bad.any():
        position = int(np.argmax(bad))
        value = geometries[position]
        shown = "missing" if value is None else shapely.to_wkt(value, rounding_precision=6)
        raise ValueError(
            f"filtered: row {filtered.index[position]!r}: field geometry value {shown} is not a "
            f"point with lon -180..180 and lat -90..90 ({int(bad.sum())} such row(s))"
        )
    return lon, lat


# --- compute ------------------------------------------------------------------------------


def _default_extent(
    lon: np.ndarray, lat: np.ndarray, layers: Layers
) -> tuple[float, float, float, float]:
    complexes = layers.crossings[layers.crossings["kind"] == "border_complex"]
    parts = [complexes.total_bounds, layers.corridor.total_bounds]
    if len(lon):
        parts.append(np.array([lon.min(), lat.min(), lon.max(), lat.max()]))
    stacked = np.vstack(parts)
    minx, miny = stacked[:, 0].min(), stacked[:, 1].min()
    maxx, maxy = stacked[:, 2].max(), stacked[:, 3].max()
    west, south, east, north = DRAWABLE_AREA
    if minx < west or maxx > east or miny < south or maxy > north:
        raise ValueError(
            f"filtered: the rows span lon {minx:g}..{maxx:g}, lat {miny:g}..{maxy:g}, beyond "
            f"lon {west}..{east} / lat {south}..{north} that a snapshot can draw; pass a bbox"
        )
    pad_x = max(EXTENT_PAD_SHARE * (maxx - minx), MIN_PAD_DEG)
    pad_y = max(EXTENT_PAD_SHARE * (maxy - miny), MIN_PAD_DEG)
    return (float(minx - pad_x), float(miny - pad_y), float(maxx + pad_x), float(maxy + pad_y))


def _metric_view(
    extent: tuple[float, float, float, float], projected: ProjectedLayers, aspect: float
) -> tuple[float, float, float, float]:
    """Return the metric box holding `extent`, grown on one axis to the map's aspect ratio."""
    xmin, ymin, xmax, ymax = projected.to_metric.transform_bounds(*extent, densify_pts=21)
    width, height = xmax - xmin, ymax - ymin
    if width / height < aspect:
        grow = (height * aspect - width) / 2
        xmin, xmax = xmin - grow, xmax + grow
    else:
        grow = (width / aspect - height) / 2
        ymin, ymax = ymin - grow, ymax + grow
    return (float(xmin), float(ymin), float(xmax), float(ymax))


def _draw_map(
    ax: Axes,
    incidents: SnapshotIncidents,
    projected: ProjectedLayers,
    view: tuple[float, float, float, float],
    layout: Layout,
    lang: str,
    policy: RenderPolicy,
) -> DrawnIncidents:
    sizing = layout.sizing
    ax.set_autoscale_on(False)
    ax.set_facecolor("white")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#777777")
    draw_reference(ax, projected, sizing)
    drawn = draw_incidents(
        ax, incidents, view, projected, sizing, map_width_px=layout.map_box.width, policy=policy,
    )  # fmt: skip
    draw_crossings(ax, projected, sizing, lang)
    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])
    draw_scale_bar(ax, view, sizing)
    north = true_north(view, projected.to_lonlat, projected.to_metric)
    draw_north_arrow(ax, north, sizing, caption_text("north", lang))
    return drawn


def _draw_legend(
    figure: Figure,
    layout: Layout,
    projected: ProjectedLayers,
    drawn: DrawnIncidents,
    total: int,
    lang: str,
) -> None:
    rows = [LegendRow(caption_text("legend", lang), "title"), *incident_legend(drawn, lang)]
    if drawn.shown != total:
        shown, of = format_int(drawn.shown, lang), format_int(total, lang)
        rows.insert(2, LegendRow(caption_text("in_view", lang, shown=shown, total=of), "note"))
    rows.extend(reference_legend(projected, lang))
    draw_legend(figure, layout.legend_box, (layout.width, layout.height), layout.sizing, rows)


# --- assemble -----------------------------------------------------------------------------


def _save(figure: Figure, fmt: str, dpi: int, caption: SnapshotCaption) -> bytes:
    """Write the page; vector formats under their rcParams (a lock: rcParams are global)."""
    buffer = io.BytesIO()
    metadata = _metadata(fmt, caption)
    if fmt == "png":
        figure.savefig(buffer, format="png", dpi=dpi, metadata=metadata)
    else:
        rc = {"svg.fonttype": "none", "pdf.fonttype": 42, "svg.hashsalt": SVG_HASH_SALT}
        with _VECTOR_LOCK, matplotlib.rc_context(rc):  # type: ignore[arg-type]
            figure.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def _metadata(fmt: str, caption: SnapshotCaption) -> dict[str, Any]:
    """Title and caption in the file; no creation date (PDF/SVG), so renders are repeatable."""
    description = " | ".join(caption.lines())
    if fmt == "png":
        return {"Title": caption.title, "Description": description}
    if fmt == "pdf":
        return {"Title": caption.title, "Subject": description, "Creator": "Hito",
                "CreationDate": None}  # fmt: skip
    return {"Title": caption.title, "Description": description, "Creator": "Hito", "Date": None}
