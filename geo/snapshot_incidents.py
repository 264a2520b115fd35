"""Draw a snapshot's incidents: category-coloured points when few, H3 hexagon counts when many."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Final

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba

from geo.caption import caption_text
from geo.cell_classes import class_colours, class_labels, class_of, class_starts
from geo.cells import RESOLUTIONS, cell_column, cells_at, edge_length_m
from geo.i18n import category_label, format_int, text
from geo.map_legend import map_text
from geo.map_policy import RenderPolicy, resolution_for_scale
from geo.maps import CATEGORY_COLOURS, UNKNOWN_COLOUR
from geo.schema import CATEGORIES
from geo.snapshot_layers import ProjectedLayers
from geo.snapshot_layout import Sizing
from geo.snapshot_legend import LegendRow

UNKNOWN_CODE: Final = len(CATEGORIES)  # category code of values outside the vocabulary
POINT_EDGE: Final = "#222222"
POINTS_Z: Final = 7
CELLS_Z: Final = 5
DENSE_POINTS: Final = 20_000  # beyond this many points, markers shrink and lose outlines
# A page draws at most this many hexagons; beyond, the next coarser resolution (a huge page
# of scattered incidents at a fine resolution would take minutes to draw).
PAGE_CELLS_MAX: Final = 20_000
# Hexagons are styled as the web map's (geo.map_cells): translucent fill, thin brown edge.
CELL_FILL_ALPHA: Final = 0.72
CELL_EDGE: Final = to_rgba("#5a3a1a", 0.7)
CELL_EDGE_PX: Final = 0.6


@dataclass(frozen=True)
class IncidentsInView:
    """Incidents inside the map view, in metres, with their rows in the filtered frame."""

    x: np.ndarray
    y: np.ndarray
    rows: np.ndarray  # positions (iloc) in the filtered frame


@dataclass(frozen=True)
class SnapshotIncidents:
    """The filtered incidents of a snapshot: the frame, every row's lon/lat, those in view."""

    frame: gpd.GeoDataFrame
    lon: np.ndarray
    lat: np.ndarray
    in_view: IncidentsInView


@dataclass(frozen=True)
class DrawnIncidents:
    """What was drawn, for the legend: points by category, or H3 hexagons by count."""

    mode: str  # "points" or "cells" (geo.map_policy.MapPlan's words)
    shown: int  # incidents inside the view
    categories: tuple[str, ...] = ()  # points: the categories drawn (vocabulary order)
    unknown_category: bool = False  # points: some values are outside the vocabulary
    resolution: int | None = None  # cells: the H3 resolution drawn
    cells: int = 0  # cells: hexagons drawn
    largest: int = 0  # cells: the most incidents in one hexagon (sets the count classes)


def incidents_in_view(
    lon: np.ndarray,
    lat: np.ndarray,
    view: tuple[float, float, float, float],
    projected: ProjectedLayers,
) -> IncidentsInView:
    """Return the incidents inside `view` (metres): a lon/lat pre-cut, then a metric cut."""
    west, south, east, north = projected.to_lonlat.transform_bounds(*view, densify_pts=21)
    rows = np.flatnonzero((lon >= west) & (lon <= east) & (lat >= south) & (lat <= north))
    x, y = projected.to_metric.transform(lon[rows], lat[rows])
    xmin, ymin, xmax, ymax = view
    inside = (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)
    return IncidentsInView(x=x[inside], y=y[inside], rows=rows[inside])


def draw_incidents(
    ax: Axes,
    incidents: SnapshotIncidents,
    view: tuple[float, float, float, float],
    projected: ProjectedLayers,
    sizing: Sizing,
    *,
    map_width_px: float,
    policy: RenderPolicy,
) -> DrawnIncidents:
    """Draw the incidents in view as points (at most policy.points_max), else as H3 hexagons
    at the finest resolution (up to policy.finest_resolution) legible at this scale."""
    in_view = incidents.in_view
    if len(in_view.x) <= policy.points_max:
        codes = category_codes(incidents.frame["category"].iloc[in_view.rows])
        return draw_points(ax, in_view, codes, sizing)
    metres_per_px = (view[2] - view[0]) / map_width_px
    resolution = resolution_for_scale(metres_per_px, policy.finest_resolution)
    return draw_cells(ax, incidents, view, projected, sizing, resolution=resolution)


