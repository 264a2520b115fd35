"""Lay a snapshot page out in pixels: title, banner, map, legend panel and wrapped caption."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import Final

# Sizes in pixels on the reference page (1600 × 1200); other pages scale them (Sizing.scale).
REFERENCE_PX: Final = (1600, 1200)
MARGIN_PX: Final = 18.0
TITLE_PX: Final = 28.0
BANNER_PX: Final = 18.0
CAPTION_PX: Final = 15.0
LEGEND_PX: Final = 15.0
LEGEND_WIDTH_PX: Final = 340.0
LEGEND_WIDTH_SHARE: Final = 0.3  # the legend panel takes at most this share of the width
LINE_SPACING: Final = 1.45
CHAR_WIDTH_EM: Final = 0.6  # DejaVu Sans averages ~0.55 em per character: wrap a bit early
MIN_MAP_SHARE: Final = 0.4  # the map keeps at least this share of the width and the height
CAPTION_SEPARATOR: Final = " · "


@dataclass(frozen=True)
class Sizing:
    """Pixel sizes on the page: reference sizes times `scale`, and points at `dpi`."""

    scale: float
    dpi: int

    def px(self, reference_px: float) -> float:
        """Return a reference size in this page's pixels."""
        return reference_px * self.scale

    def pt(self, reference_px: float) -> float:
        """Return a reference size in points (font sizes, line widths) at this dpi."""
        return self.px(reference_px) * 72.0 / self.dpi


@dataclass(frozen=True)
class Box:
    """A rectangle on the page in pixels, measured from the page's top-left corner."""

    left: float
    top: float
    width: float
    height: float

    def fraction(self, page_width: int, page_height: int) -> tuple[float, float, float, float]:
        """Return (left, bottom, width, height) as figure fractions, for Figure.add_axes."""
        bottom = page_height - self.top - self.height
        return (
            self.left / page_width,
            bottom / page_height,
            self.width / page_width,
            self.height / page_height,
        )


@dataclass(frozen=True)
class Layout:
    """Where each part of a snapshot page goes."""

    width: int
    height: int
    sizing: Sizing
    title_box: Box
    banner_box: Box | None  # the red SYNTHETIC DATA band, when the caption says so
    map_box: Box
    legend_box: Box
    caption_box: Box
    caption_lines: tuple[tuple[str, bool], ...]  # (text, emphasised) per printed line


def page_layout(
    width: int, height: int, dpi: int, caption_lines: list[str], *, synthetic: bool
) -> Layout:
    """Return the layout of a `width` × `height` page whose caption prints `caption_lines`.

    Sizes scale with the page area (a 3200 × 2400 page looks like a 1600 × 1200 one, only
    sharper); if the caption would squeeze the map below MIN_MAP_SHARE, text shrinks.
    """
    scale = math.sqrt(width * height / (REFERENCE_PX[0] * REFERENCE_PX[1]))
    for _attempt in range(12):
        layout = _layout_at(width, height, Sizing(scale, dpi), caption_lines, synthetic)
        if layout.map_box.height >= MIN_MAP_SHARE * height:
            return layout
        scale *= 0.85
    return layout


def wrap_line(text: str, width_px: float, font_px: float) -> list[str]:
    """Wrap one caption line to `width_px`, breaking at " · " first, then at spaces."""
    limit = max(12, int(width_px / (CHAR_WIDTH_EM * font_px)))
    lines: list[str] = []
    current = ""
    for piece in text.split(CAPTION_SEPARATOR):
        joined = piece if not current else current + CAPTION_SEPARATOR + piece
        if len(joined) <= limit:
            current = joined
            continue
        if current:
            lines.append(current + CAPTION_SEPARATOR.rstrip())
        wrapped = textwrap.wrap(piece, limit, break_on_hyphens=False) or [""]
        lines.extend(wrapped[:-1])
        current = wrapped[-1]
    lines.append(current)
    return lines


def _layout_at(
    width: int, height: int, sizing: Sizing, caption_lines: list[str], synthetic: bool
) -> Layout:
    margin = sizing.px(MARGIN_PX)
    title_height = sizing.px(TITLE_PX) * 1.9
    banner_height = sizing.px(BANNER_PX) * 1.9 if synthetic else 0.0
    printed = _printed_caption(caption_lines, width - 2 * margin, sizing, synthetic)
    caption_height = len(printed) * sizing.px(CAPTION_PX) * LINE_SPACING + margin
    legend_width = min(sizing.px(LEGEND_WIDTH_PX), LEGEND_WIDTH_SHARE * width)
    map_top = title_height + banner_height
    map_width = width - 3 * margin - legend_width
    map_height = height - map_top - caption_height - margin / 2
    return Layout(
        width=width,
        height=height,
        sizing=sizing,
        title_box=Box(margin, 0.0, width - 2 * margin, title_height),
        banner_box=Box(0.0, title_height, width, banner_height) if synthetic else None,
        map_box=Box(margin, map_top + margin / 2, map_width, map_height - margin / 2),
        legend_box=Box(2 * margin + map_width, map_top + margin / 2, legend_width, map_height),
        caption_box=Box(margin, height - caption_height, width - 2 * margin, caption_height),
        caption_lines=printed,
    )


def _printed_caption(
    caption_lines: list[str], width_px: float, sizing: Sizing, synthetic: bool
) -> tuple[tuple[str, bool], ...]:
    font_px = sizing.px(CAPTION_PX)
    printed: list[tuple[str, bool]] = []
    for number, line in enumerate(caption_lines):
        emphasised = synthetic and number == 0
        printed.extend((piece, emphasised) for piece in wrap_line(line, width_px, font_px))
    return tuple(printed)
