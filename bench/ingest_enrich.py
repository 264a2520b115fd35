"""Benchmark ingest + enrich throughput (rows/s) on generated CSV files; print JSON lines."""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from timing import median_seconds

from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.layers import Layers, load_layers
from geo.schema import CATEGORIES


def write_csv(path: Path, n: int, *, with_ids: bool, seed: int = 7) -> None:
    """Write n CSV rows with every canonical column, random points in the regions' bbox."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2025-10-01", tz="UTC").value
    stop = pd.Timestamp("2026-03-31", tz="UTC").value
    times = pd.to_datetime(rng.integers(start, stop, n), utc=True).floor("s")
    frame = pd.DataFrame(
        {
            "incident_id": [f"bench-{i}" for i in range(n)],
            "occurred_at": times.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "lat": rng.uniform(-18.9, -17.3, n).round(6),
            "lon": rng.uniform(-70.6, -69.5, n).round(6),
            "category": rng.choice(np.array(CATEGORIES), n),
            "crossing": rng.choice(np.array(["chacalluta", "santa-rosa", ""]), n),
            "people_count": rng.integers(0, 60, n),
            "nationalities": rng.choice(np.array(["VEN;COL", "HTI", "ECU;VEN", ""]), n),
            "source": "bench",
            "source_url": "https://example.org/report",
            "description": rng.choice(np.array(["grupo en la berma, con niños", "traslado"]), n),
            "verified": rng.random(n) < 0.6,
            "synthetic": True,
        }
    )
    if not with_ids:  # ingest then derives a stable hash id per row
        frame = frame.drop(columns="incident_id")
    frame.to_csv(path, index=False)


def measure(
    n: int, runs: int, layers: Layers, folder: Path, *, with_ids: bool
) -> list[dict[str, object]]:
    """Return the ingest, enrich and combined figures for n rows."""
    path = folder / f"incidents_{n}_{'ids' if with_ids else 'noids'}.csv"
    write_csv(path, n, with_ids=with_ids)
    result = read_incidents(path, layers=layers)
    if result.report.accepted != n:
        raise RuntimeError(f"bench file rejected rows: {result.report.problems[:3]}")
    ingest_s = median_seconds(lambda: read_incidents(path, layers=layers), runs)
    enrich_s = median_seconds(lambda: enrich(result.incidents, layers), runs)

    def ingest_and_enrich() -> object:
        return enrich(read_incidents(path, layers=layers).incidents, layers)

    both_s = median_seconds(ingest_and_enrich, runs)
    suffix = "" if with_ids else " (no ids: hashed)"
    return [
        {"name": "ingest" + suffix, "n": n, "runs": runs, "median_s": round(ingest_s, 4)},
        {"name": "enrich" + suffix, "n": n, "runs": runs, "median_s": round(enrich_s, 4)},
        {
            "name": "ingest+enrich" + suffix,
            "n": n,
            "runs": runs,
            "median_s": round(both_s, 4),
            "rows_per_s": round(n / both_s),
        },
    ]


def ingest_enrich_figure(
    path: Path, runs: int, layers: Layers
) -> tuple[dict[str, object], gpd.GeoDataFrame]:
    """Return the ingest+enrich figure of the CSV at `path` (rows/s, median of `runs`) and the
    enriched rows; raise if ingest rejects any row."""
    result = read_incidents(path, layers=layers)
    if result.report.problems:
        raise RuntimeError(f"{path}: ingest rejected rows: {result.report.problems[:3]}")
    n = result.report.accepted

    def ingest_and_enrich() -> gpd.GeoDataFrame:
        return enrich(read_incidents(path, layers=layers).incidents, layers)

    seconds = median_seconds(ingest_and_enrich, runs)
    figure: dict[str, object] = {
        "name": "ingest+enrich", "n": n, "runs": runs, "median_s": round(seconds, 4),
        "rows_per_s": round(n / seconds),
    }  # fmt: skip
    return figure, enrich(result.incidents, layers)


def main() -> None:
    """Run the benchmark at 1e5 and 1e6 rows (1e4 and 1e5 with --quick)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer runs")
    args = parser.parse_args()
    sizes, runs = ((10_000, 100_000), 3) if args.quick else ((100_000, 1_000_000), 5)
    layers = load_layers()
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            for with_ids in (True, False):
                for figure in measure(n, runs, layers, Path(folder), with_ids=with_ids):
                    print(json.dumps(figure), flush=True)


if __name__ == "__main__":
    main()
