"""Measure the map page the dashboard sends for one view: bytes and seconds to build it."""

from __future__ import annotations

import statistics
import time

import geopandas as gpd
from bench_data import DEFAULT_CENTER, DEFAULT_ZOOM, ZONE
from figures import Figure, figure, seconds
from naive import naive_html
from timing import median_seconds

from geo.layers import Layers
from geo.map_incidents import map_incidents
from geo.map_policy import RenderPolicy
from geo.maps_folium import folium_map
from geo.query import Filter, apply_filter


def our_html(
    prepared: gpd.GeoDataFrame, flt: Filter, layers: Layers, countries: gpd.GeoDataFrame
) -> tuple[bytes, str]:
    """Return the dashboard's map page for `flt` at the default view, as UTF-8 bytes (filter,
    render policy, folium_map, rendered), and the mode the policy chose."""
    filtered = apply_filter(prepared, flt)
    shown, plan = map_incidents(filtered, zone=flt.zone, center=DEFAULT_CENTER,
                                zoom=DEFAULT_ZOOM, policy=RenderPolicy())  # fmt: skip
    page = folium_map(layers, countries, shown, lang="en", center=DEFAULT_CENTER,
                      zoom=DEFAULT_ZOOM, heat=False)  # fmt: skip
    mode = plan.mode if plan.cells is None else f"cells r{plan.cells.resolution}"
    return page.get_root().render().encode("utf-8"), mode


def payload_figure(
    prepared: gpd.GeoDataFrame,
    flt: Filter,
    label: str,
    layers: Layers,
    countries: gpd.GeoDataFrame,
    runs: int,
) -> Figure:
    """Return the map payload figure of one view: bytes, and the median seconds to make it."""
    page, mode = our_html(prepared, flt, layers, countries)
    took = median_seconds(lambda: our_html(prepared, flt, layers, countries), runs)
    return figure(f"map payload ({label})", len(prepared), runs, bytes=len(page),
                  median_s=seconds(took), mode=mode,
                  filtered=len(apply_filter(prepared, flt)))  # fmt: skip


def naive_figures(
    prepared: gpd.GeoDataFrame, flt: Filter, ours: Figure, runs: int
) -> list[Figure]:
    """Time the naive MarkerCluster page of `flt` on the same rows; return its figure and the
    comparison with `ours` (a payload_figure of the same filter)."""
    filtered = apply_filter(prepared, flt)
    timings, cpu_timings, size = [], [], 0
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        shown = apply_filter(prepared, flt)
        size = len(naive_html(shown, zone=ZONE, center=DEFAULT_CENTER, zoom=DEFAULT_ZOOM))
        timings.append(time.perf_counter() - began)
        cpu_timings.append(time.process_time() - began_cpu)
    took = statistics.median(timings)
    n = len(prepared)
    naive_line = figure("naive MarkerCluster map", n, runs, median_s=seconds(took), bytes=size,
                        cpu_s=seconds(statistics.median(cpu_timings)),
                        filtered=len(filtered))  # fmt: skip
    ours_s, ours_bytes = float(str(ours["median_s"])), int(str(ours["bytes"]))
    comparison = figure(
        "ours vs naive (full range)", n, runs, naive_s=seconds(took), ours_s=ours_s,
        naive_bytes=size, ours_bytes=ours_bytes,
        speedup=round(took / ours_s, 1), smaller=round(size / ours_bytes, 1),
    )  # fmt: skip
    return [naive_line, comparison]

