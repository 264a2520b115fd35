"""Map builders hand only allow-listed columns to pydeck: points, or H3 counts above the policy."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pydeck as pdk
import pytest
from shapely.geometry import Point

from geo.cell_classes import class_colours, class_of, class_starts
from geo.cells import add_cells, cell_column, edge_length_m
from geo.layers import Layers
from geo.map_policy import MapPlan, RenderPolicy, resolution_for_zoom
from geo.maps import (
    CATEGORY_COLOURS,
    DECK_CELL_COLUMNS,
    DECK_CENTER,
    DECK_POINT_COLUMNS,
    DECK_ZOOM,
    MAP_COLUMNS,
    category_legend,
    deck_plan,
    incident_points,
    pydeck_hexagons,
    to_rgb_255,
)
from geo.schema import CATEGORIES, WGS84

SECRETS = ("SECRET-ID-7", "SECRET description of a family", "https://secret.example/report")


def _incidents() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "incident_id": [SECRETS[0], "x-2"],
            "occurred_at": pd.to_datetime(["2026-01-05T15:00:00Z", "2026-01-06T03:30:00Z"]),
            "category": ["stranded_group", "detention"],
            "crossing": ["chacalluta", None],
            "people_count": pd.array([12, None], dtype="Int64"),
            "description": [SECRETS[1], "y"],
            "source_url": [SECRETS[2], None],
        },
        geometry=[Point(-70.3141, -18.3101), Point(-70.25, -18.01)],
        crs=WGS84,
    )


def test_incident_points_carry_only_the_allow_listed_columns() -> None:
    points = incident_points(_incidents(), "America/Lima")
    assert tuple(points.columns) == MAP_COLUMNS
    assert points["people"].tolist() == ["12", "?"]  # unknown stays unknown, never 0
    assert points["local_time"].tolist() == [
        "2026-01-05 10:00 (America/Lima)",
        "2026-01-05 22:30 (America/Lima)",
    ]
    assert points[["red", "green", "blue"]].iloc[1].tolist() == list(CATEGORY_COLOURS["detention"])


def test_every_category_has_a_colour_and_a_legend_entry() -> None:
    assert set(CATEGORY_COLOURS) == set(CATEGORIES)
    assert [name for name, _ in category_legend()] == list(CATEGORIES)


# --- pydeck: points up to the threshold, server-side H3 cells above it ---------------------

SMALL = RenderPolicy(points_max=10)


def _spread(count: int, *, step: float = 0.003) -> gpd.GeoDataFrame:
    """`count` incidents on a diagonal from Chacalluta, `step`° apart; every third has no
    people count, the others 2 people each."""
    lon = -70.3141 + step * np.arange(count)
    lat = -18.3101 + step * np.arange(count)
    people = pd.array([None if i % 3 == 0 else 2 for i in range(count)], dtype="Int64")
    return gpd.GeoDataFrame(
        {
            "occurred_at": pd.to_datetime(["2026-01-05T15:00:00Z"] * count),
            "category": ["stranded_group"] * count,
            "crossing": ["chacalluta"] * count,
            "people_count": people,
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    )


def _incident_layer(deck: pdk.Deck) -> dict[str, Any]:
    spec = json.loads(deck.to_json())
    (layer,) = [layer for layer in spec["layers"] if layer["id"].startswith("incident-")]
    return dict(layer)


def _deck(
    layers: Layers, countries: gpd.GeoDataFrame, frame: gpd.GeoDataFrame,
    policy: RenderPolicy = SMALL, lang: str = "es",
) -> tuple[pdk.Deck, MapPlan]:  # fmt: skip
    return pydeck_hexagons(layers, countries, frame, lang, zone="America/Lima", policy=policy)


def test_pydeck_draws_points_up_to_the_threshold_with_allow_listed_fields(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    deck, plan = _deck(layers, countries, _spread(10))
    layer = _incident_layer(deck)
    assert (plan.mode, plan.total, layer["@@type"]) == ("points", 10, "ScatterplotLayer")
    assert [tuple(row) for row in layer["data"]] == [tuple(sorted(DECK_POINT_COLUMNS))] * 10
    first = layer["data"][0]
    assert (first["lon"], first["lat"]) == (-70.3141, -18.3101)
    assert (first["category"], first["crossing"]) == ("Grupo varado", "Chacalluta (Chile)")
    assert (first["people"], first["local_time"]) == ("?", "2026-01-05 10:00 (America/Lima)")
    assert first["colour"] == list(CATEGORY_COLOURS["stranded_group"])
    assert set(deck._tooltip) == {"text"}  # plain text, never html
    assert "{category}" in deck._tooltip["text"] and "{people}" in deck._tooltip["text"]


def test_pydeck_above_the_threshold_ships_cell_counts_and_no_incident_coordinates(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    frame = _spread(11, step=0.00313)
    frame.geometry = frame.geometry.translate(0.0511, 0.0517)  # off every reference vertex
    deck, plan = _deck(layers, countries, frame)
    spec, layer = deck.to_json(), _incident_layer(deck)
    assert (plan.mode, layer["@@type"]) == ("cells", "H3HexagonLayer")
    assert plan.cells is not None and plan.cells.resolution == 7  # zoom 10 at 18° S
    rows = layer["data"]
    assert {tuple(row) for row in rows} == {tuple(sorted(DECK_CELL_COLUMNS))}
    assert {h3.get_resolution(row["hex"]) for row in rows} == {7}
    assert sum(row["incidents"] for row in rows) == 11
    assert sum(row["people"] for row in rows) == 2 * 7  # 7 of 11 have a count of 2
    assert sum(row["people_unknown"] for row in rows) == 4  # rows 0, 3, 6, 9
    values = [value for row in rows for value in row.values()]
    assert not [value for value in values if isinstance(value, float)]  # no coordinate at all
    for lon, lat in zip(frame.geometry.x, frame.geometry.y, strict=True):
        for decimals in (3, 4, 5):  # nor anywhere else in the page's spec
            assert f"{lon:.{decimals}f}," not in spec and f"{lat:.{decimals}f}," not in spec
    assert "local_time" not in spec
    text = deck._tooltip["text"]
    assert set(deck._tooltip) == {"text"}
    assert "Incidentes: {incidents}" in text and "Personas (donde se sabe): {people}" in text


def test_pydeck_cells_are_coloured_and_raised_by_count(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    frame = pd.concat([_spread(12, step=0.0), _spread(30)])
    deck, plan = _deck(layers, countries, frame)
    layer = _incident_layer(deck)
    counts = sorted(row["incidents"] for row in layer["data"])
    assert counts[-1] == 13  # twelve at Chacalluta and the first of the diagonal
    starts = class_starts(13)
    colours = [to_rgb_255(colour) for colour in class_colours(starts)]
    for row in layer["data"]:
        assert row["colour"] == colours[int(class_of(np.array([row["incidents"]]), starts)[0])]
    assert plan.cells is not None
    tallest = layer["elevationScale"] * 13
    assert tallest == pytest.approx(6 * edge_length_m(plan.cells.resolution))
    assert (layer["getElevation"], layer["getHexagon"]) == ("@@=incidents", "@@=hex")


def test_pydeck_cells_follow_the_role_s_finest_resolution_and_the_cells_cap(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    coarse = RenderPolicy(points_max=10, finest_resolution=6)
    _, plan = _deck(layers, countries, _spread(11), policy=coarse)
    assert plan.cells is not None and plan.cells.resolution == 6
    assert resolution_for_zoom(DECK_ZOOM, DECK_CENTER[0], 9) == 7  # the analyst's, at zoom 10
    many = _spread(400, step=0.012)  # 400 cells apart at resolution 7, ~4.8° of diagonal
    capped = RenderPolicy(points_max=10, cells_max=100)
    deck, plan = _deck(layers, countries, many, policy=capped)
    assert plan.cells is not None and len(plan.cells.counts) <= 100
    assert len(_incident_layer(deck)["data"]) == len(plan.cells.counts)
    assert plan.cells.clipped or plan.cells.resolution < 7


def test_pydeck_rows_without_cell_columns_get_them(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    frame = _spread(25)
    plain = _incident_layer(_deck(layers, countries, frame)[0])["data"]
    celled = _incident_layer(_deck(layers, countries, add_cells(frame))[0])["data"]
    assert plain == celled and len(plain) > 1
    assert cell_column(7) not in frame.columns  # the caller's frame is left as it was


def test_pydeck_plan_is_what_the_deck_draws(layers: Layers, countries: gpd.GeoDataFrame) -> None:
    frame = add_cells(_spread(11))
    plan = deck_plan(frame, SMALL)
    assert plan.cells is not None
    _, drawn = _deck(layers, countries, frame)
    assert drawn.cells is not None
    assert drawn.cells.counts.equals(plan.cells.counts)
