"""Tests for geo.query: Filter, its UTC windows across DST, prepare and apply_filter."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.query import Filter, apply_filter, prepare
from geo.schema import CATEGORIES

# Zone facts (copied from the project's reference notes, tz database): America/Santiago
# is UTC−3 from 2025-09-07 04:00 UTC until 2026-04-05 03:00 UTC, UTC−4 either side;
# America/Lima is UTC−5 all year.


def frame(rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    """Enriched-looking incidents; each row needs `at` (UTC ISO time), the rest has defaults."""
    defaults = {
        "category": "other",
        "crossing": None,
        "people": None,
        "verified": False,
        "region": "CL-AP",
        "side": "CL",
        "between": False,
        "lon": -70.31,
        "lat": -18.31,
    }
    full = [{**defaults, **row} for row in rows]
    return gpd.GeoDataFrame(
        {
            "incident_id": pd.array([f"i{k}" for k in range(len(full))], dtype="string"),
            "occurred_at": pd.to_datetime([r["at"] for r in full], utc=True),
            "category": pd.array([r["category"] for r in full], dtype="string"),
            "crossing": pd.array([r["crossing"] for r in full], dtype="string"),
            "people_count": pd.array([r["people"] for r in full], dtype="Int64"),
            "verified": pd.array([r["verified"] for r in full], dtype="boolean"),
            "region": pd.array([r["region"] for r in full], dtype="string"),
            "side": pd.array([r["side"] for r in full], dtype="string"),
            "country": pd.array([r["side"] for r in full], dtype="string"),
            "between_complexes": [r["between"] for r in full],
        },
        geometry=[Point(r["lon"], r["lat"]) for r in full],
        crs="EPSG:4326",
    )


def ids(result: pd.DataFrame) -> list[str]:
    return sorted(result["incident_id"])


def window(at: str, day: date, zone: str) -> bool:
    """Whether an incident at UTC instant `at` is counted on local `day` in `zone`."""
    prepared = prepare(frame([{"at": at}]))
    return len(apply_filter(prepared, Filter(start=day, end=day, zone=zone))) == 1


# --- prepare ------------------------------------------------------------------------------


def test_prepare_sorts_by_time_resets_index_and_makes_categoricals() -> None:
    given = frame(
        [
            {"at": "2026-01-03T10:00Z", "category": "protest", "crossing": "chacalluta"},
            {"at": "2026-01-01T10:00Z", "category": "detention"},
            {"at": "2026-01-02T10:00Z", "crossing": "santa-rosa"},
        ]
    ).set_index(pd.Index([7, 8, 9]))
    out = prepare(given)
    assert list(out["incident_id"]) == ["i1", "i2", "i0"]
    assert list(out.index) == [0, 1, 2]
    assert out["occurred_at"].is_monotonic_increasing
    for column in ("category", "crossing", "region", "side", "country"):
        assert isinstance(out[column].dtype, pd.CategoricalDtype), column
    assert tuple(out["category"].cat.categories) == CATEGORIES
    assert list(out["crossing"].cat.categories) == ["chacalluta", "santa-rosa"]
    assert list(given.index) == [7, 8, 9]  # input untouched
    assert given["category"].dtype == "string"


def test_prepare_rejects_unknown_category() -> None:
    given = frame([{"at": "2026-01-01T00:00Z", "category": "riot"}])
    with pytest.raises(ValueError, match=r"category values \['riot'\]"):
        prepare(given)


def test_prepare_rejects_naive_and_missing_times() -> None:
    naive = frame([{"at": "2026-01-01T00:00Z"}])
    naive["occurred_at"] = naive["occurred_at"].dt.tz_localize(None)
    with pytest.raises(ValueError, match="expected tz-aware UTC"):
        prepare(naive)
    missing = frame([{"at": "2026-01-01T00:00Z"}, {"at": "2026-01-02T00:00Z"}])
    missing.loc[1, "occurred_at"] = pd.NaT
    with pytest.raises(ValueError, match=r"missing in 1 row\(s\), e.g. \[1\]"):
        prepare(missing)


# --- time windows, DST --------------------------------------------------------------------


def test_before_chile_falls_back_an_instant_is_4_april_in_both_zones() -> None:
    assert window("2026-04-05T02:30Z", date(2026, 4, 4), "America/Santiago")  # 23:30 −03
    assert window("2026-04-05T02:30Z", date(2026, 4, 4), "America/Lima")  # 21:30 −05
    assert not window("2026-04-05T02:30Z", date(2026, 4, 5), "America/Santiago")


def test_the_repeated_hour_after_fall_back_still_belongs_to_4_april() -> None:
    # 03:30 UTC is 23:30 −04 on 4 Apr (the hour 23:00–24:00 happens twice); a fixed −03
    # offset would wrongly say 00:30 on 5 Apr.
    assert window("2026-04-05T03:30Z", date(2026, 4, 4), "America/Santiago")
    assert not window("2026-04-05T03:30Z", date(2026, 4, 5), "America/Santiago")
    assert window("2026-04-05T04:00Z", date(2026, 4, 5), "America/Santiago")  # 00:00 −04


def test_the_fall_back_day_lasts_25_hours_in_santiago() -> None:
    first, after = Filter(start=date(2026, 4, 4), end=date(2026, 4, 4)).utc_window()
    assert first == pd.Timestamp("2026-04-04T03:00Z")
    assert after == pd.Timestamp("2026-04-05T04:00Z")


def test_the_spring_forward_day_starts_at_the_skipped_midnight() -> None:
    # 7 Sep 2025: 00:00 −04 never happens in Santiago; the day starts at 01:00 −03 = 04:00 UTC.
    first, _ = Filter(start=date(2025, 9, 7), zone="America/Santiago").utc_window()
    assert first == pd.Timestamp("2025-09-07T04:00Z")
    assert window("2025-09-07T03:30Z", date(2025, 9, 6), "America/Santiago")  # 23:30 −04
    assert window("2025-09-07T04:00Z", date(2025, 9, 7), "America/Santiago")  # 01:00 −03


def test_the_same_instant_is_30_november_in_lima_and_1_december_in_santiago() -> None:
    at = "2025-12-01T03:30Z"  # 22:30 −05 in Lima, 00:30 −03 in Santiago
    assert window(at, date(2025, 11, 30), "America/Lima")
    assert not window(at, date(2025, 12, 1), "America/Lima")
    assert window(at, date(2025, 12, 1), "America/Santiago")
    assert not window(at, date(2025, 11, 30), "America/Santiago")
    assert window(at, date(2025, 12, 1), "UTC")


def test_open_ended_windows_and_inclusive_end_day() -> None:
    prepared = prepare(
        frame(
            [{"at": "2026-01-01T12:00Z"}, {"at": "2026-01-05T12:00Z"}, {"at": "2026-02-01T12:00Z"}]
        )
    )
    zone = "UTC"
    assert ids(apply_filter(prepared, Filter(start=date(2026, 1, 5), zone=zone))) == ["i1", "i2"]
    assert ids(apply_filter(prepared, Filter(end=date(2026, 1, 5), zone=zone))) == ["i0", "i1"]
    assert len(apply_filter(prepared, Filter(zone=zone))) == 3


# --- value filters ------------------------------------------------------------------------


@pytest.fixture
def mixed() -> gpd.GeoDataFrame:
    return prepare(
        frame(
            [
                {"at": "2026-01-01T12:00Z", "crossing": "chacalluta", "category": "protest"},
                {
                    "at": "2026-01-02T12:00Z",
                    "crossing": "santa-rosa",
                    "category": "detention",
                    "region": "PE-TAC",
                    "side": "PE",
                    "lon": -70.25,
                    "lat": -18.01,
                },
                {"at": "2026-01-03T12:00Z", "category": "protest", "lon": -70.30, "lat": -18.47},
                {
                    "at": "2026-01-04T12:00Z",
                    "crossing": "chacalluta",
                    "category": "other",
                    "region": None,
                    "side": "PE",
                    "lon": -70.80,
                    "lat": -18.00,
                },
            ]
        )
    )


def test_each_filter_dimension_selects_its_rows(mixed: gpd.GeoDataFrame) -> None:
    assert ids(apply_filter(mixed, Filter(crossings=("chacalluta",)))) == ["i0", "i3"]
    assert ids(apply_filter(mixed, Filter(categories=("protest",)))) == ["i0", "i2"]
    assert ids(apply_filter(mixed, Filter(regions=("PE-TAC",)))) == ["i1"]
    assert ids(apply_filter(mixed, Filter(sides=("PE",)))) == ["i1", "i3"]
    box = (-70.35, -18.50, -70.30, -18.31)  # edges inclusive: i0 sits on the top edge
    assert ids(apply_filter(mixed, Filter(bbox=box))) == ["i0", "i2"]


def test_filters_combine_with_and(mixed: gpd.GeoDataFrame) -> None:
    flt = Filter(
        start=date(2026, 1, 2), crossings=("chacalluta", "santa-rosa"), sides=("PE",), zone="UTC"
    )
    assert ids(apply_filter(mixed, flt)) == ["i1", "i3"]
    assert ids(apply_filter(mixed, Filter(categories=("protest",), regions=("PE-TAC",)))) == []


def test_empty_filter_returns_every_row_as_a_copy(mixed: gpd.GeoDataFrame) -> None:
    out = apply_filter(mixed, Filter())
    assert len(out) == len(mixed)
    out.loc[0, "people_count"] = 99
    assert pd.isna(mixed.loc[0, "people_count"])


def test_apply_filter_needs_a_prepared_frame() -> None:
    unsorted = frame([{"at": "2026-01-02T00:00Z"}, {"at": "2026-01-01T00:00Z"}])
    with pytest.raises(ValueError, match=r"run geo.query.prepare\(\) first"):
        apply_filter(unsorted, Filter())


def test_apply_filter_names_a_missing_enrichment_column(mixed: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match=r"no column 'region' \(run geo.enrich first"):
        apply_filter(mixed.drop(columns="region"), Filter(regions=("CL-AP",)))


# --- Filter validation and description ----------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"zone": "America/Arica"}, ValueError, "Filter.zone: 'America/Arica' is not one of"),
        ({"start": date(2026, 2, 1), "end": date(2026, 1, 1)}, ValueError, "is after end"),
        ({"bbox": (-70.0, -18.5, -70.5, -18.0)}, ValueError, "is not ordered"),
        ({"bbox": (-70.5, -18.0, -70.0, -18.5)}, ValueError, "is not ordered"),
        ({"bbox": (-70.5, -18.5, float("nan"), -18.0)}, ValueError, "finite number"),
        ({"bbox": (-200.0, -18.5, -70.0, -18.0)}, ValueError, "outside lon"),
        ({"bbox": (-70.5, -18.5, -70.0)}, TypeError, "expected \\(minx, miny, maxx, maxy\\)"),
        ({"categories": ("riot",)}, ValueError, "Filter.categories: unknown \\['riot'\\]"),
        ({"sides": ("BO",)}, ValueError, "Filter.sides: unknown \\['BO'\\]"),
        ({"crossings": ["chacalluta"]}, TypeError, "Filter.crossings: expected a tuple of str"),
        ({"start": datetime(2026, 1, 1, 5)}, TypeError, "Filter.start: expected a datetime.date"),
    ],
)
def test_filter_rejects_bad_fields(kwargs: dict[str, Any], error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        Filter(**kwargs)


def test_describe_names_dates_zone_and_choices() -> None:
    flt = Filter(
        start=date(2025, 12, 1),
        end=date(2026, 3, 31),
        zone="America/Lima",
        crossings=("chacalluta",),
    )
    assert (
        flt.describe()
        == "2025-12-01 – 2026-03-31 (America/Lima) · crossings: chacalluta · all categories"
    )
    wide = Filter(
        start=date(2026, 1, 1),
        categories=("protest", "detention"),
        regions=("CL-AP",),
        sides=("CL",),
        bbox=(-70.5, -18.5, -70.0, -18.0),
    )
    assert wide.describe() == (
        "from 2026-01-01 (America/Santiago) · all crossings · categories: protest, detention"
        " · regions: CL-AP · sides: CL · box: -70.5, -18.5, -70, -18"
    )
    assert Filter(end=date(2026, 1, 1), zone="UTC").describe().startswith("until 2026-01-01 (UTC)")
    assert Filter().describe().startswith("all dates (America/Santiago)")


def test_validate_against_rejects_unknown_ids() -> None:
    flt = Filter(crossings=("chacaluta",), regions=("CL-AP",))
    with pytest.raises(ValueError, match=r"Filter.crossings: unknown \['chacaluta'\]"):
        flt.validate_against(["chacalluta", "santa-rosa"], ["CL-AP", "PE-TAC"])
    Filter(regions=("PE-TAC",)).validate_against(["chacalluta"], ["CL-AP", "PE-TAC"])


def test_filter_is_hashable_for_cache_keys() -> None:
    a = Filter(start=date(2026, 1, 1), crossings=("chacalluta",))
    b = Filter(start=date(2026, 1, 1), crossings=("chacalluta",))
    assert a == b
    assert len({a, b, Filter()}) == 2


def test_prepare_of_an_already_sorted_frame_leaves_the_input_alone() -> None:
    given = frame([{"at": "2026-01-01T10:00Z"}, {"at": "2026-01-02T10:00Z", "crossing": "x"}])
    out = prepare(given)
    assert isinstance(out["crossing"].dtype, pd.CategoricalDtype)
    assert given["crossing"].dtype == "string"
    assert out is not given
