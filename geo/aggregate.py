"""Count incidents and people per local day or week, zero-filled, and sum headline totals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal, TypedDict

import numpy as np
import pandas as pd

from geo.schema import CATEGORIES, DISPLAY_ZONES

if TYPE_CHECKING:
    from geo.query import Filter

NO_CROSSING = "none"  # the `crossing` label aggregate() gives rows without a crossing


def aggregate(
    incidents: pd.DataFrame,
    *,
    freq: Literal["day", "week"],
    by: Literal["crossing", "category"] | None,
    zone: str,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """Return columns period, [<by>,] incidents, people, one row per period × value of `by`.

    `period` is a datetime.date in `zone` (weeks start on Monday). Rows whose local day
    falls outside [start, end] are not counted; every period from start (else the first
    day in the data) to end (else the last) appears, zero-filled, for every value of
    `by`: the full vocabulary for category; the crossing ids present plus "none".
    """
    _check_arguments(incidents, freq, by, zone, start, end)
    day = _local_days(incidents["occurred_at"], zone)
    inside = _within(day, start, end)
    columns = {
        "period": _period(day, freq).to_numpy(),
        "incidents": np.ones(len(day), dtype="int64"),
        "people": incidents["people_count"].fillna(0).to_numpy(dtype="int64"),
    }
    keys = ["period"]
    values: list[str] = []
    if by is not None:
        labels = _by_labels(incidents[by], by)
        columns[by] = labels.to_numpy(dtype=object)
        keys.append(by)
        values = _by_values(labels, by)
    frame = pd.DataFrame(columns)[inside]
    periods = _period_grid(day[inside], freq, start, end)
    return _zero_filled(frame, keys, periods, values)


def totals(incidents: pd.DataFrame) -> dict[str, int]:
    """Return incidents, people (nulls as 0), between_complexes and verified counts."""
    missing = [c for c in ("people_count", "between_complexes", "verified") if c not in incidents]
    if missing:
        raise ValueError(f"totals: missing column(s) {missing} (between_complexes: run enrich)")
    return {
        "incidents": len(incidents),
        "people": int(incidents["people_count"].fillna(0).sum()),
        "between_complexes": int(incidents["between_complexes"].astype(bool).sum()),
        "verified": int(incidents["verified"].fillna(False).astype(bool).sum()),
    }


def check_categories(values: Iterable[object], caller: str) -> None:
    """Raise ValueError, prefixed by `caller`, listing values not in geo.schema.CATEGORIES."""
    unknown = sorted(set(values) - set(CATEGORIES), key=str)
    if unknown:
        raise ValueError(f"{caller}: category values {unknown} are not in {list(CATEGORIES)}")


# --- validate -----------------------------------------------------------------------------


def _check_arguments(
    incidents: pd.DataFrame,
    freq: str,
    by: str | None,
    zone: str,
    start: date | None,
    end: date | None,
) -> None:
    if freq not in ("day", "week"):
        raise ValueError(f"aggregate: freq {freq!r} is not 'day' or 'week'")
    if by not in (None, "crossing", "category"):
        raise ValueError(f"aggregate: by {by!r} is not None, 'crossing' or 'category'")
    if zone not in DISPLAY_ZONES:
        raise ValueError(f"aggregate: zone {zone!r} is not one of {list(DISPLAY_ZONES)}")
    if start is not None and end is not None and start > end:
        raise ValueError(f"aggregate: start {start} is after end {end}")
    needed = ["occurred_at", "people_count", *([by] if by else [])]
    missing = [column for column in needed if column not in incidents.columns]
    if missing:
        raise ValueError(f"aggregate: missing column(s) {missing}")


# --- compute ------------------------------------------------------------------------------


def _local_days(times: pd.Series, zone: str) -> pd.Series:
    """Local calendar day of each UTC instant, as naive midnight timestamps."""
    return times.dt.tz_convert(zone).dt.tz_localize(None).dt.floor("D")


def _period(day: pd.Series, freq: str) -> pd.Series:
    if freq == "day":
        return day
    return day - pd.to_timedelta(day.dt.dayofweek, unit="D")  # back to Monday


def _within(day: pd.Series, start: date | None, end: date | None) -> np.ndarray:
    inside = np.ones(len(day), dtype=bool)
    if start is not None:
        inside &= (day >= pd.Timestamp(start)).to_numpy()
    if end is not None:
        inside &= (day <= pd.Timestamp(end)).to_numpy()
    return inside


def _by_labels(values: pd.Series, by: str) -> pd.Series:
    labels = values.astype("string")
    if by == "crossing":
        return labels.fillna(NO_CROSSING)
    check_categories(labels.unique(), "aggregate")
    return labels


def _by_values(labels: pd.Series, by: str) -> list[str]:
    if by == "category":
        return list(CATEGORIES)
    present = sorted(set(labels.unique()) - {NO_CROSSING})
    return [*present, NO_CROSSING]


def _period_grid(
    day: pd.Series, freq: str, start: date | None, end: date | None
) -> pd.DatetimeIndex:
    first = pd.Timestamp(start) if start is not None else day.min()
    last = pd.Timestamp(end) if end is not None else day.max()
    if pd.isna(first) or pd.isna(last):
        return pd.DatetimeIndex([])
    if freq == "day":
        return pd.date_range(first, last, freq="D")
    first_monday = first - pd.Timedelta(days=first.dayofweek)
    last_monday = last - pd.Timedelta(days=last.dayofweek)
    return pd.date_range(first_monday, last_monday, freq="7D")


# --- assemble -----------------------------------------------------------------------------


def _zero_filled(
    frame: pd.DataFrame, keys: list[str], periods: pd.DatetimeIndex, values: list[str]
) -> pd.DataFrame:
    counts = frame.groupby(keys, sort=False)[["incidents", "people"]].sum()
    if len(keys) == 1:
        grid = pd.Index(periods, name="period")
    else:
        grid = pd.MultiIndex.from_product([periods, values], names=keys)
    out = counts.reindex(grid, fill_value=0).astype("int64").reset_index()
    out["period"] = np.asarray(out["period"].dt.date, dtype=object)
    if len(keys) > 1:
        out[keys[1]] = out[keys[1]].astype("string")
    return out[[*keys, "incidents", "people"]]


# --- headline figures with the change against the previous period -------------------------


class Kpis(TypedDict):
    """Headline figures of a filter, and of the period of equal length just before it."""

    incidents: int
    people: int
    between_complexes: int
    previous_start: date | None  # None when the filter has no start or no end
    # How much of the previous period the data covers: "full", "partial" (the data begins
    # inside it), "none" (the data begins on or after the filter's start: no comparison,
    # previous figures and deltas are None), or None when there is no previous period.
    previous_coverage: Coverage | None
    first_day: date | None  # the earliest incident's day in the filter's zone (None: no data)
    previous_end: date | None
    previous_incidents: int | None
    previous_people: int | None
    previous_between_complexes: int | None
    delta_incidents: int | None  # current − previous
    delta_people: int | None
    delta_between_complexes: int | None


KPI_FIGURES: tuple[str, ...] = ("incidents", "people", "between_complexes")
Coverage = Literal["full", "partial", "none"]


def kpis(prepared_incidents: pd.DataFrame, flt: Filter) -> Kpis:
    """Return incidents, people and between-complexes counts of `flt`, with their change.

    `prepared_incidents` comes from geo.query.prepare. The previous period has the same
    length in days and ends the day before `flt.start`, read in the same zone with every
    other criterion unchanged; it (and the deltas) are None unless `flt` has both dates and
    the data reaches back before `flt.start` (an empty period before the data begins is not
    a rise from zero). `previous_coverage` says how much of that period the data covers.
    """
    from geo.query import apply_filter  # geo.query imports this module: import at call time

    current = totals(apply_filter(prepared_incidents, flt))
    window = previous_window(flt.start, flt.end)
    earliest = _earliest(prepared_incidents["occurred_at"])
    coverage = None if window is None else _coverage(earliest, flt, window[0])
    previous = None
    if window is not None and coverage != "none":
        earlier = replace(flt, start=window[0], end=window[1])
        previous = totals(apply_filter(prepared_incidents, earlier))
    first_day = None if earliest is None else earliest.tz_convert(flt.zone).date()
    return _assemble_kpis(current, window, previous, coverage, first_day)


def _earliest(times: pd.Series) -> pd.Timestamp | None:
    earliest = times.min()
    return None if pd.isna(earliest) else pd.Timestamp(earliest)


def _coverage(earliest: pd.Timestamp | None, flt: Filter, previous_first_day: date) -> Coverage:
    """How much of the previous period (its first day up to `flt.start`) the data covers."""
    current_start, _ = flt.utc_window()
    previous_start, _ = replace(flt, start=previous_first_day).utc_window()
    if earliest is None or current_start is None or earliest >= current_start:
        return "none"
    return "partial" if previous_start is not None and earliest > previous_start else "full"


def previous_window(start: date | None, end: date | None) -> tuple[date, date] | None:
    """Return the [start, end] days of equal length just before [start, end], or None."""
    if start is None or end is None:
        return None
    if start > end:
        raise ValueError(f"previous_window: start {start} is after end {end}")
    length = end - start + timedelta(days=1)
    return start - length, start - timedelta(days=1)


def _assemble_kpis(
    current: dict[str, int],
    window: tuple[date, date] | None,
    previous: dict[str, int] | None,
    coverage: Coverage | None,
    first_day: date | None,
) -> Kpis:
    def before(name: str) -> int | None:
        return None if previous is None else previous[name]

    def change(name: str) -> int | None:
        return None if previous is None else current[name] - previous[name]

    return Kpis(
        incidents=current["incidents"],
        people=current["people"],
        between_complexes=current["between_complexes"],
        previous_start=None if window is None else window[0],
        previous_end=None if window is None else window[1],
        previous_coverage=coverage,
        first_day=first_day,
        previous_incidents=before("incidents"),
        previous_people=before("people"),
        previous_between_complexes=before("between_complexes"),
        delta_incidents=change("incidents"),
        delta_people=change("people"),
        delta_between_complexes=change("between_complexes"),
    )
