"""Map builders hand only allow-listed, display-ready columns to pydeck."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geo.maps import (
    CATEGORY_COLOURS,
    MAP_COLUMNS,
    category_legend,
    incident_points,
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
