"""Print a snapshot page's words: the title, the SYNTHETIC DATA band and the caption lines."""

from __future__ import annotations

from typing import Final

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from geo.caption import SnapshotCaption, caption_text
from geo.snapshot_layout import BANNER_PX, CAPTION_PX, LINE_SPACING, TITLE_PX, Layout

BANNER_RED: Final = "#c62828"
INK: Final = "#111111"


def draw_page_text(figure: Figure, layout: Layout, caption: SnapshotCaption) -> None:
    """Print the title, the red SYNTHETIC DATA band (when the caption says so) and the caption."""
    width, height, sizing = layout.width, layout.height, layout.sizing
    title = layout.title_box
    figure.text(title.left / width, 1 - (title.top + title.height / 2) / height, caption.title,
                ha="left", va="center", fontsize=sizing.pt(TITLE_PX), fontweight="bold",
                color=INK, parse_math=False)  # fmt: skip
    if layout.banner_box is not None:
        left, bottom, box_width, box_height = layout.banner_box.fraction(width, height)
        figure.add_artist(Rectangle((left, bottom), box_width, box_height,
                                    transform=figure.transFigure, facecolor=BANNER_RED,
                                    edgecolor="none"))  # fmt: skip
        figure.text(0.5, bottom + box_height / 2, caption_text("synthetic", caption.lang),
                    ha="center", va="center", fontsize=sizing.pt(BANNER_PX), fontweight="bold",
                    color="white", parse_math=False)  # fmt: skip
    line_px = sizing.px(CAPTION_PX) * LINE_SPACING
    box = layout.caption_box
    for number, (text, emphasised) in enumerate(layout.caption_lines):
        y_px = box.top + line_px * (number + 0.5)
        figure.text(box.left / width, 1 - y_px / height, text, ha="left", va="center",
                    fontsize=sizing.pt(CAPTION_PX), fontweight="bold" if emphasised else "normal",
                    color=BANNER_RED if emphasised else INK, parse_math=False)  # fmt: skip
