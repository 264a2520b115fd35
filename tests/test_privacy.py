"""Tests for geo.privacy: the role gate, the public frame's shape, local days, policy, bad input."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from privacy_data import (
    CL_POINT,
    GROUP_KEY,
    OWN_ZONE,
    PE_POINT,
    TO_METRIC,
    ZONES,
    enriched_demo,
    keyed,
    make_incidents,
    text_dump,
)

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

# Group suppression and the differencing properties are in tests/test_privacy_groups.py.


@pytest.fixture(scope="module")
def demo(layers: Layers) -> gpd.GeoDataFrame:
    """The bundled 5,000 synthetic incidents, enriched and prepared."""
    return enriched_demo(layers)


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
