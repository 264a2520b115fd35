"""Draw a snapshot's legend panel: headed rows of swatches and labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from matplotlib.axes import Axes
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle

from geo.snapshot_layout import LEGEND_PX, Box, Sizing

LEGEND_SHAPES: Final[tuple[str, ...]] = ("title", "header", "note", "dot", "fill", "line", "ring")
ROW_SPACING: Final = 1.6
INK: Final = "#111111"


@dataclass(frozen=True)
class LegendRow:
    """One legend line: a swatch of `shape` in `colour` (alpha `alpha`) and its label."""

    label: str
    shape: str
    colour: str = INK
    alpha: float = 1.0
    edge: str | None = None  # outline colour of fill / dot swatches
    dashed: bool = False

    def __post_init__(self) -> None:
        if self.shape not in LEGEND_SHAPES:
            raise ValueError(
                f"legend row {self.label!r}: shape {self.shape!r} is not one of {LEGEND_SHAPES}"
            )


def draw_legend(
    figure: Figure, box: Box, page: tuple[int, int], sizing: Sizing, rows: list[LegendRow]
) -> Axes:
    """Draw `rows` top-down in `box` (shrinking the font if they would overflow it); return
    the legend's axes."""
    font_px = _fitting_font_px(box, sizing, len(rows))
    ax = figure.add_axes(box.fraction(*page))
    ax.set_xlim(0, box.width)
    ax.set_ylim(box.height, 0)
    ax.set_axis_off()
    row_px = font_px * ROW_SPACING
    y = row_px / 2
    for index, row in enumerate(rows):
        _draw_row(ax, row, y, font_px, sizing)
        y += row_px * (1.25 if row.shape in ("title", "header") and index else 1.0)
    return ax


def _fitting_font_px(box: Box, sizing: Sizing, count: int) -> float:
    """Return the legend font size in pixels: the reference size, smaller if rows overflow."""
    font_px = sizing.px(LEGEND_PX)
    return min(font_px, box.height / ((count * 1.1 + 1) * ROW_SPACING))


def _draw_row(ax: Axes, row: LegendRow, y: float, font_px: float, sizing: Sizing) -> None:
    fontsize = font_px * 72.0 / sizing.dpi
    if row.shape in ("title", "header", "note"):
        weight = "normal" if row.shape == "note" else "bold"
        size = fontsize * (1.15 if row.shape == "title" else 1.0)
        ax.text(0, y, row.label, ha="left", va="center", fontsize=size, fontweight=weight,
                color=INK, parse_math=False)  # fmt: skip
        return
    swatch = font_px * 0.95
    centre = (font_px * 0.3 + swatch / 2, y)
    _draw_swatch(ax, row, centre, swatch, sizing)
    ax.text(font_px * 0.3 + swatch + font_px * 0.5, y, row.label, ha="left", va="center",
            fontsize=fontsize, color=INK, parse_math=False)  # fmt: skip


def _draw_swatch(
    ax: Axes, row: LegendRow, centre: tuple[float, float], size: float, sizing: Sizing
) -> None:
    x, y = centre
    line_width = sizing.pt(1.0)
    if row.shape == "dot":
        ax.add_patch(Circle(centre, size * 0.42, facecolor=row.colour, alpha=row.alpha,
                            edgecolor=row.edge or INK, linewidth=line_width))  # fmt: skip
    elif row.shape == "ring":
        ax.add_patch(Circle(centre, size * 0.38, facecolor="white", edgecolor=row.colour,
                            linewidth=sizing.pt(2.0)))  # fmt: skip
    elif row.shape == "fill":
        ax.add_patch(Rectangle(
            (x - size / 2, y - size / 2), size, size, facecolor=to_rgba(row.colour, row.alpha),
            edgecolor=row.edge or row.colour, linewidth=line_width,
            linestyle="--" if row.dashed else "-",
        ))  # fmt: skip
    else:  # line
        ax.add_line(Line2D([x - size / 2, x + size / 2], [y, y], color=row.colour,
                           alpha=row.alpha, linewidth=sizing.pt(4.0)))  # fmt: skip
