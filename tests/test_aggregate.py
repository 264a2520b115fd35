"""Tests for geo.aggregate: zero-filled daily/weekly counts, totals, the vocabulary check."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pandas as pd
import pytest

from geo.aggregate import aggregate, check_categories, totals
from geo.query import prepare
from geo.schema import CATEGORIES

# Zone facts (tz database): America/Lima is UTC−5 all year; America/Santiago is UTC−3
# from 2025-09-07 04:00 UTC until 2026-04-05 03:00 UTC.


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Incidents with the columns aggregate and totals read; each row needs `at` (UTC ISO)."""
    defaults = {"category": "other", "crossing": None, "people": None, "verified": False,
                "between": False}  # fmt: skip
    full = [{**defaults, **row} for row in rows]
    return pd.DataFrame(
        {
            "occurred_at": pd.to_datetime([r["at"] for r in full], utc=True),
            "category": pd.array([r["category"] for r in full], dtype="string"),
            "crossing": pd.array([r["crossing"] for r in full], dtype="string"),
            "people_count": pd.array([r["people"] for r in full], dtype="Int64"),
            "verified": pd.array([r["verified"] for r in full], dtype="boolean"),
            "between_complexes": [r["between"] for r in full],
        }
    )


# --- aggregate ----------------------------------------------------------------------------


def test_daily_counts_are_zero_filled_for_days_without_incidents() -> None:
    data = frame(
        [
            {"at": "2026-01-01T12:00Z", "people": 3},
            {"at": "2026-01-01T13:00Z", "people": None},
            {"at": "2026-01-04T12:00Z", "people": 2},
        ]
    )
    out = aggregate(data, freq="day", by=None, zone="UTC")
    assert list(out.columns) == ["period", "incidents", "people"]
    assert list(out["period"]) == [date(2026, 1, d) for d in (1, 2, 3, 4)]
    assert list(out["incidents"]) == [2, 0, 0, 1]
    assert list(out["people"]) == [3, 0, 0, 2]


def test_daily_counts_by_crossing_cover_every_crossing_and_none() -> None:
    data = frame(
        [
            {"at": "2026-01-01T12:00Z", "crossing": "santa-rosa", "people": 4},
            {"at": "2026-01-02T12:00Z", "crossing": None, "people": 1},
        ]
    )
    out = aggregate(data, freq="day", by="crossing", zone="UTC")
    assert list(out.columns) == ["period", "crossing", "incidents", "people"]
    assert list(out["crossing"]) == ["santa-rosa", "none", "santa-rosa", "none"]
    assert list(out["incidents"]) == [1, 0, 0, 1]
    assert list(out["people"]) == [4, 0, 0, 1]


def test_counts_by_category_use_the_full_vocabulary() -> None:
    data = frame([{"at": "2026-01-01T12:00Z", "category": "protest"}])
    out = aggregate(data, freq="day", by="category", zone="UTC")
    assert list(out["category"]) == list(CATEGORIES)
    assert out.set_index("category")["incidents"].to_dict() == {
        c: int(c == "protest") for c in CATEGORIES
    }


def test_weekly_bins_start_on_monday() -> None:
    data = frame(
        [
            {"at": "2026-01-04T12:00Z"},  # Sunday -> week of Monday 29 Dec 2025
            {"at": "2026-01-05T12:00Z"},  # Monday
            {"at": "2026-01-11T12:00Z"},  # Sunday, same week
            {"at": "2026-01-20T12:00Z"},  # Tuesday, two weeks on
        ]
    )
    out = aggregate(data, freq="week", by=None, zone="UTC")
    assert list(out["period"]) == [
        date(2025, 12, 29),
        date(2026, 1, 5),
        date(2026, 1, 12),
        date(2026, 1, 19),
    ]
    assert all(p.weekday() == 0 for p in out["period"])
    assert list(out["incidents"]) == [1, 2, 0, 1]


def test_aggregate_reads_days_in_the_display_zone() -> None:
    data = frame([{"at": "2025-12-01T03:30Z"}])
    assert list(aggregate(data, freq="day", by=None, zone="America/Lima")["period"]) == [
        date(2025, 11, 30)
    ]
    assert list(aggregate(data, freq="day", by=None, zone="America/Santiago")["period"]) == [
        date(2025, 12, 1)
    ]


