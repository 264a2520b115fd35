"""Measure the in-process figures of issue 7: cells at load, filter+aggregate, snapshot PNG."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Final

import geopandas as gpd
from bench_data import DEFAULT_CENTER, DEFAULT_ZOOM, Views
from timing import median_seconds

from geo.aggregate import aggregate, kpis
from geo.caption import snapshot_caption
from geo.cells import add_cells
from geo.layers import Layers
from geo.map_policy import ASSUMED_VIEW_PX, RenderPolicy, plan_map, view_around
from geo.query import apply_filter, prepare
from geo.snapshot import render_snapshot
from geo.snapshot_layers import ProjectedLayers

Figure = dict[str, object]
SNAPSHOT_PX: Final = (1600, 1200)
GENERATED_AT: Final = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)  # a fixed caption time


def figure(name: str, n: int, runs: int, **values: object) -> Figure:
    """Return one JSON line's fields: name, n, runs, then the measured values."""
    return {"name": name, "n": n, "runs": runs, **values}


def seconds(value: float) -> float:
    """Round a duration for printing (0.1 ms)."""
    return round(value, 4)


def cells_at_load(enriched: gpd.GeoDataFrame, runs: int) -> tuple[Figure, gpd.GeoDataFrame]:
    """Time prepare (sort, categoricals) and geo.cells.add_cells on the enriched rows, as the
    dashboard does once at load; return the figures and the prepared frame with cells."""
    prepared = prepare(enriched)
    prepare_s = median_seconds(lambda: prepare(enriched), runs)
    cells_s = median_seconds(lambda: add_cells(prepared), runs)
    line = figure("cells at load", len(enriched), runs, median_s=seconds(cells_s),
                  prepare_s=seconds(prepare_s))  # fmt: skip
    return line, add_cells(prepared)


def filter_aggregate(prepared: gpd.GeoDataFrame, views: Views, runs: int) -> Figure:
    """Time one filter change's data work: apply_filter (30 days + one crossing), kpis, the
    timeline's aggregate and plan_map for the default view; each part's median too."""
    flt = views.last_days_crossing
    view = view_around(DEFAULT_CENTER, DEFAULT_ZOOM, ASSUMED_VIEW_PX)
    policy = RenderPolicy()
    filtered = apply_filter(prepared, flt)
    parts: dict[str, Callable[[], object]] = {
        "apply_filter": lambda: apply_filter(prepared, flt),
        "kpis": lambda: kpis(prepared, flt),
        "aggregate": lambda: aggregate(
            filtered, freq="day", by="category", zone=flt.zone, start=flt.start, end=flt.end
        ),
        "plan_map": lambda: plan_map(
            filtered, zoom=DEFAULT_ZOOM, latitude=DEFAULT_CENTER[0], view=view, policy=policy
        ),
    }

    def all_parts() -> object:
        shown = apply_filter(prepared, flt)
        kpis(prepared, flt)
        aggregate(shown, freq="day", by="category", zone=flt.zone, start=flt.start, end=flt.end)
        return plan_map(shown, zoom=DEFAULT_ZOOM, latitude=DEFAULT_CENTER[0], view=view,
                        policy=policy)  # fmt: skip

    total = median_seconds(all_parts, runs, warm_up=True)
    part_s = {name: seconds(median_seconds(task, runs)) for name, task in parts.items()}
    plan = plan_map(filtered, zoom=DEFAULT_ZOOM, latitude=DEFAULT_CENTER[0], view=view,
                    policy=policy)  # fmt: skip
    return figure("filter+aggregate", len(prepared), runs, median_s=seconds(total),
                  filtered=len(filtered), mode=plan.mode, parts_s=part_s)  # fmt: skip


def snapshot_png(
    prepared: gpd.GeoDataFrame,
    layers: Layers,
    countries: gpd.GeoDataFrame,
    projected: ProjectedLayers,
    views: Views,
    runs: int,
) -> Figure:
    """Time a 1600 × 1200 PNG snapshot (geo.snapshot.render_snapshot, as bench/snapshot.py
    does) of the full-range view; report its bytes too."""
    filtered = apply_filter(prepared, views.full)
    caption = snapshot_caption(filtered, views.full, lang="en", generated_at=GENERATED_AT,
                               source="bench")  # fmt: skip
    width, height = SNAPSHOT_PX

    def render() -> bytes:
        return render_snapshot(filtered, layers, countries, caption, width_px=width,
                               height_px=height, lang="en", projected=projected)  # fmt: skip

    png = render()
    return figure("snapshot png 1600x1200", len(prepared), runs,
                  median_s=seconds(median_seconds(render, runs)), png_bytes=len(png))  # fmt: skip
