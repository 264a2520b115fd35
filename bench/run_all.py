"""Run every benchmark of issue 7 and print one JSON line per figure, then one per target.

    .venv/bin/python bench/run_all.py [--quick] [--n 200,5000] [--runs R] [--skip app,browser]

Full: n = 1e4, 1e5, 1e6, medians of 5 runs; the naive MarkerCluster at 1e4 and 1e5; Chromium
at 1e5 and 1e6 (at 1e6 for the server's own peak memory). --quick: n = 1e4 and 1e5, medians
of 3 runs, the naive map at 1e4 only (3 runs), Chromium at 1e5. The rows are generated once
(geo.demo, the largest n; smaller n take every k-th row) into a temporary folder, never into
the repo, and reused by every figure: the CSV ingest reads, the frame the in-process figures
use, the GeoPackage store the app serves (HITO_STORE, with HITO_DATA_DIR a copy of data/).
The app's figures (server-side rerun, peak memory) come from bench/dashboard_rerun.py in a
subprocess, the painted map from bench/browser_paint.py in another; they print their own
JSON lines, passed on here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import folium
import geopandas as gpd
from bench_data import data_folder_copy, demo_rows, every_kth, views_of, write_csv, write_store
from figures import Figure, cells_at_load, figure, filter_aggregate, seconds, snapshot_png
from ingest_enrich import ingest_enrich_figure
from map_payload import naive_figures, payload_figure
from targets import check_targets

from geo.layers import Layers, load_layers
from geo.settings import data_dir
from geo.snapshot_layers import ProjectedLayers, project_layers

BENCH: Final = Path(__file__).resolve().parent
SIZES: Final = (10_000, 100_000, 1_000_000)
QUICK_SIZES: Final = (10_000, 100_000)
NAIVE_MAX: Final = 100_000  # the naive map is measured up to this many rows
BROWSER_SIZES: Final = (100_000, 1_000_000)
SKIPPABLE: Final = ("app", "browser", "naive", "snapshot")


@dataclass(frozen=True)
class Plan:
    """What one bench run measures: sizes, runs, and where the slow figures are taken."""

    sizes: tuple[int, ...]
    runs: int
    naive_sizes: tuple[int, ...]
    naive_runs: int
    browser_sizes: tuple[int, ...]
    skip: frozenset[str]


@dataclass(frozen=True)
class Reference:
    """What every figure draws with: the layers, country outlines, projected layers."""

    layers: Layers
    countries: gpd.GeoDataFrame
    projected: ProjectedLayers


def plan_from_args(argv: list[str] | None = None) -> Plan:
    """Return the Plan the command line asks for (see the module docstring)."""
    args = _parser().parse_args(argv)
    skip = frozenset(name for name in args.skip.split(",") if name)
    unknown = sorted(skip - set(SKIPPABLE))
    if unknown:
        raise SystemExit(f"--skip: unknown {unknown}; choose from {list(SKIPPABLE)}")
    if args.n:
        sizes = tuple(sorted({int(part) for part in args.n.split(",")}))
    else:
        sizes = QUICK_SIZES if args.quick else SIZES
    if min(sizes) < 1:
        raise SystemExit(f"--n: {args.n!r} must name positive row counts")
    runs = args.runs or (3 if args.quick else 5)
    naive_sizes = tuple(n for n in sizes if n <= (10_000 if args.quick else NAIVE_MAX))
    browser_sizes = (max(sizes),) if args.n else tuple(n for n in BROWSER_SIZES if n in sizes)
    return Plan(sizes, runs, naive_sizes, runs, browser_sizes, skip)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1e4 and 1e5, 3 runs (< 2 min)")
    parser.add_argument("--n", default="", help="comma-separated row counts instead")
    parser.add_argument("--runs", type=int, default=0, help="runs per median (default 5; 3)")
    parser.add_argument("--skip", default="", help=f"figures to leave out: {SKIPPABLE}")
    return parser


def emit(line: Figure, printed: list[Figure]) -> None:
    """Print one JSON line and keep it for the targets."""
    print(json.dumps(line), flush=True)
    printed.append(line)


def machine(stage: str) -> Figure:
    """Return the machine line: CPUs, memory, load average (others may share the machine)."""
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {"name": f"machine ({stage})", "cpus": os.cpu_count(),
            "mem_gb": round(memory_kb / 2**20, 1),
            "load_avg": [round(value, 2) for value in os.getloadavg()],
            "python": platform.python_version(), "folium": folium.__version__}  # fmt: skip


def main() -> None:
    """Run the plan; print every figure, then the targets and the run's duration."""
    plan = plan_from_args()
    began = time.perf_counter()
    printed: list[Figure] = []
    emit(machine("start"), printed)
    with tempfile.TemporaryDirectory(prefix="hito-bench-") as name:
        for line in run(plan, Path(name)):
            emit(line, printed)
    for line in check_targets(printed):
        emit(line, printed)
    emit(machine("end"), printed)
    total = time.perf_counter() - began
    emit({"name": "bench duration", "n": max(plan.sizes), "runs": 1, "median_s": seconds(total),
          "minutes": round(total / 60, 1)}, printed)  # fmt: skip
    failed = [line["name"] for line in printed if str(line["name"]).startswith("error: ")]
    if failed:
        raise SystemExit(f"failed: {failed}")


