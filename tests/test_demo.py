"""Tests for geo.demo: seeded, clearly synthetic, plausible demo incidents."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from geo.demo import (
    CATEGORY_PHRASE,
    CATEGORY_WEIGHTS,
    COMPLEX_IDS,
    HOUR_WEIGHT,
    PEOPLE_RANGE,
    _hour_slots,
    generate_demo,
)
from geo.layers import Layers
from geo.schema import CANONICAL_COLUMNS, CANONICAL_DTYPES, CATEGORIES, METRIC_CRS, WGS84

DEMO_NATIONALITIES = {"VEN", "COL", "ECU", "HTI", "PER", "BOL", "CUB", "DOM"}


@pytest.fixture(scope="module")
def demo(layers: Layers) -> gpd.GeoDataFrame:
    return generate_demo(5000, 1, layers)


def test_same_seed_gives_identical_rows(layers: Layers) -> None:
    assert_geodataframe_equal(generate_demo(800, 7, layers), generate_demo(800, 7, layers))


def test_different_seed_gives_different_rows(layers: Layers) -> None:
    first, second = generate_demo(800, 7, layers), generate_demo(800, 8, layers)
    assert not first.geometry.geom_equals(second.geometry).all()
    assert not first["occurred_at"].equals(second["occurred_at"])


def test_columns_and_dtypes_are_canonical(demo: gpd.GeoDataFrame) -> None:
    assert list(demo.columns) == list(CANONICAL_COLUMNS)
    assert {c: str(demo[c].dtype) for c in CANONICAL_DTYPES} == {
        c: str(pd.Series(dtype=d).dtype) for c, d in CANONICAL_DTYPES.items()
    }
    assert demo.crs == WGS84
    assert len(demo) == 5000


def test_every_row_is_marked_synthetic(demo: gpd.GeoDataFrame) -> None:
    assert demo["synthetic"].all()
    assert (demo["source"] == "SYNTHETIC DEMO (hito demo --seed 1)").all()
    assert demo["description"].str.startswith("[SYNTHETIC]").all()
    assert demo["incident_id"].str.fullmatch(r"demo-1-\d+").all()
    assert demo["incident_id"].is_unique
    assert demo["source_url"].isna().all()


def test_ids_follow_time_order(demo: gpd.GeoDataFrame) -> None:
    assert demo["occurred_at"].is_monotonic_increasing
    numbers = demo["incident_id"].str.extract(r"(\d+)$", expand=False).astype(int)
    assert numbers.tolist() == list(range(1, 5001))


def test_descriptions_name_no_person(demo: gpd.GeoDataFrame) -> None:
    # The text comes from fixed phrases only: no names, no free-form personal details.
    assert demo["description"].nunique() <= 11 * 7  # 11 category phrases x 7 place phrases
    assert demo["description"].str.fullmatch(r"\[SYNTHETIC\] Demo record: [^@]+\.").all()


def test_all_points_lie_in_one_of_the_two_regions(demo: gpd.GeoDataFrame, layers: Layers) -> None:
    x, y = demo.geometry.x.to_numpy(), demo.geometry.y.to_numpy()
    regions = layers.regions.set_index("id").geometry
    inside = np.vstack([shapely.contains_xy(regions[rid], x, y) for rid in ("CL-AP", "PE-TAC")])
    assert (inside.sum(axis=0) == 1).all()
    assert inside[0].sum() > 0 and inside[1].sum() > 0


def test_coordinates_carry_at_most_six_decimals(demo: gpd.GeoDataFrame) -> None:
    x, y = demo.geometry.x.to_numpy(), demo.geometry.y.to_numpy()
    assert (np.round(x, 6) == x).all() and (np.round(y, 6) == y).all()


def test_about_half_the_points_are_in_the_corridor(demo: gpd.GeoDataFrame, layers: Layers) -> None:
    corridor = layers.corridor.geometry.union_all()
    share = shapely.contains_xy(corridor, demo.geometry.x, demo.geometry.y).mean()
    assert 0.45 <= share <= 0.65


def test_times_span_october_to_march(demo: gpd.GeoDataFrame) -> None:
    local_day = demo["occurred_at"].dt.tz_convert("America/Lima").dt.tz_localize(None)
    assert local_day.min() >= pd.Timestamp("2025-09-30T23:00")  # Santiago is 2 h ahead of Lima
    assert local_day.max() < pd.Timestamp("2026-04-01")
    assert demo["occurred_at"].dt.tz is not None
    assert (demo["occurred_at"].dt.second == 0).all()


def test_daily_count_rises_after_the_state_of_emergency(demo: gpd.GeoDataFrame) -> None:
    days = demo["occurred_at"].dt.tz_convert("America/Santiago").dt.tz_localize(None).dt.normalize()
    daily = days.value_counts().reindex(pd.date_range("2025-10-01", "2026-03-31"), fill_value=0)
    before = daily["2025-10-01":"2025-11-27"].mean()
    after = daily["2025-12-01":"2026-03-31"].mean()
    assert after >= 3 * before


def test_nights_are_quieter_than_mornings(demo: gpd.GeoDataFrame) -> None:
    hours = demo["occurred_at"].dt.tz_convert("America/Santiago").dt.hour
    assert (hours.between(2, 4)).sum() * 3 < (hours.between(9, 11)).sum()


def test_categories_are_in_the_vocabulary_and_weighted(demo: gpd.GeoDataFrame) -> None:
    counts = demo["category"].value_counts()
    assert set(counts.index) <= set(CATEGORIES)
    assert counts.index[0] == "stranded_group"
    assert counts.get("death_or_injury", 0) < 0.03 * len(demo)
    assert counts.get("trafficking", 0) < 0.05 * len(demo)


def test_people_counts_fit_their_category(demo: gpd.GeoDataFrame) -> None:
    people = demo["people_count"]
    by_category = {c: people[demo["category"] == c] for c in ("stranded_group", "detention")}
    assert by_category["stranded_group"].dropna().between(5, 150).all()
    assert by_category["detention"].dropna().between(1, 20).all()
    no_count = demo["category"].isin(["military_deployment", "border_closure"])
    assert people[no_count].isna().all()
    assert 0.0 < people[~no_count].isna().mean() < 0.2


def test_nationalities_are_distinct_codes_mostly_venezuelan(demo: gpd.GeoDataFrame) -> None:
    lists = demo["nationalities"]
    assert lists.map(lambda codes: isinstance(codes, list)).all()
    flat = pd.Series([code for codes in lists for code in codes])
    assert set(flat) <= DEMO_NATIONALITIES
    assert flat.value_counts().index[0] == "VEN"
    assert lists.map(lambda codes: len(codes) == len(set(codes)) and len(codes) <= 3).all()


def test_verified_on_about_sixty_percent(demo: gpd.GeoDataFrame) -> None:
    assert 0.55 <= demo["verified"].mean() <= 0.65


def test_crossing_given_on_about_seventy_percent_as_nearest_complex(
    demo: gpd.GeoDataFrame, layers: Layers
) -> None:
    given = demo["crossing"].notna()
    assert 0.65 <= given.mean() <= 0.75
    complexes = layers.crossings.set_index("id").loc[list(COMPLEX_IDS)].to_crs(METRIC_CRS)
    points = demo.loc[given].to_crs(METRIC_CRS).geometry
    distances = np.vstack([points.distance(p).to_numpy() for p in complexes.geometry])
    nearest = np.array(COMPLEX_IDS)[distances.argmin(axis=0)]
    assert (demo.loc[given, "crossing"].to_numpy() == nearest).all()


def test_zero_rows_gives_an_empty_canonical_frame(layers: Layers) -> None:
    empty = generate_demo(0, 1, layers)
    assert len(empty) == 0
    assert list(empty.columns) == list(CANONICAL_COLUMNS)


@pytest.mark.parametrize(
    ("n", "seed", "message"), [(-1, 1, "n must be 0 or more"), (10, -3, "seed must be 0 or more")]
)
def test_bad_arguments_are_refused(layers: Layers, n: int, seed: int, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        generate_demo(n, seed, layers)


@pytest.mark.parametrize(
    ("name", "table"),
    [("CATEGORY_WEIGHTS", CATEGORY_WEIGHTS), ("PEOPLE_RANGE", PEOPLE_RANGE),
     ("CATEGORY_PHRASE", CATEGORY_PHRASE)],
)  # fmt: skip
def test_per_category_tables_cover_exactly_the_vocabulary(
    name: str, table: dict[str, object]
) -> None:
    assert sorted(table) == sorted(CATEGORIES), name


def test_category_weights_are_positive_in_every_period() -> None:
    weights = np.array(list(CATEGORY_WEIGHTS.values()))
    assert weights.shape == (len(CATEGORIES), 3)
    assert (weights > 0).all()


# Zone facts (tz database): America/Santiago falls back from −03 to −04 at 2026-04-05 03:00
# UTC (local 24:00 → 23:00, so 4 April lasts 25 hours) and springs forward at 2025-09-07
# 04:00 UTC (local 00:00 → 01:00, so 7 September lasts 23 hours).


def test_hour_slots_repeat_the_fall_back_hour_in_santiago() -> None:
    days = pd.date_range("2026-04-04", "2026-04-05", freq="D")
    slots, local_day, weights = _hour_slots("America/Santiago", days, np.ones(2))
    assert len(slots) == 25 + 24
    per_day = pd.Series(local_day).value_counts()
    assert per_day[pd.Timestamp("2026-04-04")] == 25
    assert slots[0] == np.datetime64("2026-04-04T03:00")  # local 00:00 −03
    assert slots[24] == np.datetime64("2026-04-05T03:00")  # local 23:00 −04, the repeat
    assert weights[23] == weights[24] == HOUR_WEIGHT[23]


def test_hour_slots_skip_the_spring_forward_hour_in_santiago() -> None:
    days = pd.date_range("2025-09-06", "2025-09-07", freq="D")
    slots, local_day, weights = _hour_slots("America/Santiago", days, np.array([1.0, 2.0]))
    assert len(slots) == 24 + 23
    assert local_day[23] == np.datetime64("2025-09-06") and local_day[24] == days[1]
    assert slots[24] == np.datetime64("2025-09-07T04:00")  # local 01:00 −03: 00:00 never was
    assert weights[24] == 2.0 * HOUR_WEIGHT[1]


def test_hour_slots_in_lima_are_24_a_day_at_minus_5() -> None:
    days = pd.date_range("2025-11-28", "2025-11-30", freq="D")
    slots, local_day, _ = _hour_slots("America/Lima", days, np.ones(3))
    assert len(slots) == 72
    assert slots[0] == np.datetime64("2025-11-28T05:00")
    assert (local_day == np.repeat(days.to_numpy(), 24)).all()


def test_times_are_drawn_in_the_zone_of_each_rows_side(
    demo: gpd.GeoDataFrame, layers: Layers
) -> None:
    side = layers.side_of(demo.geometry.x.to_numpy(), demo.geometry.y.to_numpy())
    lima = demo["occurred_at"][side == "PE"].dt.tz_convert("America/Lima")
    santiago = demo["occurred_at"][side == "CL"].dt.tz_convert("America/Santiago")
    for local in (lima, santiago):  # each side's local hours follow the same daily rhythm
        assert (local.dt.hour.between(2, 4)).sum() * 3 < (local.dt.hour.between(9, 11)).sum()
    assert lima.dt.tz_localize(None).min() >= pd.Timestamp("2025-10-01")
    assert santiago.dt.tz_localize(None).max() < pd.Timestamp("2026-04-01")
