"""Tests for geo.privacy: the role gate, its cells, days, group suppression and policy."""

from __future__ import annotations

import re
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
from pyproj import Transformer

from geo.aggregate import kpis, totals
from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.layers import Layers
from geo.privacy import (
    DEFAULT_POLICY,
    PUBLIC_WITHHELD,
    PrivacyPolicy,
    gate,
    policy_from_env,
    withheld_share,
)
from geo.query import Filter, apply_filter, prepare
from geo.schema import CANONICAL_DTYPES, CATEGORIES, DERIVED_DTYPES
from geo.settings import data_dir

# Zone facts (tz database, as in tests/test_query.py): America/Santiago is UTC−3 in summer,
# UTC−4 in winter (2025: back on 2025-04-06, forward on 2025-09-07; 2026: back on
# 2026-04-05, forward on 2026-09-06, each at local midnight); America/Lima is UTC−5.
ZONES = ("America/Santiago", "America/Lima", "UTC")
OWN_ZONE = {"CL": "America/Santiago", "PE": "America/Lima"}
TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:32719", always_xy=True)
TO_LONLAT = Transformer.from_crs("EPSG:32719", "EPSG:4326", always_xy=True)
# Points well inside each side (Arica and Tacna outskirts), lon/lat.
CL_POINT = (-70.30, -18.40)
PE_POINT = (-70.25, -18.05)
# Columns a public group shares (the dashboard filters or counts by each), as the tests see
# them: the public point and instant carry the cell and the local day.
GROUP_KEY = ("lon", "lat", "occurred_at", "category", "crossing", "region", "side", "between")


def make_incidents(n: int, **values: Any) -> gpd.GeoDataFrame:
    """Enriched-looking, prepare()d incidents; each value is a scalar or a length-n sequence."""
    given = {
        "at": "2026-01-15T15:00Z",
        "lon": CL_POINT[0],
        "lat": CL_POINT[1],
        "side": "CL",
        "category": "stranded_group",
        "crossing": "chacalluta",
        "nearest": "chacalluta",
        "between": False,
        "people": 3,
        "dist_border_m": 1234.0,
        "dist_crossing_m": 2345.0,
        **values,
    }
    column = {key: _broadcast(value, n) for key, value in given.items()}
    side = pd.Series(column["side"], dtype="string")
    frame = {
        "incident_id": [f"secret-id-{i}" for i in range(n)],
        "occurred_at": pd.Series(pd.to_datetime(column["at"], utc=True).as_unit("ns")),
        "category": column["category"],
        "crossing": column["crossing"],
        "people_count": column["people"],
        "nationalities": [["VEN"] for _ in range(n)],
        "source": "field team",
        "source_url": [f"https://example.org/private/{i}" for i in range(n)],
        "description": [f"secret description {i}" for i in range(n)],
        "verified": True,
        "synthetic": False,
        "country": side,
        "region": side.map({"CL": "CL-AP", "PE": "PE-TAC"}),
        "side": side,
        "nearest_crossing": column["nearest"],
        "dist_crossing_m": column["dist_crossing_m"],
        "dist_border_m": column["dist_border_m"],
        "between_complexes": column["between"],
        "crossing_assigned": False,
    }
    data = pd.DataFrame({key: _broadcast(value, n) for key, value in frame.items()})
    for name, dtype in {**CANONICAL_DTYPES, **DERIVED_DTYPES}.items():
        if name != "occurred_at":
            data[name] = data[name].astype(dtype)
    points = shapely.points(np.asarray(column["lon"], float), np.asarray(column["lat"], float))
    return prepare(gpd.GeoDataFrame(data, geometry=points, crs="EPSG:4326"))


def _broadcast(value: Any, n: int) -> Any:
    if isinstance(value, pd.Series):  # keeps its dtype, also when empty
        assert len(value) == n
        return value.reset_index(drop=True)
    if isinstance(value, list | tuple | np.ndarray | pd.Index):
        assert len(value) == n
        return list(value)
    return [value] * n


def metric_point(lon: float, lat: float, dx: float = 0.0, dy: float = 0.0) -> tuple[float, float]:
    """The lon/lat of a point moved dx, dy metres (EPSG:32719) from lon/lat."""
    x, y = TO_METRIC.transform(lon, lat)
    return TO_LONLAT.transform(x + dx, y + dy)