def category_codes(categories: pd.Series) -> np.ndarray:
    """Return each row's index in geo.schema.CATEGORIES (UNKNOWN_CODE outside it or missing)."""
    if isinstance(categories.dtype, pd.CategoricalDtype):
        known = [CATEGORIES.index(c) if c in CATEGORIES else UNKNOWN_CODE
                 for c in categories.cat.categories]  # fmt: skip
        table = np.array([*known, UNKNOWN_CODE], dtype=np.int64)
        return table[categories.cat.codes.to_numpy()]  # code -1 (missing) takes the last entry
    codes = pd.Categorical(categories.astype("string"), categories=list(CATEGORIES)).codes
    return np.where(codes < 0, UNKNOWN_CODE, codes).astype(np.int64)


def draw_points(
    ax: Axes, in_view: IncidentsInView, codes: np.ndarray, sizing: Sizing
) -> DrawnIncidents:
    """Draw one marker per incident, coloured by category; rarer categories on top."""
    counts = np.bincount(codes, minlength=UNKNOWN_CODE + 1)
    diameter_px, edge_px = _marker_px(len(codes))
    palette = [*(CATEGORY_COLOURS[name] for name in CATEGORIES), UNKNOWN_COLOUR]
    for code in np.argsort(-counts, kind="stable"):
        if counts[code] == 0:
            continue
        chosen = codes == code
        ax.plot(
            in_view.x[chosen], in_view.y[chosen], linestyle="none", marker="o",
            markersize=sizing.pt(diameter_px), markerfacecolor=_hex(palette[code]),
            markeredgecolor=POINT_EDGE if edge_px else "none",
            markeredgewidth=sizing.pt(edge_px), zorder=POINTS_Z,
            rasterized=True,
        )  # fmt: skip
    present = tuple(name for code, name in enumerate(CATEGORIES) if counts[code])
    return DrawnIncidents(
        mode="points",
        shown=len(codes),
        categories=present,
        unknown_category=bool(counts[UNKNOWN_CODE]),
    )


def _marker_px(count: int) -> tuple[float, float]:
    """Return marker diameter and outline width (reference px): smaller as points multiply."""
    if count <= 5_000:
        return 6.0, 0.6
    if count <= DENSE_POINTS:
        return 4.5, 0.6
    return 3.0, 0.0  # only under a large points_max: outlines would double the cost


@dataclass(frozen=True)
class CellsOnPage:
    """The H3 cells a snapshot draws: ids, incidents in each, outlines in metres."""

    resolution: int
    cells: np.ndarray  # uint64 H3 ids
    counts: np.ndarray  # incidents per cell (all of them, also those outside the view)
    outlines: list[np.ndarray]  # one (n, 2) EPSG:32719 ring per cell


def draw_cells(
    ax: Axes,
    incidents: SnapshotIncidents,
    view: tuple[float, float, float, float],
    projected: ProjectedLayers,
    sizing: Sizing,
    *,
    resolution: int,
) -> DrawnIncidents:
    """Draw the H3 hexagons that reach into `view`, coloured by their count's class
    (geo.cell_classes, as the web map); a hexagon on the view's edge counts all its
    incidents, also those just outside the view."""
    page = cells_on_page(incidents, view, projected, resolution)
    largest = int(page.counts.max()) if len(page.counts) else 0
    starts = class_starts(largest)
    palette = np.array([to_rgba(colour, CELL_FILL_ALPHA) for colour in class_colours(starts)])
    ax.add_collection(PolyCollection(
        page.outlines, facecolors=palette[class_of(page.counts, starts)],
        edgecolors=[CELL_EDGE], linewidths=sizing.pt(CELL_EDGE_PX), zorder=CELLS_Z,
    ), autolim=False)  # fmt: skip
    return DrawnIncidents(mode="cells", shown=len(incidents.in_view.x),
                          resolution=page.resolution, cells=len(page.cells),
                          largest=largest)  # fmt: skip


def cells_on_page(
    incidents: SnapshotIncidents,
    view: tuple[float, float, float, float],
    projected: ProjectedLayers,
    resolution: int,
) -> CellsOnPage:
    """Return the occupied cells at `resolution` that reach into `view` with their counts,
    one resolution coarser at a time while more than PAGE_CELLS_MAX would be drawn."""
    for level in sorted((r for r in RESOLUTIONS if r <= resolution), reverse=True):
        # A cell reaching into the view holds incidents up to one cell width outside it.
        rows = _rows_near(incidents, _grown(view, 2 * edge_length_m(level)), projected)
        codes, cells = pd.factorize(cells_of(incidents, rows, level))
        if len(cells) <= PAGE_CELLS_MAX or level == min(RESOLUTIONS):
            ids = np.asarray(cells, dtype=np.uint64)
            outlines = hexagon_outlines(ids, projected)
            seen = _reaching(outlines, view)
            return CellsOnPage(level, ids[seen], np.bincount(codes, minlength=len(ids))[seen],
                               [ring for ring, kept in zip(outlines, seen, strict=True) if kept])
    raise ValueError(f"resolution: {resolution!r} is not one of {RESOLUTIONS}")


