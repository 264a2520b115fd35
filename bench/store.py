"""Benchmark the incident stores: ingest 1e5 / 1e6 enriched rows, then query by Filter; print JSON.

    .venv/bin/python bench/store.py [--quick] [--backends gpkg,postgis] [--runs 3] [--big-runs 1]

Each ingest goes into a new, empty store (GeoPackage: a file in a temporary folder;
PostGIS: a new database on $HITO_TEST_POSTGIS_URL's server, or on a cluster started with
scripts/postgis_cluster.py — durable settings, fsync on — and stopped at the end). Ingest
times include what a caller pays: validation, fingerprints, the writes and the commit. A
second ingest of the same rows (every row skipped) is timed once. Query latencies (after
one untimed warm-up call) are taken on the largest store: one month + one crossing, a
bbox, all rows, and a count. Medians: `--runs` runs at 1e5 rows, `--big-runs` at 1e6
(default 1: a 1e6 ingest takes tens of seconds). `--quick` measures 1e5 rows only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from pathlib import Path
from typing import Final

import geopandas as gpd
import psycopg
from timing import median_seconds

from geo.demo import generate_demo
from geo.enrich import enrich
from geo.layers import load_layers
from geo.query import Filter
from geo.store import Store, open_store
from geo.store.fingerprint import fingerprints

SIZES: Final = (100_000, 1_000_000)
QUICK_SIZES: Final = (100_000,)
BACKENDS: Final = ("gpkg", "postgis")
SEED: Final = 5
URL_ENV: Final = "HITO_TEST_POSTGIS_URL"
CLUSTER_SCRIPT: Final = Path(__file__).resolve().parents[1] / "scripts" / "postgis_cluster.py"
QUERIES: Final[dict[str, tuple[Filter | None, int]]] = {  # name -> (filter, timed runs)
    "month_one_crossing": (
        Filter(start=date(2025, 12, 1), end=date(2025, 12, 31), crossings=("chacalluta",)),
        5,
    ),
    "bbox": (Filter(bbox=(-70.35, -18.35, -70.25, -18.25)), 3),
    "all_rows": (None, 3),
}


class Locations:
    """Hands out new, empty store locations for each backend."""

    def __init__(self, folder: Path, postgis_base: str | None) -> None:
        self._folder = folder
        self._postgis_base = postgis_base
        self._made = 0
        self.databases: list[str] = []

    def fresh(self, backend: str) -> str:
        """Return the URL of a new empty store of `backend`."""
        self._made += 1
        if backend == "gpkg":
            return str(self._folder / f"bench-{self._made}.gpkg")
        if self._postgis_base is None:
            raise RuntimeError("no PostGIS server for the benchmark")
        name = f"hito_bench_{os.getpid()}_{self._made}"
        with psycopg.connect(self._postgis_base, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        self.databases.append(name)
        return _database_url(self._postgis_base, name)


def main() -> None:
    """Run the benchmark the command line asks for; print one JSON line per figure."""
    args = _parser().parse_args()
    backends = tuple(name for name in args.backends.split(",") if name)
    unknown = sorted(set(backends) - set(BACKENDS))
    if unknown:
        raise SystemExit(f"unknown backend(s) {unknown}; choose from {list(BACKENDS)}")
    sizes = QUICK_SIZES if args.quick else SIZES
    with _locations("postgis" in backends) as locations:
        _run(locations, backends, sizes, {sizes[0]: args.runs, 1_000_000: args.big_runs})


def _run(
    locations: Locations, backends: tuple[str, ...], sizes: tuple[int, ...], runs: dict[int, int]
) -> None:
    layers = load_layers()
    for size in sizes:
        rows = enrich(generate_demo(size, SEED, layers), layers)
        seconds = _seconds(partial(fingerprints, rows))
        _emit(task="fingerprints", rows=size, runs=1, seconds=seconds)
        for backend in backends:
            store = _bench_ingest(locations, backend, rows, runs.get(size, 1))
            if size == sizes[-1]:
                _bench_queries(backend, store, size)
            store.close()


def _bench_ingest(locations: Locations, backend: str, rows: gpd.GeoDataFrame, runs: int) -> Store:
    """Time `runs` ingests of `rows` into new stores; return the last store (open)."""
    timings: list[float] = []
    store: Store | None = None
    for _ in range(runs):
        if store is not None:
            store.close()
        store = open_store(locations.fresh(backend))
        store.init()
        timings.append(_seconds(partial(store.ingest, rows, file_name="bench.csv")))
    assert store is not None
    median = sorted(timings)[len(timings) // 2]
    _emit(backend=backend, task="ingest", rows=len(rows), runs=runs, seconds=median)
    again = _seconds(partial(store.ingest, rows, file_name="bench.csv"))
    _emit(backend=backend, task="ingest_again_all_skipped", rows=len(rows), runs=1, seconds=again)
    return store


def _bench_queries(backend: str, store: Store, stored: int) -> None:
    for name, (flt, runs) in QUERIES.items():
        found = len(store.query(flt))  # also the warm-up call
        seconds = median_seconds(partial(store.query, flt), runs)
        _emit(backend=backend, task=f"query_{name}", stored=stored, rows=found, runs=runs,
              seconds=seconds)  # fmt: skip
    month = QUERIES["month_one_crossing"][0]
    counted = store.count(month)
    seconds = median_seconds(partial(store.count, month), 5)
    _emit(backend=backend, task="count_month_one_crossing", stored=stored, rows=counted, runs=5,
          seconds=seconds)  # fmt: skip


def _emit(*, seconds: float, rows: int, **fields: object) -> None:
    line: dict[str, object] = {**fields, "rows": rows, "median_s": round(seconds, 4)}
    if str(fields.get("task", "")).startswith(("ingest", "fingerprints")):
        line["rows_per_s"] = round(rows / seconds) if seconds > 0 else None
    print(json.dumps(line), flush=True)


def _seconds(task: Callable[[], object]) -> float:
    began = time.perf_counter()
    task()
    return time.perf_counter() - began


@contextlib.contextmanager
def _locations(with_postgis: bool) -> Iterator[Locations]:
    """Yield Locations in a temporary folder, with a PostGIS server when asked for."""
    with tempfile.TemporaryDirectory(prefix="hito-bench-") as folder:
        given = os.environ.get(URL_ENV)
        # The cluster's own folder: the server user must reach it, so not inside `folder`.
        cluster = Path(tempfile.mkdtemp(prefix="hito-pg-")) if with_postgis and not given else None
        base = given or (_cluster("start", cluster) if cluster is not None else None)
        locations = Locations(Path(folder), base)
        try:
            yield locations
        finally:
            if cluster is not None:
                _cluster("stop", cluster)
                shutil.rmtree(cluster, ignore_errors=True)
            elif base is not None:
                _drop(base, locations.databases)


def _cluster(command: str, folder: Path) -> str:
    done = subprocess.run(
        [sys.executable, str(CLUSTER_SCRIPT), command, "--dir", str(folder)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"scripts/postgis_cluster.py {command}: {done.stderr.strip()}")
    return done.stdout.strip()


def _drop(base: str, databases: list[str]) -> None:
    with psycopg.connect(base, autocommit=True) as admin:
        for name in databases:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _database_url(url: str, database: str) -> str:
    head, _, tail = url.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{database}" + (f"?{tail}" if tail else "")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1e5 rows only")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="gpkg,postgis")
    parser.add_argument("--runs", type=int, default=3, help="ingest runs at 1e5 rows")
    parser.add_argument("--big-runs", type=int, default=1, help="ingest runs at 1e6 rows")
    return parser


if __name__ == "__main__":
    main()
