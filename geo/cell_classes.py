"""Group per-cell incident counts into a few colour classes that every map and legend share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np

# ColorBrewer YlOrRd, 7 classes (Cynthia Brewer, colorbrewer2.org, Apache-2.0): light = few.
CELL_PALETTE: Final[tuple[str, ...]] = (
    "#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026",
)  # fmt: skip
_NICE_STEPS: Final = (1, 2, 5)


def class_starts(largest: int) -> list[int]:
    """Return the first count of each class (1-2-5 steps, at most len(CELL_PALETTE) classes)
    for cells holding 1 to `largest` incidents; the first class always starts at 1."""
    if largest < 1:
        return [1]
    nice = [step * 10**power for power in range(len(str(largest)) + 1) for step in _NICE_STEPS]
    starts = [value for value in nice if value <= largest]
    if len(starts) > len(CELL_PALETTE):
        picks = np.unique(np.round(np.linspace(0, len(starts) - 1, len(CELL_PALETTE))))
        starts = [starts[int(index)] for index in picks]
    return starts


def class_of(counts: np.ndarray, starts: list[int]) -> np.ndarray:
    """Return each count's class index (0 = fewest) for class_starts(...) `starts`."""
    return np.searchsorted(np.asarray(starts), np.asarray(counts), side="right") - 1


def class_colours(starts: list[int]) -> list[str]:
    """Return one palette colour per class, spread over the palette from light to dark."""
    if len(starts) == 1:
        return [CELL_PALETTE[-2]]
    picks = np.round(np.linspace(0, len(CELL_PALETTE) - 1, len(starts))).astype(int)
    return [CELL_PALETTE[index] for index in picks]


def class_labels(
    starts: list[int], largest: int, number: Callable[[int], str] = str
) -> list[str]:
    """Return "1", "2–4", "5–9", …, "500–812" for the classes (the last ends at `largest`);
    `number` writes each count (e.g. geo.i18n.format_int for thousands separators)."""
    ends = [start - 1 for start in starts[1:]] + [max(largest, starts[-1])]
    return [number(start) if start == end else f"{number(start)}–{number(end)}"
            for start, end in zip(starts, ends, strict=True)]  # fmt: skip
