"""Make the benchmark's incidents once per run, in a temporary folder: rows, CSV files, stores."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd

from geo.demo import generate_demo
from geo.layers import Layers
from geo.query import Filter
from geo.schema import DISPLAY_ZONES
from geo.settings import REPO_DATA_DIR
from geo.store import open_store
from geo.writers import write_incidents

SEED: Final = 17
ZONE: Final = "America/Santiago"
DEFAULT_CENTER: Final = (-18.3, -70.3)  # (lat, lon): the map's default view (dashboard.map_view)
DEFAULT_ZOOM: Final = 10
WINDOW_DAYS: Final = 30
CROSSING: Final = "chacalluta"


def demo_rows(largest: int, layers: Layers) -> gpd.GeoDataFrame:
    """Return `largest` seeded synthetic incidents (geo.demo), sorted by time."""
    return generate_demo(largest, SEED, layers)


def every_kth(rows: gpd.GeoDataFrame, n: int) -> gpd.GeoDataFrame:
    """Return n rows spread evenly over `rows` (every k-th: the same months, n of them)."""
    if not 0 < n <= len(rows):
        raise ValueError(f"n: {n} is not between 1 and the {len(rows)} generated rows")
    step = len(rows) // n
    return rows.iloc[::step].iloc[:n].reset_index(drop=True)


def write_csv(rows: gpd.GeoDataFrame, folder: Path) -> Path:
    """Write `rows` as the CSV `hito ingest` reads; return its path."""
    path = folder / f"incidents_{len(rows)}.csv"
    write_incidents(rows, path)
    return path


def write_store(enriched: gpd.GeoDataFrame, folder: Path) -> Path:
    """Ingest the enriched rows into a new GeoPackage store in `folder`; return its path."""
    path = folder / f"store_{len(enriched)}.gpkg"
    store = open_store(path)
    try:
        store.init()
        store.ingest(enriched, file_name=f"incidents_{len(enriched)}.csv")
    finally:
        store.close()
    return path


def data_folder_copy(folder: Path) -> Path:
    """Copy the repo's data/ (without its store) into `folder`, for HITO_DATA_DIR: the app
    then never writes next to the repo's data/hito.gpkg."""
    target = folder / "data"
    if not target.exists():
        shutil.copytree(REPO_DATA_DIR, target, ignore=shutil.ignore_patterns("hito.gpkg*"))
    return target


@dataclass(frozen=True)
class Views:
    """The filters the figures use, read from the data's local day span."""

    full: Filter  # every day of the data
    last_days: Filter  # the last WINDOW_DAYS days
    last_days_crossing: Filter  # the same, one crossing


def views_of(times_utc: pd.Series) -> Views:
    """Return the full-range, 30-day and 30-day + one crossing filters (display zone ZONE)."""
    first, last = local_day_span(times_utc)
    start = max(first, last - timedelta(days=WINDOW_DAYS - 1))
    window = Filter(start=start, end=last, zone=ZONE)
    return Views(
        full=Filter(start=first, end=last, zone=ZONE),
        last_days=window,
        last_days_crossing=Filter(start=start, end=last, zone=ZONE, crossings=(CROSSING,)),
    )


def local_day_span(times_utc: pd.Series) -> tuple[date, date]:
    """Return the earliest and latest local day of the times across the display zones (the
    dashboard's default date range)."""
    valid = times_utc.dropna()
    if valid.empty:
        raise ValueError("times: no incident has a time")
    lo, hi = valid.min(), valid.max()
    firsts = [lo.tz_convert(zone).date() for zone in DISPLAY_ZONES]
    lasts = [hi.tz_convert(zone).date() for zone in DISPLAY_ZONES]
    return min(firsts), max(lasts)
