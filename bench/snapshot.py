"""Benchmark PNG map snapshots at 1e4, 1e5 and 1e6 incidents; print medians as JSON lines."""

from __future__ import annotations

import argparse
import io
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from timing import median_seconds as timed_median

from geo.caption import SnapshotCaption, snapshot_caption
from geo.cells import add_cells
from geo.demo import generate_demo
from geo.layers import Layers, load_layers
from geo.map_policy import RenderPolicy
from geo.query import Filter
from geo.settings import data_dir
from geo.snapshot import ProjectedLayers, project_layers, render_snapshot, snapshot_figure
from geo.snapshot_incidents import category_codes, draw_points, incidents_in_view
from geo.snapshot_layout import Sizing

SIZES = (10_000, 100_000, 1_000_000)
QUICK_SIZES = (10_000, 100_000)


def median_seconds(task: Callable[[], object], runs: int) -> float:
    """Return the median wall time of `runs` calls of task (after one warm-up call)."""
    return timed_median(task, runs, warm_up=True)


def scatter_only(
    incidents: gpd.GeoDataFrame,
    projected: ProjectedLayers,
    view: tuple[float, float, float, float],
) -> bytes:
    """Draw every incident as a point on a bare 1600 × 1200 page and return the PNG."""
    figure = Figure(figsize=(16, 12), dpi=100)
    FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    geometries = np.asarray(incidents.geometry.array)
    lon, lat = shapely.get_x(geometries), shapely.get_y(geometries)
    in_view = incidents_in_view(lon, lat, view, projected)
    codes = category_codes(incidents["category"].iloc[in_view.rows])
    draw_points(ax, in_view, codes, Sizing(1.0, 100))
    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def run(sizes: tuple[int, ...], runs: int) -> None:
    """Print one JSON line per figure ({"name", "n", "runs", "median_s", ...})."""
    layers: Layers = load_layers()
    countries = gpd.read_file(data_dir() / "countries.geojson")
    began = time.perf_counter()
    plain = generate_demo(max(sizes), seed=11, layers=layers)
    # The dashboard's frame carries its H3 cells from load (geo.cells), so the snapshots
    # of the app are timed on such a frame; `hito snapshot` reads files without them.
    incidents = add_cells(plain)
    _print({"name": "snapshot setup: demo rows + H3 cells", "n": max(sizes),
            "seconds": round(time.perf_counter() - began, 3)})  # fmt: skip
    projected = project_layers(layers, countries)
    project_s = median_seconds(lambda: project_layers(layers, countries), runs)
    _print({"name": "snapshot project_layers", "n": 0, "runs": runs, "median_s": project_s})
    caption = _caption(incidents)
    baseline = median_seconds(lambda: render_snapshot(
        incidents.iloc[:0], layers, countries, caption, projected=projected), runs)  # fmt: skip
    _print({"name": "snapshot png, reference layers only", "n": 0, "runs": runs,
            "median_s": baseline})  # fmt: skip
    for size in sizes:
        frame = incidents.iloc[:size]
        seconds = median_seconds(partial(render_snapshot, frame, layers, countries, caption,
                                         projected=projected), runs)  # fmt: skip
        drawn = snapshot_figure(frame, layers, countries, caption, projected=projected).incidents
        _print({"name": "snapshot png", "n": size, "runs": runs, "median_s": seconds,
                "mode": drawn.mode, "resolution": drawn.resolution, "cells": drawn.cells,
                "vs_reference_only": round(seconds / baseline, 2)})  # fmt: skip
    _measure_largest(plain, incidents, layers, countries, projected, runs)


def _measure_largest(
    plain: gpd.GeoDataFrame,
    incidents: gpd.GeoDataFrame,
    layers: Layers,
    countries: gpd.GeoDataFrame,
    projected: ProjectedLayers,
    runs: int,
) -> None:
    """Time the largest size without H3 columns (the CLI's case), as points only, and
    every point drawn on a bare page."""
    caption = _caption(incidents)
    size = len(incidents)
    cli = median_seconds(partial(render_snapshot, plain, layers, countries, caption,
                                 projected=projected), runs)  # fmt: skip
    _print({"name": "snapshot png, rows without H3 columns", "n": size, "runs": runs,
            "median_s": cli})  # fmt: skip
    every_point = RenderPolicy(points_max=size)
    as_points = median_seconds(partial(render_snapshot, incidents, layers, countries, caption,
                                       projected=projected, policy=every_point), runs)  # fmt: skip
    _print({"name": "snapshot png, every incident a point", "n": size, "runs": runs,
            "median_s": as_points})  # fmt: skip
    view = snapshot_figure(incidents, layers, countries, caption, projected=projected).view
    scatter = median_seconds(lambda: scatter_only(incidents, projected, view), runs)
    _print({"name": "scatter only png", "n": size, "runs": runs, "median_s": scatter})


def _print(figure: dict[str, object]) -> None:
    rounded = {key: round(value, 4) if isinstance(value, float) else value
               for key, value in figure.items()}  # fmt: skip
    print(json.dumps(rounded), flush=True)


def _caption(incidents: gpd.GeoDataFrame) -> SnapshotCaption:
    generated = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)
    return snapshot_caption(incidents, Filter(), lang="es", generated_at=generated, source="demo")


def main() -> None:
    """Parse options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1e4 and 1e5 only, 3 runs")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per figure (≥ 3)")
    args = parser.parse_args()
    runs = max(3, args.runs or (3 if args.quick else 5))
    run(QUICK_SIZES if args.quick else SIZES, runs)


if __name__ == "__main__":
    main()
