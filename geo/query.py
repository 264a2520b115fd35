"""Select incidents with one Filter: a date window read in a display zone, then value masks."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.aggregate import aggregate, check_categories, totals
from geo.schema import CATEGORIES, DISPLAY_ZONES, ZONE_BY_SIDE

__all__ = ["CATEGORICAL_COLUMNS", "Filter", "aggregate", "apply_filter", "prepare", "totals"]

# Columns turned into pandas categoricals by prepare() (when present).
CATEGORICAL_COLUMNS: tuple[str, ...] = ("category", "crossing", "region", "side", "country")
SIDES: tuple[str, ...] = tuple(ZONE_BY_SIDE)


@dataclass(frozen=True)
class Filter:
    """What to show: the one object the sidebar builds, the URL carries and captions print."""

    start: date | None = None  # inclusive, a calendar day in `zone`
    end: date | None = None  # inclusive, a calendar day in `zone`
    zone: str = "America/Santiago"  # the display zone the dates are read in
    crossings: tuple[str, ...] = ()  # crossing ids; empty = all
    categories: tuple[str, ...] = ()  # geo.schema.CATEGORIES; empty = all
    regions: tuple[str, ...] = ()  # region ids (CL-AP, PE-TAC); empty = all
    sides: tuple[str, ...] = ()  # CL / PE; empty = both
    bbox: tuple[float, float, float, float] | None = None  # minx, miny, maxx, maxy (EPSG:4326)

    def __post_init__(self) -> None:
        _check_day("start", self.start)
        _check_day("end", self.end)
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ValueError(f"Filter: start {self.start} is after end {self.end}")
        if self.zone not in DISPLAY_ZONES:
            raise ValueError(f"Filter.zone: {self.zone!r} is not one of {list(DISPLAY_ZONES)}")
        _check_names("crossings", self.crossings)
        _check_names("regions", self.regions)
        _check_names("categories", self.categories, allowed=CATEGORIES)
        _check_names("sides", self.sides, allowed=SIDES)
        _check_bbox(self.bbox)

    def utc_window(self) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """Return [start 00:00, end + 1 day 00:00) in `zone`, as UTC instants (None = open)."""
        first = None if self.start is None else _local_midnight_utc(self.start, self.zone)
        after = None
        if self.end is not None:
            after = _local_midnight_utc(self.end + timedelta(days=1), self.zone)
        return first, after

    def describe(self) -> str:
        """Return one line for captions, naming the zone the dates are read in."""
        parts = [f"{self._describe_dates()} ({self.zone})"]
        parts.append(_describe_values("crossings", self.crossings))
        parts.append(_describe_values("categories", self.categories))
        if self.regions:
            parts.append(_describe_values("regions", self.regions))
        if self.sides:
            parts.append(_describe_values("sides", self.sides))
        if self.bbox is not None:
            parts.append("box: " + ", ".join(f"{v:g}" for v in self.bbox))
        return " · ".join(parts)

    def validate_against(self, crossing_ids: Iterable[str], region_ids: Iterable[str]) -> None:
        """Raise ValueError if the filter names a crossing or region the layers do not have."""
        for field, chosen, known in (
            ("crossings", self.crossings, set(crossing_ids)),
            ("regions", self.regions, set(region_ids)),
        ):
            unknown = [value for value in chosen if value not in known]
            if unknown:
                raise ValueError(f"Filter.{field}: unknown {unknown}; known: {sorted(known)}")

    def _describe_dates(self) -> str:
        if self.start is not None and self.end is not None:
            return f"{self.start.isoformat()} – {self.end.isoformat()}"
        if self.start is not None:
            return f"from {self.start.isoformat()}"
        if self.end is not None:
            return f"until {self.end.isoformat()}"
        return "all dates"


def prepare(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy sorted by occurred_at, with categorical labels and a fresh RangeIndex.

    Run once at load; apply_filter relies on the sort. `category` gets the full
    vocabulary as its categories; crossing / region / side / country get the values present.
    """
    _check_times(incidents)
    if incidents["occurred_at"].is_monotonic_increasing:
        out = incidents.reset_index(drop=True)  # a new frame: the input stays untouched
    else:
        out = incidents.sort_values("occurred_at", kind="stable").reset_index(drop=True)
    if "category" in out.columns:
        out["category"] = _vocabulary_categorical(out["category"])
    for column in CATEGORICAL_COLUMNS[1:]:
        if column in out.columns:
            out[column] = _categorical(out[column])
    return out


