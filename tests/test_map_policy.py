"""geo.map_policy: points below the threshold, cells above, finer with zoom, never too many."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.cells import RESOLUTIONS, add_cells, edge_length_m
from geo.map_incidents import map_incidents
from geo.map_policy import (
    CellView,
    RenderPolicy,
    describe_plan,
    metres_per_pixel,
    plan_map,
    policy_for_role,
    render_policy_from_env,
    resolution_for_zoom,
    view_around,
    widened,
)
from geo.maps import MAP_COLUMNS

CENTER = (-18.35, -70.32)  # (lat, lon) between the two complexes
ZONE = "America/Lima"


def _incidents(count: int, spread_deg: float = 0.3, seed: int = 7) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    lon = CENTER[1] + rng.uniform(-spread_deg, spread_deg, count)
    lat = CENTER[0] + rng.uniform(-spread_deg, spread_deg, count)
    return gpd.GeoDataFrame(
        {
            "occurred_at": pd.date_range("2026-01-01", periods=count, freq="min", tz="UTC"),
            "category": "stranded_group",
            "crossing": "chacalluta",
            "people_count": pd.array(rng.integers(1, 9, count), dtype="Int64"),
        },
        geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326",
    )  # fmt: skip


@pytest.fixture(scope="module")
def many() -> gpd.GeoDataFrame:
    return add_cells(_incidents(4_000))


def _plan(frame: gpd.GeoDataFrame, zoom: int, policy: RenderPolicy) -> CellView:
    view = view_around(CENTER, zoom, (1600, 800))
    plan = plan_map(frame, zoom=zoom, latitude=CENTER[0], view=view, policy=policy)
    assert plan.mode == "cells" and plan.cells is not None
    return plan.cells


def test_at_or_below_the_threshold_every_incident_is_a_point(many: gpd.GeoDataFrame) -> None:
    policy = RenderPolicy(points_max=len(many))
    shown, plan = map_incidents(many, zone=ZONE, center=CENTER, zoom=10, policy=policy)
    assert plan.mode == "points" and plan.cells is None
    assert isinstance(shown, pd.DataFrame) and list(shown.columns) == list(MAP_COLUMNS)
    assert len(shown) == len(many)


def test_above_the_threshold_the_map_gets_counts_per_cell(many: gpd.GeoDataFrame) -> None:
    shown, plan = map_incidents(many, zone=ZONE, center=CENTER, zoom=10,
                                policy=RenderPolicy(points_max=len(many) - 1))  # fmt: skip
    assert isinstance(shown, CellView) and plan.cells is shown
    assert shown.incidents == len(many) == shown.counts["incidents"].sum()
    assert set(shown.counts.columns) == {"cell", "incidents", "people", "people_unknown", "lat",
                                         "lon"}  # fmt: skip


def test_cells_get_finer_as_the_map_zooms_in(many: gpd.GeoDataFrame) -> None:
    policy = RenderPolicy(points_max=10)
    resolutions = [_plan(many, zoom, policy).resolution for zoom in range(7, 16)]
    assert resolutions == sorted(resolutions)
    assert resolutions[0] == min(RESOLUTIONS) and resolutions[-1] == max(RESOLUTIONS)
    for zoom in range(7, 16):
        edge_px = edge_length_m(resolution_for_zoom(zoom, CENTER[0])) / metres_per_pixel(
            zoom, CENTER[0]
        )
        assert edge_px >= 8 or resolution_for_zoom(zoom, CENTER[0]) == min(RESOLUTIONS)


def test_never_more_cells_than_the_budget_near_the_view_first(many: gpd.GeoDataFrame) -> None:
    policy = RenderPolicy(points_max=10, cells_max=100)
    cells = _plan(many, 14, policy)
    assert len(cells.counts) <= 100
    assert cells.clipped
    west, south, east, north = widened(view_around(CENTER, 14, (1600, 800)))
    assert cells.counts["lon"].between(west, east).all()
    assert cells.counts["lat"].between(south, north).all()
    # Zoomed out, the same budget holds by choosing a coarser resolution over everything.
    wide = _plan(many, 9, policy)
    assert len(wide.counts) <= 100 and not wide.clipped and wide.incidents == len(many)


def test_a_small_pan_keeps_the_same_clip_box() -> None:
    view = view_around(CENTER, 13, (1600, 800))
    west, south, east, north = view
    nudge = (east - west) * 0.05
    assert widened(view) == widened((west + nudge, south, east + nudge, north))


def test_the_public_never_gets_cells_finer_than_its_privacy_cell() -> None:
    public = policy_for_role("public", 1000.0)
    assert public.finest_resolution == 7
    assert edge_length_m(public.finest_resolution) >= 1000.0
    assert policy_for_role("public", 3000.0).finest_resolution == 6
    assert policy_for_role("analyst", 1000.0).finest_resolution == max(RESOLUTIONS)
    frame = add_cells(_incidents(500, spread_deg=0.05))
    cells = _plan(frame, 17, RenderPolicy(points_max=10, finest_resolution=7))
    assert cells.resolution == 7


def test_the_caption_says_what_the_map_shows(many: gpd.GeoDataFrame) -> None:
    policy = RenderPolicy(points_max=100)
    _, plan = map_incidents(many, zone=ZONE, center=CENTER, zoom=10, policy=policy)
    words = describe_plan(plan, policy, "en")
    assert words.startswith("4,000 incidents: more than 100, so the map shows how many")
    assert "Zoom in for finer hexagons." in words
    _, few = map_incidents(many.head(50), zone=ZONE, center=CENTER, zoom=10, policy=policy)
    assert describe_plan(few, policy, "es").startswith("50 incidentes, un marcador cada uno")


def test_files_read_outside_the_dashboard_get_their_cells_on_the_way() -> None:
    shown, _ = map_incidents(_incidents(300), zone=ZONE, center=CENTER, zoom=10,
                             policy=RenderPolicy(points_max=10))  # fmt: skip
    assert isinstance(shown, CellView) and shown.incidents == 300


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [("HITO_MAP_POINTS_MAX", "lots", "HITO_MAP_POINTS_MAX='lots': not a whole number"),
     ("HITO_MAP_POINTS_MAX", "-1", "HITO_MAP_POINTS_MAX='-1': points_max: -1 is below 0"),
     ("HITO_MAP_CELLS_MAX", "5", "HITO_MAP_CELLS_MAX='5': cells_max: 5 is below 100")],
)  # fmt: skip
def test_bad_settings_name_the_variable_and_value(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError, match=message):
        render_policy_from_env()


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HITO_MAP_POINTS_MAX", "500")
    monkeypatch.setenv("HITO_MAP_CELLS_MAX", " ")
    assert render_policy_from_env() == RenderPolicy(points_max=500)
