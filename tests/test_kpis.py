"""geo.aggregate.kpis: headline figures of a filter and their change against the period before."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from geo.aggregate import kpis, previous_window
from geo.query import Filter, prepare

# Zone facts (tz database): America/Lima is UTC−5 all year; America/Santiago is UTC−3
# from 2025-09-07 04:00 UTC until 2026-04-05 03:00 UTC.


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Prepared incidents with the columns kpis reads; each row needs `at` (UTC ISO)."""
    defaults = {"category": "other", "crossing": "chacalluta", "people": None,
                "between": False, "side": "CL"}  # fmt: skip
    full = [{**defaults, **row} for row in rows]
    data = pd.DataFrame(
        {
            "occurred_at": pd.to_datetime([r["at"] for r in full], utc=True),
            "category": pd.array([r["category"] for r in full], dtype="string"),
            "crossing": pd.array([r["crossing"] for r in full], dtype="string"),
            "people_count": pd.array([r["people"] for r in full], dtype="Int64"),
            "verified": pd.array([False] * len(full), dtype="boolean"),
            "between_complexes": [r["between"] for r in full],
            "side": pd.array([r["side"] for r in full], dtype="string"),
        }
    )
    return prepare(data)


DATA = frame(
    [
        # previous period of 10–12 Jan 2026 is 7–9 Jan 2026
        {"at": "2026-01-06T12:00Z", "people": 100},  # before both windows
        {"at": "2026-01-07T12:00Z", "people": 4, "between": True},
        {"at": "2026-01-09T12:00Z", "people": None, "crossing": "santa-rosa", "side": "PE"},
        {"at": "2026-01-10T12:00Z", "people": 7, "between": True},
        {"at": "2026-01-11T12:00Z", "people": 3, "crossing": "santa-rosa", "side": "PE"},
        {"at": "2026-01-12T12:00Z", "people": 5, "between": True, "category": "detention"},
        # 13 Jan 02:00 UTC is 12 Jan 21:00 in Lima and 12 Jan 23:00 in Santiago
        {"at": "2026-01-13T02:00Z", "people": 10},
        {"at": "2026-01-20T12:00Z", "people": 50},  # after both windows
    ]
)


def test_previous_window_has_the_same_length_and_ends_the_day_before() -> None:
    assert previous_window(date(2026, 1, 10), date(2026, 1, 12)) == (
        date(2026, 1, 7),
        date(2026, 1, 9),
    )
    assert previous_window(date(2026, 3, 1), date(2026, 3, 1)) == (
        date(2026, 2, 28),
        date(2026, 2, 28),
    )
    # 1 Dec 2025 – 31 Jan 2026 is 62 days; the 62 days before are 30 Sep – 30 Nov 2025
    assert previous_window(date(2025, 12, 1), date(2026, 1, 31)) == (
        date(2025, 9, 30),
        date(2025, 11, 30),
    )
    assert previous_window(None, date(2026, 1, 1)) is None
    assert previous_window(date(2026, 1, 1), None) is None
    with pytest.raises(ValueError, match="after end"):
        previous_window(date(2026, 1, 2), date(2026, 1, 1))


def test_kpis_count_the_window_and_the_one_before_in_utc() -> None:
    out = kpis(DATA, Filter(start=date(2026, 1, 10), end=date(2026, 1, 12), zone="UTC"))
    assert out == {
        "incidents": 3,
        "people": 15,
        "between_complexes": 2,
        "previous_start": date(2026, 1, 7),
        "previous_end": date(2026, 1, 9),
        "previous_coverage": "full",
        "first_day": date(2026, 1, 6),
        "previous_incidents": 2,
        "previous_people": 4,  # a missing count is 0
        "previous_between_complexes": 1,
        "delta_incidents": 1,
        "delta_people": 11,
        "delta_between_complexes": 1,
    }


def test_the_zone_reinterprets_the_window_and_the_previous_one() -> None:
    lima = kpis(DATA, Filter(start=date(2026, 1, 10), end=date(2026, 1, 12), zone="America/Lima"))
    assert (lima["incidents"], lima["people"]) == (4, 25)  # 13 Jan 02:00 UTC is 12 Jan in Lima
    assert lima["delta_people"] == 21


def test_other_criteria_apply_to_both_periods() -> None:
    flt = Filter(start=date(2026, 1, 10), end=date(2026, 1, 12), zone="UTC", sides=("PE",))
    out = kpis(DATA, flt)
    assert (out["incidents"], out["people"], out["previous_incidents"]) == (1, 3, 1)
    assert out["previous_people"] == 0
    assert out["delta_incidents"] == 0


def test_open_dates_have_no_previous_period() -> None:
    out = kpis(DATA, Filter(start=date(2026, 1, 10), zone="UTC"))
    assert (out["incidents"], out["people"]) == (5, 75)
    assert out["previous_start"] is None
    assert out["previous_incidents"] is None
    assert out["delta_people"] is None
    everything = kpis(DATA, Filter())
    assert (everything["incidents"], everything["people"]) == (8, 179)


def test_an_empty_window_counts_zero() -> None:
    out = kpis(DATA, Filter(start=date(2027, 1, 1), end=date(2027, 1, 31), zone="UTC"))
    assert (out["incidents"], out["people"], out["between_complexes"]) == (0, 0, 0)
    assert out["delta_incidents"] == 0


def test_no_comparison_when_the_data_begins_at_the_filter_start() -> None:
    # the data begins on 6 Jan: a period before it is unknown, not a rise from zero
    out = kpis(DATA, Filter(start=date(2026, 1, 6), end=date(2026, 1, 12), zone="UTC"))
    assert out["incidents"] == 6  # 6, 7, 9, 10, 11, 12 Jan (13 Jan 02:00 UTC is the 13th)
    assert out["previous_coverage"] == "none"
    assert (out["previous_start"], out["previous_end"]) == (date(2025, 12, 30), date(2026, 1, 5))
    assert out["previous_incidents"] is None
    assert out["delta_incidents"] is None
    assert out["delta_people"] is None


def test_partial_coverage_when_the_data_begins_inside_the_previous_period() -> None:
    # previous period of 8–12 Jan is 3–7 Jan; the data begins on 6 Jan
    out = kpis(DATA, Filter(start=date(2026, 1, 8), end=date(2026, 1, 12), zone="UTC"))
    assert out["previous_coverage"] == "partial"
    assert out["first_day"] == date(2026, 1, 6)
    assert (out["previous_incidents"], out["delta_incidents"]) == (2, 2)


def test_no_data_has_no_comparison() -> None:
    out = kpis(DATA.iloc[:0], Filter(start=date(2026, 1, 8), end=date(2026, 1, 12), zone="UTC"))
    assert (out["incidents"], out["previous_coverage"], out["first_day"]) == (0, "none", None)
    assert out["delta_incidents"] is None


def test_missing_enrichment_columns_are_named() -> None:
    with pytest.raises(ValueError, match="between_complexes"):
        kpis(DATA.drop(columns=["between_complexes"]), Filter())