def apply_filter(incidents: gpd.GeoDataFrame, flt: Filter) -> gpd.GeoDataFrame:
    """Return the rows of a prepare()d frame that pass `flt` (a copy; index labels kept)."""
    times = incidents["occurred_at"]
    if not times.is_monotonic_increasing:
        raise ValueError("apply_filter: occurred_at is not sorted; run geo.query.prepare() first")
    first, after = flt.utc_window()
    lo = 0 if first is None else int(times.searchsorted(first, side="left"))
    hi = len(times) if after is None else int(times.searchsorted(after, side="left"))
    window = incidents.iloc[lo:hi]
    mask = _value_mask(window, flt)
    return window.copy() if mask is None else window[mask]


def _value_mask(window: gpd.GeoDataFrame, flt: Filter) -> np.ndarray | None:
    masks = [
        _isin(window, column, chosen)
        for column, chosen in (
            ("crossing", flt.crossings),
            ("category", flt.categories),
            ("region", flt.regions),
            ("side", flt.sides),
        )
        if chosen
    ]
    if flt.bbox is not None:
        minx, miny, maxx, maxy = flt.bbox
        geoms = window.geometry.array
        x, y = shapely.get_x(geoms), shapely.get_y(geoms)
        masks.append((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
    if not masks:
        return None
    return np.logical_and.reduce(masks)


def _isin(window: gpd.GeoDataFrame, column: str, chosen: tuple[str, ...]) -> np.ndarray:
    if column not in window.columns:
        hint = " (run geo.enrich first)" if column in ("region", "side") else ""
        raise ValueError(f"apply_filter: the frame has no column {column!r}{hint}")
    return window[column].isin(chosen).to_numpy(dtype=bool)


# --- helpers ------------------------------------------------------------------------------


def _local_midnight_utc(day: date, zone: str) -> pd.Timestamp:
    """First instant of `day` in `zone`, in UTC (a midnight skipped by DST moves forward)."""
    local = pd.Timestamp(day.year, day.month, day.day)
    return local.tz_localize(zone, ambiguous=True, nonexistent="shift_forward").tz_convert("UTC")


def _check_times(incidents: gpd.GeoDataFrame) -> None:
    if "occurred_at" not in incidents.columns:
        raise ValueError("prepare: column 'occurred_at' is missing")
    times = incidents["occurred_at"]
    if not isinstance(times.dtype, pd.DatetimeTZDtype) or str(times.dtype.tz) != "UTC":
        raise ValueError(f"prepare: occurred_at has dtype {times.dtype}, expected tz-aware UTC")
    missing = np.flatnonzero(times.isna().to_numpy())
    if missing.size:
        rows = list(incidents.index[missing[:5]])
        raise ValueError(f"prepare: occurred_at is missing in {missing.size} row(s), e.g. {rows}")


def _categorical(values: pd.Series) -> pd.Series:
    """String labels as a categorical whose categories are the sorted values present."""
    labels = values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")
    present = sorted(str(label) for label in labels.cat.categories)
    return labels.cat.set_categories(present)


def _vocabulary_categorical(values: pd.Series) -> pd.Series:
    labels = _categorical(values)
    check_categories(labels.cat.categories, "prepare")
    return labels.cat.set_categories(CATEGORIES)


def _check_day(field: str, value: object) -> None:
    if value is not None and (isinstance(value, datetime) or not isinstance(value, date)):
        raise TypeError(f"Filter.{field}: expected a datetime.date or None, got {value!r}")


def _check_names(field: str, values: object, allowed: tuple[str, ...] | None = None) -> None:
    if not isinstance(values, tuple) or not all(isinstance(v, str) for v in values):
        raise TypeError(f"Filter.{field}: expected a tuple of str, got {values!r}")
    if allowed is not None:
        unknown = [v for v in values if v not in allowed]
        if unknown:
            raise ValueError(f"Filter.{field}: unknown {unknown}; allowed: {list(allowed)}")


def _check_bbox(bbox: object) -> None:
    if bbox is None:
        return
    if not isinstance(bbox, tuple) or len(bbox) != 4:
        raise TypeError(f"Filter.bbox: expected (minx, miny, maxx, maxy) or None, got {bbox!r}")
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in bbox):
        raise ValueError(f"Filter.bbox: every value must be a finite number, got {bbox!r}")
    minx, miny, maxx, maxy = bbox
    if not (minx < maxx and miny < maxy):
        raise ValueError(f"Filter.bbox: {bbox!r} is not ordered (minx < maxx, miny < maxy)")
    if not (minx >= -180 and maxx <= 180 and miny >= -90 and maxy <= 90):
        raise ValueError(f"Filter.bbox: {bbox!r} is outside lon −180..180 / lat −90..90")


def _describe_values(field: str, values: tuple[str, ...]) -> str:
    return f"{field}: {', '.join(values)}" if values else f"all {field}"
