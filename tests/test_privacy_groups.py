"""Tests for geo.privacy's group suppression: no group under k, nested filters differ by 0 or k."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from privacy_data import (
    CL_POINT,
    GROUP_KEY,
    PE_POINT,
    TO_LONLAT,
    TO_METRIC,
    ZONES,
    cell_aligned,
    enriched_demo,
    group_sizes,
    keyed,
    make_incidents,
    metric_point,
)

from geo.aggregate import kpis, totals
from geo.layers import Layers
from geo.privacy import DEFAULT_POLICY, PrivacyPolicy, gate, withheld_share
from geo.query import Filter, apply_filter
from geo.schema import CATEGORIES


def assert_count_allowed(count: int, k: int, what: str) -> None:
    assert count == 0 or count >= k, f"{what}: {count} is between 1 and k−1 = {k - 1}"


@pytest.fixture(scope="module")
def demo(layers: Layers) -> gpd.GeoDataFrame:
    """The bundled 5,000 synthetic incidents, enriched and prepared."""
    return enriched_demo(layers)


@pytest.fixture(scope="module")
def demo_public(demo: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gate(demo, "public")


# --- group suppression on the demo data ---------------------------------------------------


def test_every_public_group_has_k_rows(demo_public: gpd.GeoDataFrame) -> None:
    assert group_sizes(demo_public).min() >= DEFAULT_POLICY.k


def test_public_matches_an_independent_count_of_groups(
    demo: gpd.GeoDataFrame, demo_public: gpd.GeoDataFrame
) -> None:
    """Recount the groups from the input rows (own projection, own local days)."""
    lonlat = shapely.get_coordinates(demo.geometry.array)
    x, y = TO_METRIC.transform(lonlat[:, 0], lonlat[:, 1])
    side = demo["side"].astype(str)
    santiago = demo["occurred_at"].dt.tz_convert("America/Santiago").dt.date
    lima = demo["occurred_at"].dt.tz_convert("America/Lima").dt.date
    keys = pd.DataFrame(
        {
            "cx": np.floor(np.asarray(x) / 1000),
            "cy": np.floor(np.asarray(y) / 1000),
            "day": np.where(side == "CL", santiago, lima),
            **{c: demo[c].astype(str) for c in ("category", "crossing", "region", "side")},
            "between": demo["between_complexes"],
            "nearest": demo["nearest_crossing"].astype(str),
        }
    )
    sizes = keys.groupby(list(keys.columns))["cx"].transform("size")
    assert len(demo_public) == int((sizes >= 5).sum())
    kept = keys[sizes >= 5]
    assert sorted(kept["category"]) == sorted(demo_public["category"].astype(str))
    assert sorted(kept["day"]) == sorted(
        np.where(
            demo_public["side"].astype(str) == "CL",
            demo_public["occurred_at"].dt.tz_convert("America/Santiago").dt.date,
            demo_public["occurred_at"].dt.tz_convert("America/Lima").dt.date,
        )
    )


# --- small hand-made frames ---------------------------------------------------------------


def test_a_group_of_four_is_withheld_and_a_group_of_five_kept() -> None:
    categories = ["detention"] * 4 + ["protest"] * 5
    incidents = make_incidents(9, category=categories)
    public = gate(incidents, "public")
    assert list(public["category"].astype(str)) == ["protest"] * 5
    assert withheld_share(incidents) == pytest.approx(4 / 9)


def test_rows_of_a_group_differ_in_no_filter_dimension() -> None:
    """Five rows in one cell and day; one differs in each dimension in turn: all withheld."""
    for change in (
        {"category": ["protest"] + ["detention"] * 4},
        {"crossing": [None] + ["chacalluta"] * 4},
        {"between": [True] + [False] * 4},
        {"at": ["2026-01-16T15:00Z"] + ["2026-01-15T15:00Z"] * 4},
        {"lon": [metric_point(*CL_POINT, dx=1500.0)[0]] + [CL_POINT[0]] * 4},
    ):
        assert len(gate(make_incidents(5, **change), "public")) == 0, change
    assert len(gate(make_incidents(5), "public")) == 5


def test_a_larger_cell_merges_groups() -> None:
    x, y = cell_aligned(*CL_POINT, 5000.0)
    west = TO_LONLAT.transform(x - 1500.0, y)
    east = TO_LONLAT.transform(x + 1500.0, y)
    incidents = make_incidents(6, lon=[west[0]] * 3 + [east[0]] * 3, lat=[west[1]] * 6)
    assert len(gate(incidents, "public", PrivacyPolicy(cell_m=1000.0, k=5))) == 0
    merged = gate(incidents, "public", PrivacyPolicy(cell_m=5000.0, k=5))
    assert len(merged) == 6
    assert (
        shapely.get_coordinates(merged.geometry.array).round(9).tolist()
        == [[round(v, 9) for v in TO_LONLAT.transform(x, y)]] * 6
    )


# --- differencing: two nested filters never tell apart fewer than k reports ---------------

DEMO_DAYS = (date(2025, 9, 28), date(2026, 4, 3))  # the demo's local days, with a margin
TINY_DAYS = (date(2026, 1, 13), date(2026, 1, 20))  # the days of tiny_incidents()
DIMENSIONS = ("dates", "crossings", "categories", "regions", "sides", "bbox")
UNIVERSE = {
    "crossings": ("chacalluta", "santa-rosa"),
    "categories": CATEGORIES,
    "regions": ("CL-AP", "PE-TAC"),
    "sides": ("CL", "PE"),
}
Box = tuple[float, float, float, float]


def some_of(universe: Sequence[str]) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(list(universe)), min_size=1, unique=True).map(tuple)


@st.composite
def boxes(draw: st.DrawFn, within: Box) -> Box:
    minx, miny, maxx, maxy = within
    x0, x1 = sorted(draw(st.floats(minx, maxx)) for _ in range(2))
    y0, y1 = sorted(draw(st.floats(miny, maxy)) for _ in range(2))
    assume(x0 < x1 and y0 < y1)
    return (x0, y0, x1, y1)


@st.composite
def filters(draw: st.DrawFn, days: tuple[date, date], extent: Box) -> Filter:
    start = draw(st.none() | st.dates(*days))
    end = draw(st.none() | st.dates(start or days[0], days[1]))
    values = {name: draw(st.just(()) | some_of(u)) for name, u in UNIVERSE.items()}
    bbox = draw(st.none() | boxes(extent))
    return Filter(start=start, end=end, zone=draw(st.sampled_from(ZONES)), bbox=bbox, **values)


@st.composite
def narrowed(draw: st.DrawFn, wide: Filter, days: tuple[date, date], extent: Box) -> Filter:
    """A filter selecting a subset of `wide`: narrower in some dimensions, any display zone
    (the public day is the same in every zone, so the zone never widens a filter)."""
    chosen = draw(st.sets(st.sampled_from(DIMENSIONS), min_size=1))
    changes: dict[str, Any] = {"zone": draw(st.sampled_from(ZONES))}
    if "dates" in chosen:
        start = draw(st.dates(wide.start or days[0], wide.end or days[1]))
        changes.update(start=start, end=draw(st.dates(start, wide.end or days[1])))
    for name, universe in UNIVERSE.items():
        if name in chosen:
            changes[name] = draw(some_of(getattr(wide, name) or universe))
    if "bbox" in chosen:
        changes["bbox"] = draw(boxes(wide.bbox or extent))
    return replace(wide, **changes)


def extent_of(public: gpd.GeoDataFrame) -> Box:
    minx, miny, maxx, maxy = public.total_bounds if len(public) else (-70.4, -18.5, -70.2, -18.0)
    return (minx - 0.02, miny - 0.02, maxx + 0.02, maxy + 0.02)


def check_nested(public: gpd.GeoDataFrame, wide: Filter, narrow: Filter, k: int) -> None:
    """count(wide) − count(narrow) ∈ {0} ∪ [k, ∞), and every count is of whole groups."""
    sizes = group_sizes(public)
    group = keyed(public).groupby(list(GROUP_KEY), dropna=False).ngroup()
    selections = {"wide": apply_filter(public, wide), "narrow": apply_filter(public, narrow)}
    assert set(selections["narrow"].index) <= set(selections["wide"].index)
    for name, rows in selections.items():
        assert (group_sizes(rows) == sizes[rows.index]).all(), f"{name} cuts a group"
        whole = public[group.isin(group[rows.index])]  # the groups the filter selects
        assert totals(rows) == totals(whole), name
        assert len(rows) == int(sizes[rows.index].groupby(group[rows.index]).first().sum())
        for figure in ("incidents", "between_complexes"):
            assert_count_allowed(totals(rows)[figure], k, f"{name} {figure}")
    wide_totals, narrow_totals = (totals(rows) for rows in selections.values())
    for figure in ("incidents", "between_complexes"):
        difference = wide_totals[figure] - narrow_totals[figure]
        assert_count_allowed(difference, k, f"{figure}: wide − narrow")


def check_kpis(public: gpd.GeoDataFrame, flt: Filter, k: int) -> None:
    figures = kpis(public, flt)
    for name in ("incidents", "between_complexes", "previous_incidents"):
        value = figures[name]
        assert value is None or value == 0 or value >= k, (name, value)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_nested_filters_of_the_demo_differ_by_zero_or_k(
    demo_public: gpd.GeoDataFrame, data: st.DataObject
) -> None:
    extent = extent_of(demo_public)
    wide = data.draw(filters(DEMO_DAYS, extent), label="wide")
    narrow = data.draw(narrowed(wide, DEMO_DAYS, extent), label="narrow")
    check_nested(demo_public, wide, narrow, DEFAULT_POLICY.k)
    check_kpis(demo_public, wide, DEFAULT_POLICY.k)


@st.composite
def tiny_incidents(draw: st.DrawFn) -> gpd.GeoDataFrame:
    """Up to 60 rows crowded into 4 spots, ~4 days, 3 categories: many groups near k."""
    n = draw(st.integers(0, 60))
    spots = [metric_point(*CL_POINT, dx, dy) for dx, dy in ((0, 0), (300, 0), (1500, 0))]
    spots.append(PE_POINT)
    spot = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    half_hours = draw(st.lists(st.integers(0, 8 * 48), min_size=n, max_size=n))
    start = pd.Timestamp("2026-01-14T00:00Z")
    return make_incidents(
        n,
        lon=[spots[s][0] for s in spot],
        lat=[spots[s][1] for s in spot],
        side=draw(st.lists(st.sampled_from(["CL", "PE"]), min_size=n, max_size=n)),
        at=[start + pd.Timedelta(minutes=30 * h) for h in half_hours],
        category=draw(st.lists(st.sampled_from(CATEGORIES[:3]), min_size=n, max_size=n)),
        crossing=draw(
            st.lists(st.sampled_from(["chacalluta", "santa-rosa", None]), min_size=n, max_size=n)
        ),
        between=draw(st.lists(st.booleans(), min_size=n, max_size=n)),
    )


@settings(max_examples=200, deadline=None)
@given(incidents=tiny_incidents(), k=st.integers(2, 6), data=st.data())
def test_nested_filters_of_random_crowds_differ_by_zero_or_k(
    incidents: gpd.GeoDataFrame, k: int, data: st.DataObject
) -> None:
    policy = PrivacyPolicy(cell_m=data.draw(st.sampled_from([1000.0, 2000.0])), k=k)
    public = gate(incidents, "public", policy)
    assert len(public) == 0 or group_sizes(public).min() >= k
    assert withheld_share(incidents, policy) == pytest.approx(
        0.0 if len(incidents) == 0 else 1 - len(public) / len(incidents)
    )
    extent = extent_of(public)
    wide = data.draw(filters(TINY_DAYS, extent), label="wide")
    narrow = data.draw(narrowed(wide, TINY_DAYS, extent), label="narrow")
    check_nested(public, wide, narrow, k)
    check_kpis(public, wide, k)
