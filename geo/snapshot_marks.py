"""Draw a snapshot's map furniture: a metric scale bar and a north arrow pointing to true north."""

from __future__ import annotations

import math
from typing import Final

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from pyproj import Transformer

from geo.snapshot_layout import Sizing

NICE_STEPS: Final[tuple[int, ...]] = (1, 2, 5)
SCALE_BAR_SHARE: Final = 0.22  # the bar is at most this share of the map's width
SCALE_FONT_PX: Final = 14.0
NORTH_FONT_PX: Final = 18.0
NORTH_LENGTH_PX: Final = 42.0
PAD_PX: Final = 14.0
INK: Final = "#111111"


def nice_length(limit: float) -> float:
    """Return the largest 1, 2 or 5 × 10^k that is ≤ `limit` (> 0)."""
    if not (math.isfinite(limit) and limit > 0):
        raise ValueError(f"nice_length: limit {limit!r} must be a positive number")
    power = 10.0 ** math.floor(math.log10(limit))
    return max(step * power for step in NICE_STEPS if step * power <= limit * (1 + 1e-12))


def nice_ceil(value: float) -> float:
    """Return the smallest 1, 2 or 5 × 10^k that is ≥ `value` (> 0)."""
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"nice_ceil: value {value!r} must be a positive number")
    power = 10.0 ** math.floor(math.log10(value))
    for candidate in (step * power for step in (*NICE_STEPS, 10)):
        if candidate >= value * (1 - 1e-12):
            return candidate
    return 10 * power  # pragma: no cover - the loop always returns


def format_length(metres: float) -> str:
    """Return "250 m", "2 km" or "2.5 km" style text (no thousands separators needed)."""
    if metres < 1000:
        return f"{metres:g} m"
    return f"{metres / 1000:g} km"


def draw_scale_bar(ax: Axes, view: tuple[float, float, float, float], sizing: Sizing) -> float:
    """Draw a two-part black/white scale bar in the lower-left corner; return its length (m)."""
    xmin, ymin, xmax, _ymax = view
    metres_per_px = (xmax - xmin) / _axes_width_px(ax)
    length = nice_length(SCALE_BAR_SHARE * (xmax - xmin))
    pad = sizing.px(PAD_PX) * metres_per_px
    bar_height = sizing.px(6.0) * metres_per_px
    x0, y0 = xmin + 2 * pad, ymin + 1.5 * pad
    text_height = sizing.px(SCALE_FONT_PX) * 1.6 * metres_per_px
    ax.add_patch(Rectangle(
        (x0 - pad, y0 - pad * 0.8), length + 2 * pad, bar_height + text_height + 1.4 * pad,
        facecolor="white", edgecolor="#777777", alpha=0.85, linewidth=sizing.pt(1), zorder=20,
    ))  # fmt: skip
    for part, colour in enumerate((INK, "white")):
        ax.add_patch(Rectangle(
            (x0 + part * length / 2, y0), length / 2, bar_height,
            facecolor=colour, edgecolor=INK, linewidth=sizing.pt(1), zorder=21,
        ))  # fmt: skip
    ax.text(
        x0 + length / 2, y0 + bar_height + 0.3 * pad, format_length(length),
        ha="center", va="bottom", fontsize=sizing.pt(SCALE_FONT_PX), color=INK, zorder=22,
    )  # fmt: skip
    return length


def true_north(
    view: tuple[float, float, float, float], to_lonlat: Transformer, to_metric: Transformer
) -> tuple[float, float]:
    """Return the unit vector (dx, dy) of true north at the view's centre, in map metres."""
    xmin, ymin, xmax, ymax = view
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    lon, lat = to_lonlat.transform(cx, cy)
    step = 0.01 if lat < 89 else -0.01
    nx, ny = to_metric.transform(lon, lat + step)
    vector = np.array([nx - cx, ny - cy]) * (1 if step > 0 else -1)
    dx, dy = vector / np.hypot(*vector)
    return float(dx), float(dy)


def draw_north_arrow(
    ax: Axes, direction: tuple[float, float], sizing: Sizing, label: str
) -> None:
    """Draw an arrow towards `direction` (true north) with `label` in the upper-right corner."""
    dx, dy = direction
    length = sizing.pt(NORTH_LENGTH_PX)
    width_px, height_px = _axes_width_px(ax), _axes_height_px(ax)
    pad_px = sizing.px(PAD_PX) + sizing.px(NORTH_FONT_PX) * 1.4
    tip = (1 - pad_px / width_px, 1 - pad_px / height_px)
    ax.annotate(
        "", xy=tip, xycoords="axes fraction", xytext=(-dx * length, -dy * length),
        textcoords="offset points", zorder=22,
        arrowprops={"arrowstyle": "-|>", "color": INK, "linewidth": sizing.pt(3),
                    "mutation_scale": sizing.pt(22)},
    )  # fmt: skip
    gap = sizing.pt(NORTH_FONT_PX) * 0.8
    ax.annotate(
        label, xy=tip, xycoords="axes fraction", xytext=(dx * gap, dy * gap),
        textcoords="offset points", ha="center", va="center", fontweight="bold",
        fontsize=sizing.pt(NORTH_FONT_PX), color=INK, zorder=22,
    )  # fmt: skip


def _axes_width_px(ax: Axes) -> float:
    return float(ax.bbox.width)  # display pixels = output pixels (saved at the figure's dpi)


def _axes_height_px(ax: Axes) -> float:
    return float(ax.bbox.height)