def test_start_and_end_set_the_grid_and_drop_rows_outside() -> None:
    data = frame(
        [{"at": "2026-01-01T12:00Z"}, {"at": "2026-01-03T12:00Z"}, {"at": "2026-01-09T12:00Z"}]
    )
    out = aggregate(
        data, freq="day", by=None, zone="UTC", start=date(2026, 1, 2), end=date(2026, 1, 5)
    )
    assert list(out["period"]) == [date(2026, 1, d) for d in (2, 3, 4, 5)]
    assert list(out["incidents"]) == [0, 1, 0, 0]


def test_aggregate_of_no_rows() -> None:
    empty = frame([{"at": "2026-01-01T12:00Z"}]).iloc[:0]
    assert aggregate(empty, freq="day", by=None, zone="UTC").empty
    zeros = aggregate(
        empty, freq="day", by="crossing", zone="UTC", start=date(2026, 1, 1), end=date(2026, 1, 2)
    )
    assert list(zeros["crossing"]) == ["none", "none"]
    assert list(zeros["incidents"]) == [0, 0]


def test_aggregate_works_on_prepared_categorical_frames() -> None:
    prepared = prepare(
        frame(
            [
                {"at": "2026-01-02T12:00Z", "crossing": "santa-rosa", "category": "detention"},
                {"at": "2026-01-01T12:00Z", "crossing": "chacalluta", "category": "protest"},
                {"at": "2026-01-03T12:00Z"},
            ]
        )
    )
    assert isinstance(prepared["crossing"].dtype, pd.CategoricalDtype)
    by_crossing = aggregate(prepared, freq="day", by="crossing", zone="UTC")
    assert set(by_crossing["crossing"]) == {"chacalluta", "santa-rosa", "none"}
    assert int(by_crossing["incidents"].sum()) == 3
    by_category = aggregate(prepared, freq="day", by="category", zone="UTC")
    assert by_category.groupby("category")["incidents"].sum()["protest"] == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"freq": "month", "by": None, "zone": "UTC"}, "freq 'month'"),
        ({"freq": "day", "by": "region", "zone": "UTC"}, "by 'region'"),
        ({"freq": "day", "by": None, "zone": "Europe/Paris"}, "zone 'Europe/Paris'"),
    ],
)
def test_aggregate_rejects_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        aggregate(frame([{"at": "2026-01-01T12:00Z"}]), **kwargs)


def test_aggregate_rejects_categories_outside_the_vocabulary() -> None:
    with pytest.raises(ValueError, match=r"category values \['riot'\]"):
        aggregate(
            frame([{"at": "2026-01-01T12:00Z", "category": "riot"}]),
            freq="day",
            by="category",
            zone="UTC",
        )


# --- totals -------------------------------------------------------------------------------


def test_totals_count_nulls_as_zero_people() -> None:
    data = frame(
        [
            {"at": "2026-01-01T12:00Z", "people": 5, "verified": True, "between": True},
            {"at": "2026-01-02T12:00Z", "people": None, "verified": None},
            {"at": "2026-01-03T12:00Z", "people": 2, "verified": True},
        ]
    )
    assert totals(data) == {"incidents": 3, "people": 7, "between_complexes": 1, "verified": 2}
    assert all(type(v) is int for v in totals(data).values())


def test_totals_need_enriched_incidents() -> None:
    with pytest.raises(ValueError, match="between_complexes"):
        totals(frame([{"at": "2026-01-01T12:00Z"}]).drop(columns="between_complexes"))


def test_aggregate_periods_are_plain_dates() -> None:
    out = aggregate(frame([{"at": "2026-01-01T12:00Z"}]), freq="week", by=None, zone="UTC")
    assert type(out["period"].iloc[0]) is date
    assert out["incidents"].dtype == "int64"
    assert out["people"].dtype == "int64"


def test_check_categories_names_the_caller_and_every_unknown_value() -> None:
    check_categories(["protest", "other"], "anyone")  # the vocabulary passes
    with pytest.raises(ValueError, match=r"^prepare: category values \['Riot', 'riot'\] are not"):
        check_categories(["riot", "protest", "Riot"], "prepare")


def test_prepare_and_aggregate_reject_the_same_value_with_the_same_words() -> None:
    data = frame([{"at": "2026-01-01T12:00Z", "category": "riot"}])
    expected = re.escape(f": category values ['riot'] are not in {list(CATEGORIES)}")
    with pytest.raises(ValueError, match=f"^prepare{expected}$"):
        prepare(data)
    with pytest.raises(ValueError, match=f"^aggregate{expected}$"):
        aggregate(data, freq="day", by="category", zone="UTC")