def run(plan: Plan, folder: Path) -> Iterator[Figure]:
    """Yield every figure of the plan, size by size, on rows generated once in `folder`."""
    layers = load_layers()
    countries = gpd.read_file(data_dir() / "countries.geojson")
    reference = Reference(layers, countries, project_layers(layers, countries))
    began = time.perf_counter()
    rows = demo_rows(max(plan.sizes), layers)
    yield figure("generate demo rows (once)", len(rows), 1,
                 median_s=seconds(time.perf_counter() - began))  # fmt: skip
    app_data = data_folder_copy(folder)
    for n in plan.sizes:
        yield from figures_at(n, every_kth(rows, n), plan, reference, folder, app_data)


def figures_at(
    n: int,
    rows: gpd.GeoDataFrame,
    plan: Plan,
    reference: Reference,
    folder: Path,
    app_data: Path,
) -> Iterator[Figure]:
    """Yield the figures of n rows: in process, then the app's (subprocesses)."""
    csv_path = write_csv(rows, folder)
    ingest_line, enriched = ingest_enrich_figure(csv_path, plan.runs, reference.layers)
    yield ingest_line
    cells_line, prepared = cells_at_load(enriched, plan.runs)
    yield cells_line
    views = views_of(prepared["occurred_at"])
    yield filter_aggregate(prepared, views, plan.runs)
    full = payload_figure(prepared, views.full, "full range", reference.layers,
                          reference.countries, plan.runs)  # fmt: skip
    yield full
    yield payload_figure(prepared, views.last_days, "30 days", reference.layers,
                         reference.countries, plan.runs)  # fmt: skip
    if "snapshot" not in plan.skip:
        yield snapshot_png(prepared, reference.layers, reference.countries,
                           reference.projected, views, plan.runs)  # fmt: skip
    if "naive" not in plan.skip and n in plan.naive_sizes:
        yield from naive_figures(prepared, views.full, full, plan.naive_runs)
    del prepared, rows
    if {"app", "browser"} <= plan.skip:
        return
    store = write_store(enriched, folder)
    del enriched
    environment = {**os.environ, "HITO_STORE": str(store), "HITO_DATA_DIR": str(app_data)}
    if "app" not in plan.skip:
        yield from subprocess_lines("dashboard_rerun.py", n, plan.runs, environment)
    if "browser" not in plan.skip and n in plan.browser_sizes:
        yield from subprocess_lines("browser_paint.py", n, plan.runs, environment)
    store.unlink()


def subprocess_lines(
    script: str, n: int, runs: int, environment: dict[str, str]
) -> Iterator[Figure]:
    """Run bench/`script` --n n --runs runs in its own process; yield its JSON lines."""
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--n", str(n), "--runs", str(runs)],
        env=environment, capture_output=True, text=True, check=False, cwd=BENCH.parent,
    )  # fmt: skip
    for text_line in done.stdout.splitlines():
        if text_line.strip():
            yield json.loads(text_line)
    if done.returncode != 0:  # said in a line of its own; the other figures still run
        tail = done.stderr.strip().splitlines()[-12:]
        yield {"name": f"error: bench/{script}", "n": n, "exit_code": done.returncode,
               "stderr_tail": tail}  # fmt: skip


if __name__ == "__main__":
    main()
