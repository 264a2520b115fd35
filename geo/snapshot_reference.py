"""Draw the reference layers on a snapshot map in the web map's colours, and list them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from geo import i18n
from geo.map_legend import map_text
from geo.maps_folium import (
    BORDER_STYLE,
    CORRIDOR_STYLE,
    COUNTRY_STYLE,
    CROSSING_LABEL_SIDE,
    DISPUTED_STYLE,
    REGION_STYLE,
)
from geo.snapshot_layers import ProjectedLayers
from geo.snapshot_layout import Sizing
from geo.snapshot_legend import LegendRow

# Drawing order (matplotlib zorder); incidents go between (see geo.snapshot_incidents).
Z_ORDER: Final[dict[str, float]] = {
    "countries": 1, "regions": 2, "corridor": 3, "disputed": 4, "border": 6, "crossings": 8,
}  # fmt: skip
CROSSING_FONT_PX: Final = 14.0
CROSSING_RADIUS_PX: Final = 6.0  # as the web map's CircleMarker(radius=6)


def draw_reference(ax: Axes, projected: ProjectedLayers, sizing: Sizing) -> None:
    """Draw countries, regions, corridor, disputed triangle and border (no crossings)."""
    _add_path(ax, projected.countries, COUNTRY_STYLE, sizing, "countries")
    for _region, country, outline in projected.regions:
        _add_path(ax, outline, REGION_STYLE[country], sizing, "regions")
    _add_path(ax, projected.corridor, CORRIDOR_STYLE, sizing, "corridor")
    _add_path(ax, projected.disputed, DISPUTED_STYLE, sizing, "disputed")
    border = LineCollection(
        list(projected.border),
        colors=[to_rgba(str(BORDER_STYLE["color"]), _number(BORDER_STYLE, "opacity"))],
        linewidths=sizing.pt(_number(BORDER_STYLE, "weight")),
        capstyle="round", joinstyle="round", zorder=Z_ORDER["border"],
    )  # fmt: skip
    ax.add_collection(border, autolim=False)


def draw_crossings(ax: Axes, projected: ProjectedLayers, sizing: Sizing, lang: str) -> None:
    """Draw every crossing as a ring; label the border complexes (CL below, PE above)."""
    marks = projected.crossings
    ax.plot(
        marks.x, marks.y, linestyle="none", marker="o", markerfacecolor="white",
        markersize=sizing.pt(2 * CROSSING_RADIUS_PX), markeredgecolor="black",
        markeredgewidth=sizing.pt(2.0), zorder=Z_ORDER["crossings"],
    )  # fmt: skip
    offset = sizing.pt(CROSSING_RADIUS_PX + 5)
    for x, y, crossing, name, country, kind in zip(
        marks.x, marks.y, marks.ids, marks.names, marks.countries, marks.kinds, strict=True
    ):
        if kind != "border_complex":
            continue
        above = CROSSING_LABEL_SIDE.get(country, "below") == "above"
        ax.annotate(
            i18n.crossing_label(crossing, lang, fallback=name), xy=(float(x), float(y)),
            xycoords="data", xytext=(0, offset if above else -offset), textcoords="offset points",
            ha="center", va="bottom" if above else "top", fontweight="bold",
            fontsize=sizing.pt(CROSSING_FONT_PX), color="black", zorder=Z_ORDER["crossings"] + 1,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none",
                  "alpha": 0.85},
            annotation_clip=True, parse_math=False,
        )  # fmt: skip


def reference_legend(projected: ProjectedLayers, lang: str) -> list[LegendRow]:
    """Return the legend rows of the reference layers, as the web map's legend lists them."""
    rows = [LegendRow(map_text("legend_layers", lang), "header")]
    for region, country, _outline in projected.regions:
        style = REGION_STYLE[country]
        rows.append(LegendRow(
            i18n.region_label(region, lang), "fill", colour=str(style["fillColor"]),
            alpha=_number(style, "fillOpacity"), edge=str(style["color"]),
        ))  # fmt: skip
    rows.extend([
        LegendRow(map_text("layer_border", lang), "line", colour=str(BORDER_STYLE["color"])),
        LegendRow(map_text("layer_corridor", lang), "fill", colour=str(CORRIDOR_STYLE["fillColor"]),
                  alpha=_number(CORRIDOR_STYLE, "fillOpacity"), edge=str(CORRIDOR_STYLE["color"])),
        LegendRow(map_text("layer_disputed", lang), "fill", colour=str(DISPUTED_STYLE["fillColor"]),
                  alpha=_number(DISPUTED_STYLE, "fillOpacity"), edge=str(DISPUTED_STYLE["color"]),
                  dashed=True),
        LegendRow(map_text("layer_crossings", lang), "ring", colour="#000000"),
    ])  # fmt: skip
    return rows


def _add_path(
    ax: Axes, path: Path, style: Mapping[str, object], sizing: Sizing, layer: str
) -> None:
    """Add a filled outline styled like the web map's Leaflet style dict (CSS px widths)."""
    fill = to_rgba(str(style.get("fillColor", style["color"])), _number(style, "fillOpacity", 1))
    patch = PathPatch(
        path, facecolor=fill, edgecolor=str(style["color"]),
        linewidth=sizing.pt(_number(style, "weight", 1)),
        linestyle="--" if "dashArray" in style else "-", zorder=Z_ORDER[layer],
    )  # fmt: skip
    ax.add_patch(patch)


def _number(style: Mapping[str, object], key: str, default: float | None = None) -> float:
    """Return a number of a Leaflet style dict (geo.maps_folium); TypeError if it is not one."""
    value = style.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise TypeError(f"style {dict(style)!r}: {key} is {value!r}, not a number")
    return float(value)
