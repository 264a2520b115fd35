"""geo.map_cells on the folium map: hexagons with counts, no incident's text or position."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.cell_classes import CELL_PALETTE, class_labels, class_of, class_starts
from geo.cells import add_cells, cell_outline
from geo.layers import Layers
from geo.map_cells import cells_payload
from geo.map_incidents import map_incidents
from geo.map_policy import CellView, RenderPolicy
from geo.maps_folium import folium_map

CENTER = (-18.35, -70.32)
SECRET = "SECRET description <img src=x onerror=alert(1)> ${alert(1)}"


def _incidents(count: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(3)
    lon = CENTER[1] + rng.uniform(-0.2, 0.2, count).round(6)
    lat = CENTER[0] + rng.uniform(-0.2, 0.2, count).round(6)
    return add_cells(gpd.GeoDataFrame(
        {
            "incident_id": [f"SECRET-ID-{i}" for i in range(count)],
            "occurred_at": pd.date_range("2026-01-01", periods=count, freq="h", tz="UTC"),
            "category": "{{7*7}}</script><script>alert(1)</script>",
            "crossing": "chacalluta",
            "people_count": pd.array([None if i % 4 == 0 else 2 for i in range(count)],
                                     dtype="Int64"),
            "description": SECRET,
        },
        geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326",
    ))  # fmt: skip


def _cells(incidents: gpd.GeoDataFrame) -> CellView:
    shown, _ = map_incidents(incidents, zone="America/Lima", center=CENTER, zoom=11,
                             policy=RenderPolicy(points_max=10))  # fmt: skip
    assert isinstance(shown, CellView)
    return shown


def test_the_cell_page_carries_counts_not_incidents(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    incidents = _incidents(400)
    cells = _cells(incidents)
    page = folium_map(layers, countries, cells, lang="es", center=CENTER, zoom=11,
                      heat=False).get_root().render()  # fmt: skip
    for secret in ("SECRET", "alert(1)", "{{7*7}}", "7*7"):
        assert secret not in page
    for lon, lat in zip(incidents.geometry.x[:50], incidents.geometry.y[:50], strict=True):
        assert f"{lon:.6f}" not in page and f"{lat:.6f}" not in page
    found = re.search(r"\}\)\(incident_cells_\w+, (\{.*\})\);", page)
    assert found is not None, "the cell layer's payload is not in the page"
    payload = json.loads(found.group(1))
    assert sum(int(text.replace(".", "")) for text in payload["incidents_text"]) == 400
    assert sum(payload["unknown"]) == 100  # every fourth incident has no people count
    assert len(payload["corners"]) == len(cells.counts)
    assert "Incidentes por hex" in page  # the layer and legend title


def test_outlines_and_classes_ship_per_cell(layers: Layers) -> None:
    cells = _cells(_incidents(400))
    payload = cells_payload(cells, "en", str)
    first = cell_outline(int(cells.counts["cell"].iloc[0]))
    corners = payload["corners"][0]
    assert corners == len(first)
    assert payload["lat"][:corners] == [round(lat, 5) for lat, _ in first]
    largest = int(cells.counts["incidents"].max())
    assert payload["class"][0] == len(class_starts(largest)) - 1  # the fullest cell: darkest
    assert payload["size"].startswith("edge ≈ ")
    assert set(payload["colours"]) <= set(CELL_PALETTE)


def test_the_heat_map_over_cells_weighs_each_cell_by_its_count(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    cells = _cells(_incidents(400))
    page = folium_map(layers, countries, cells, lang="en", center=CENTER, zoom=11,
                      heat=True).get_root().render()  # fmt: skip
    heat = re.search(r"L\.heatLayer\(\s*(\[\[.*?\]\])", page, re.S)
    assert heat is not None
    weights = [row[2] for row in json.loads(heat.group(1))]
    assert max(weights) == 1.0 and len(weights) == len(cells.counts)


@pytest.mark.parametrize(
    ("largest", "labels"),
    [(1, ["1"]), (9, ["1", "2–4", "5–9"]),
     (812, ["1", "2–9", "10–19", "20–49", "50–199", "200–499", "500–812"])],
)  # fmt: skip
def test_count_classes_cover_one_to_the_largest(largest: int, labels: list[str]) -> None:
    starts = class_starts(largest)
    assert class_labels(starts, largest) == labels
    assert class_of(np.array([1, largest]), starts).tolist() == [0, len(starts) - 1]
    assert len(starts) <= len(CELL_PALETTE)
