"""Draw a snapshot's incidents: category-coloured points when few, a count grid when many."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap, LogNorm
from matplotlib.image import AxesImage

from geo.caption import caption_text
from geo.i18n import category_label
from geo.map_legend import map_text
from geo.maps import CATEGORY_COLOURS, UNKNOWN_COLOUR
from geo.schema import CATEGORIES
from geo.snapshot_layers import ProjectedLayers
from geo.snapshot_layout import Sizing
from geo.snapshot_legend import LegendRow
from geo.snapshot_marks import format_length, nice_ceil

# Up to this many incidents in view are drawn one by one; more become a count grid.
POINTS_THRESHOLD: Final = 20_000
MAX_CELLS_ACROSS: Final = 200  # the count grid has at most this many cells across the map
MIN_CELL_PX: Final = 5.0  # ... and its cells are at least this many pixels wide
UNKNOWN_CODE: Final = len(CATEGORIES)  # category code of values outside the vocabulary
POINT_EDGE: Final = "#222222"
POINTS_Z: Final = 7
AGGREGATE_Z: Final = 5
# magma reversed, without its near-white end: low counts stay visible on the pale land.
AGGREGATE_COLOURS: Final = ListedColormap(
    matplotlib.colormaps["magma_r"](np.linspace(0.18, 0.95, 256)), name="hito_counts"
)


@dataclass(frozen=True)
class IncidentsInView:
    """Incidents inside the map view, in metres, with their rows in the filtered frame."""

    x: np.ndarray
    y: np.ndarray
    rows: np.ndarray  # positions (iloc) in the filtered frame


@dataclass(frozen=True)
class DrawnIncidents:
    """What was drawn, for the legend: points by category, or a count grid."""

    mode: str  # "points" or "aggregate"
    shown: int  # incidents inside the view
    categories: tuple[str, ...] = ()  # points: the categories drawn (vocabulary order)
    unknown_category: bool = False  # points: some values are outside the vocabulary
    cell_m: float | None = None  # aggregate: the cell size in metres
    image: AxesImage | None = None  # aggregate: the grid (for a colour bar)


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
    filtered: gpd.GeoDataFrame,
    in_view: IncidentsInView,
    view: tuple[float, float, float, float],
    sizing: Sizing,
    *,
    map_width_px: float,
    max_points: int = POINTS_THRESHOLD,
) -> DrawnIncidents:
    """Draw the incidents in view as points (≤ `max_points`) or as a count grid."""
    if len(in_view.x) <= max_points:
        codes = category_codes(filtered["category"].iloc[in_view.rows])
        return draw_points(ax, in_view, codes, sizing)
    return draw_aggregate(ax, in_view, view, map_width_px=map_width_px)


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
    if count <= POINTS_THRESHOLD:
        return 4.5, 0.6
    return 3.0, 0.0  # only when a caller raises max_points: outlines would double the cost


def draw_aggregate(
    ax: Axes,
    in_view: IncidentsInView,
    view: tuple[float, float, float, float],
    *,
    map_width_px: float,
) -> DrawnIncidents:
    """Draw the incidents as a grid of counts per square cell of a round size, log colours."""
    xmin, ymin, xmax, ymax = view
    cell = nice_ceil(max((xmax - xmin) / MAX_CELLS_ACROSS,
                         (xmax - xmin) * MIN_CELL_PX / map_width_px))  # fmt: skip
    columns = max(1, math.ceil((xmax - xmin) / cell))
    rows = max(1, math.ceil((ymax - ymin) / cell))
    ix = np.minimum(((in_view.x - xmin) // cell).astype(np.int64), columns - 1)
    iy = np.minimum(((in_view.y - ymin) // cell).astype(np.int64), rows - 1)
    counts = np.bincount(iy * columns + ix, minlength=rows * columns).reshape(rows, columns)
    image = ax.imshow(
        np.ma.masked_equal(counts, 0), origin="lower", cmap=AGGREGATE_COLOURS,
        norm=LogNorm(vmin=1, vmax=max(int(counts.max()), 2)), interpolation="nearest",
        extent=(xmin, xmin + columns * cell, ymin, ymin + rows * cell), aspect="auto",
        alpha=0.9, zorder=AGGREGATE_Z,
    )  # fmt: skip
    return DrawnIncidents(mode="aggregate", shown=len(in_view.x), cell_m=cell, image=image)


def incident_legend(drawn: DrawnIncidents, lang: str) -> list[LegendRow]:
    """Return the incident rows: how the grid counts, or the categories drawn as points."""
    if drawn.mode == "aggregate" and drawn.cell_m is not None:
        size = format_length(drawn.cell_m)
        return [
            LegendRow(caption_text("aggregate", lang), "header"),
            LegendRow(caption_text("aggregate_cell", lang, size=size), "note"),
        ]
    rows = [LegendRow(caption_text("points_shown", lang), "header")]
    rows.extend(
        LegendRow(category_label(name, lang), "dot", colour=_hex(CATEGORY_COLOURS[name]))
        for name in drawn.categories
    )
    if drawn.unknown_category:
        rows.append(LegendRow(map_text("unlisted_category", lang), "dot",
                              colour=_hex(UNKNOWN_COLOUR)))  # fmt: skip
    return rows


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)