def cell_aligned(lon: float, lat: float, cell_m: float) -> tuple[float, float]:
    """The metric x, y of the centre of the cell of `cell_m` holding lon/lat."""
    x, y = TO_METRIC.transform(lon, lat)
    return (np.floor(x / cell_m) + 0.5) * cell_m, (np.floor(y / cell_m) + 0.5) * cell_m


def keyed(public: pd.DataFrame) -> pd.DataFrame:
    """The public rows with the columns of GROUP_KEY (missing crossings as "")."""
    return pd.DataFrame(
        {
            "lon": shapely.get_x(public.geometry.array),
            "lat": shapely.get_y(public.geometry.array),
            "occurred_at": public["occurred_at"].to_numpy(),
            "category": public["category"].astype("string").fillna("").to_numpy(),
            "crossing": public["crossing"].astype("string").fillna("").to_numpy(),
            "region": public["region"].astype("string").fillna("").to_numpy(),
            "side": public["side"].astype("string").to_numpy(),
            "between": public["between_complexes"].to_numpy(),
        },
        index=public.index,
    )


def group_sizes(public: pd.DataFrame) -> pd.Series:
    """Per row, the size of its group (rows sharing every value of GROUP_KEY)."""
    keys = keyed(public)
    return keys.groupby(list(GROUP_KEY), dropna=False)["lon"].transform("size")


def text_dump(frame: gpd.GeoDataFrame) -> str:
    """The frame as GeoJSON and as CSV (WKT points): what an export would write."""
    return frame.to_json(default=str) + frame.to_csv()


def assert_count_allowed(count: int, k: int, what: str) -> None:
    assert count == 0 or count >= k, f"{what}: {count} is between 1 and k−1 = {k - 1}"


@pytest.fixture(scope="module")
def demo(layers: Layers) -> gpd.GeoDataFrame:
    """The bundled 5,000 synthetic incidents, enriched and prepared."""
    result = read_incidents(data_dir() / "demo_incidents.csv", layers=layers)
    return prepare(enrich(result.incidents, layers))