def hexagon_outlines(cells: np.ndarray, projected: ProjectedLayers) -> list[np.ndarray]:
    """Return each H3 cell's outline as an (n, 2) array of EPSG:32719 metres."""
    corners = [h3.cell_to_boundary(h3.int_to_str(int(cell))) for cell in cells]
    if not corners:
        return []
    lat, lon = np.concatenate([np.asarray(ring, dtype=float) for ring in corners]).T
    x, y = projected.to_metric.transform(lon, lat)
    ends = np.cumsum([len(ring) for ring in corners])[:-1]
    return np.split(np.column_stack([x, y]), ends)


def cells_of(incidents: SnapshotIncidents, rows: np.ndarray, resolution: int) -> np.ndarray:
    """Return the H3 cell (uint64) of each of `rows` at `resolution`: the frame's geo.cells
    column when it has one (computed once at load), else computed for these rows only."""
    column = cell_column(resolution)
    if column in incidents.frame.columns:
        return incidents.frame[column].to_numpy(dtype=np.uint64)[rows]
    return cells_at(incidents.lat[rows].tolist(), incidents.lon[rows].tolist(), resolution)


def _rows_near(
    incidents: SnapshotIncidents, box: tuple[float, float, float, float],
    projected: ProjectedLayers,
) -> np.ndarray:  # fmt: skip
    """Return the rows inside the lon/lat bounds of the metric `box` (a superset of it)."""
    west, south, east, north = projected.to_lonlat.transform_bounds(*box, densify_pts=21)
    lon, lat = incidents.lon, incidents.lat
    return np.flatnonzero((lon >= west) & (lon <= east) & (lat >= south) & (lat <= north))


def _grown(
    view: tuple[float, float, float, float], margin: float
) -> tuple[float, float, float, float]:
    xmin, ymin, xmax, ymax = view
    return (xmin - margin, ymin - margin, xmax + margin, ymax + margin)


def _reaching(outlines: list[np.ndarray], view: tuple[float, float, float, float]) -> np.ndarray:
    """Return whether each outline (a closed ring of metres) overlaps the `view` box."""
    if not outlines:
        return np.zeros(0, dtype=bool)
    owner = np.repeat(np.arange(len(outlines)), [len(ring) for ring in outlines])
    shapes = shapely.polygons(shapely.linearrings(np.concatenate(outlines), indices=owner))
    return np.asarray(shapely.intersects(shapes, shapely.box(*view)), dtype=bool)


def incident_legend(drawn: DrawnIncidents, lang: str) -> list[LegendRow]:
    """Return the incident rows: the hexagons' size and count classes, or the categories."""
    if drawn.mode == "cells" and drawn.resolution is not None:
        return _cell_legend(drawn.resolution, drawn.largest, lang)
    rows = [LegendRow(caption_text("points_shown", lang), "header")]
    rows.extend(
        LegendRow(category_label(name, lang), "dot", colour=_hex(CATEGORY_COLOURS[name]))
        for name in drawn.categories
    )
    if drawn.unknown_category:
        rows.append(LegendRow(map_text("unlisted_category", lang), "dot",
                              colour=_hex(UNKNOWN_COLOUR)))  # fmt: skip
    return rows


def _cell_legend(resolution: int, largest: int, lang: str) -> list[LegendRow]:
    """Header, "Hexágono: lado ≈ 1.406 m", then one swatch per count class."""
    edge = format_int(round(edge_length_m(resolution)), lang)
    size = f"{text('cell_size', lang)}: {text('cell_size_value', lang, edge=edge)}"
    starts = class_starts(largest)
    labels = class_labels(starts, largest, partial(format_int, lang=lang))
    return [
        LegendRow(caption_text("aggregate", lang), "header"),
        LegendRow(size, "note"),
        *(LegendRow(label, "fill", colour=colour, alpha=CELL_FILL_ALPHA, edge="#5a3a1a")
          for label, colour in zip(labels, class_colours(starts), strict=True)),
    ]  # fmt: skip


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)