@pytest.fixture(scope="module")
def demo_public(demo: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gate(demo, "public")


# --- roles --------------------------------------------------------------------------------


def test_analyst_sees_the_frame_itself(demo: gpd.GeoDataFrame) -> None:
    assert gate(demo, "analyst") is demo


def test_an_unknown_role_is_refused(demo: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="role 'admin' is not one of"):
        gate(demo, "admin")  # type: ignore[arg-type]


# --- the public frame on the demo data ----------------------------------------------------


def test_public_keeps_columns_dtypes_and_prepare_order(
    demo: gpd.GeoDataFrame, demo_public: gpd.GeoDataFrame
) -> None:
    assert list(demo_public.columns) == list(demo.columns)
    assert demo_public.dtypes.to_dict() == demo.dtypes.to_dict()
    assert demo_public.crs == demo.crs
    assert 0 < len(demo_public) < len(demo)
    pd.testing.assert_frame_equal(prepare(demo_public), demo_public)


def test_public_kept_share_matches_withheld_share(
    demo: gpd.GeoDataFrame, demo_public: gpd.GeoDataFrame
) -> None:
    assert withheld_share(demo) == pytest.approx(1 - len(demo_public) / len(demo))
    assert len(demo_public) == 141  # 2.8 % of 5,000 at 1 km, day, k = 5 (bundled demo)


def test_public_has_no_ids_descriptions_or_urls(
    demo: gpd.GeoDataFrame, demo_public: gpd.GeoDataFrame
) -> None:
    assert PUBLIC_WITHHELD == ("incident_id", "description", "source_url")
    for column in PUBLIC_WITHHELD:
        assert demo_public[column].isna().all(), column
    dump = text_dump(demo_public)
    assert "demo-1-" not in dump  # every demo id starts so
    assert "Demo record" not in dump  # every demo description says so


def test_public_shows_no_input_coordinate(
    demo: gpd.GeoDataFrame, demo_public: gpd.GeoDataFrame
) -> None:
    given = {(f"{x:.6f}", f"{y:.6f}") for x, y in shapely.get_coordinates(demo.geometry.array)}
    shown = {(f"{x:.6f}", f"{y:.6f}") for x, y in shapely.get_coordinates(demo_public.geometry)}
    assert not given & shown
    dump = text_dump(demo_public)
    numbers = {f"{float(text):.6f}" for text in re.findall(r"-?\d+\.\d+", dump)}
    assert not [pair for pair in given if pair[0] in numbers and pair[1] in numbers]


def test_every_public_point_is_a_cell_centre(demo_public: gpd.GeoDataFrame) -> None:
    lonlat = shapely.get_coordinates(demo_public.geometry.array)
    x, y = TO_METRIC.transform(lonlat[:, 0], lonlat[:, 1])
    for metres in (np.asarray(x), np.asarray(y)):
        offset = metres / 1000.0 - 0.5
        assert np.abs(offset - np.round(offset)).max() < 1e-6


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


def test_public_distances_are_cell_multiples_shared_by_the_group(
    demo_public: gpd.GeoDataFrame,
) -> None:
    keys = keyed(demo_public)
    for column in ("dist_border_m", "dist_crossing_m"):
        metres = demo_public[column].to_numpy()
        assert np.array_equal(metres % 1000.0, np.zeros(len(metres)))
        per_group = demo_public[column].groupby([keys[c] for c in GROUP_KEY]).nunique()
        assert per_group.max() == 1, column


def test_public_times_are_local_noon(demo_public: gpd.GeoDataFrame) -> None:
    for side, zone in OWN_ZONE.items():
        rows = demo_public[demo_public["side"] == side]
        local = rows["occurred_at"].dt.tz_convert(zone)
        assert len(rows) > 0
        assert (local.dt.hour == 12).all() and (local.dt.minute == 0).all(), side


def test_gating_twice_changes_nothing(demo_public: gpd.GeoDataFrame) -> None:
    again = gate(demo_public, "public")
    pd.testing.assert_frame_equal(again, demo_public)


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


def test_private_text_never_reaches_the_public_frame() -> None:
    incidents = make_incidents(6)
    public = gate(incidents, "public")
    dump = text_dump(public)
    assert len(public) == 6
    for secret in ("secret-id-", "secret description", "example.org/private"):
        assert secret not in dump


def test_the_public_order_ignores_the_hidden_times() -> None:
    """Same rows at other hours of the same local days: the same public frame."""
    people = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    early = [f"2026-01-15T{h:02d}:00Z" for h in range(10, 20)]
    late = [f"2026-01-15T{h:02d}:30Z" for h in range(19, 9, -1)]
    first = gate(make_incidents(10, at=early, people=people), "public")
    second = gate(make_incidents(10, at=late, people=people), "public")
    pd.testing.assert_frame_equal(first, second)


def test_an_empty_frame_stays_empty_with_its_columns() -> None:
    incidents = make_incidents(3).iloc[:0]
    public = gate(incidents, "public")
    assert len(public) == 0 and list(public.columns) == list(incidents.columns)
    assert withheld_share(incidents) == 0.0


# --- the calendar day survives in every display zone --------------------------------------


def _every_instant_2025_2026(side: str) -> pd.DatetimeIndex:
    """Each half hour of 2025–2026 (UTC) plus the first and last instant of each local day."""
    zone = OWN_ZONE[side]
    grid = pd.date_range("2024-12-31T12:00Z", "2027-01-01T12:00Z", freq="30min")
    days = pd.date_range("2025-01-01", "2027-01-01", freq="D")
    firsts = days.tz_localize(zone, nonexistent="shift_forward", ambiguous="raise")
    lasts = firsts[1:] - pd.Timedelta(1, "ns")
    return grid.append(firsts.tz_convert("UTC")).append(lasts.tz_convert("UTC")).sort_values()


@pytest.mark.parametrize("side", ["CL", "PE"])
def test_the_local_day_is_kept_in_every_zone_2025_2026(side: str) -> None:
    instants = _every_instant_2025_2026(side)
    lon, lat = CL_POINT if side == "CL" else PE_POINT
    incidents = make_incidents(len(instants), at=instants, side=side, lon=lon, lat=lat)
    own_day = incidents["occurred_at"].dt.tz_convert(OWN_ZONE[side]).dt.date
    public = gate(incidents, "public")
    assert len(public) == len(incidents)  # ≥ 48 rows each day: no group withheld
    expected = sorted(own_day)
    for zone in ZONES:
        assert sorted(public["occurred_at"].dt.tz_convert(zone).dt.date) == expected, zone
    counts = pd.Series(expected).value_counts()
    for day in pd.date_range("2025-01-01", "2026-12-31", freq="D").date:
        for zone in ZONES:
            selected = apply_filter(public, Filter(start=day, end=day, zone=zone))
            assert len(selected) == counts.get(day, 0), (day, zone)


# --- policy -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell_m", "k", "message"),
    [
        (999.9, 5, "cell_m: 999.9 is below the minimum 1000"),
        (float("nan"), 5, "cell_m: nan is not a finite number"),
        (1000.0, 1, "k: 1 is below the minimum 2"),
        (1000.0, 2.5, "k: 2.5 is not a whole number"),
        (1000.0, True, "k: True is not a whole number"),
    ],
)
def test_a_policy_below_the_floor_is_refused(cell_m: float, k: int, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        PrivacyPolicy(cell_m=cell_m, k=k)


def test_policy_from_env_reads_both_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HITO_PUBLIC_CELL_M", raising=False)
    monkeypatch.delenv("HITO_PUBLIC_K", raising=False)
    assert policy_from_env() == DEFAULT_POLICY == PrivacyPolicy(cell_m=1000.0, k=5)
    monkeypatch.setenv("HITO_PUBLIC_CELL_M", " 2500 ")
    monkeypatch.setenv("HITO_PUBLIC_K", "10")
    assert policy_from_env() == PrivacyPolicy(cell_m=2500.0, k=10)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("HITO_PUBLIC_CELL_M", "1km", "HITO_PUBLIC_CELL_M='1km': not a number of metres"),
        ("HITO_PUBLIC_CELL_M", "500", "HITO_PUBLIC_CELL_M='500': PrivacyPolicy.cell_m: 500.0"),
        ("HITO_PUBLIC_CELL_M", "inf", "HITO_PUBLIC_CELL_M='inf': PrivacyPolicy.cell_m: inf"),
        ("HITO_PUBLIC_K", "five", "HITO_PUBLIC_K='five': not a whole number"),
        ("HITO_PUBLIC_K", "4.5", "HITO_PUBLIC_K='4.5': not a whole number"),
        ("HITO_PUBLIC_K", "1", "HITO_PUBLIC_K='1': PrivacyPolicy.k: 1 is below the minimum 2"),
    ],
)
def test_policy_from_env_names_a_bad_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.delenv("HITO_PUBLIC_CELL_M", raising=False)
    monkeypatch.delenv("HITO_PUBLIC_K", raising=False)
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=re.escape(message)):
        policy_from_env()


# --- bad input ----------------------------------------------------------------------------


def _with(incidents: gpd.GeoDataFrame, column: str, values: Sequence[Any]) -> gpd.GeoDataFrame:
    changed = incidents.copy()
    changed[column] = values
    return changed


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f.assign(notes="x"), "column(s) ['notes'] are not declared"),
        (lambda f: f.drop(columns="side"), "missing column(s) ['side']"),
        (lambda f: _with(f, "side", ["CL", "BO", "CL"]), "1 row(s) where field 'side' is ['BO']"),
        (lambda f: _with(f, "side", pd.array(["CL", None, "CL"])), "field 'side' is ['<NA>']"),
        (
            lambda f: _with(f, "geometry", [shapely.Point(), *f.geometry[1:]]),
            "1 row(s) where field 'geometry' is not a non-empty Point, e.g. rows [0]",
        ),
        (lambda f: f.to_crs("EPSG:32719"), "CRS is EPSG:32719, expected EPSG:4326"),
    ],
)
def test_bad_input_is_refused_without_quoting_content(change: Any, message: str) -> None:
    incidents = change(make_incidents(3))
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        gate(incidents, "public")
    text = str(raised.value)
    assert "secret" not in text and "-70.3" not in text and "-18.4" not in text


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
