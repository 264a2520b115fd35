"""One render policy for every map surface: pydeck, the static snapshot and the folium map
switch from points to H3 hexagons at the same count and share the count-class colours."""

from __future__ import annotations

from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba

from geo.caption import snapshot_caption
from geo.cell_classes import CELL_PALETTE
from geo.i18n import format_int
from geo.layers import Layers
from geo.map_cells import cells_payload
from geo.map_incidents import map_incidents
from geo.map_policy import CellView, RenderPolicy
from geo.maps import pydeck_hexagons, to_rgb_255
from geo.query import Filter
from geo.schema import WGS84
from geo.snapshot import ProjectedLayers, snapshot_figure

ZONE = "America/Santiago"
CHACALLUTA = (-70.3129, -18.3115)  # lon, lat
# A web map and a snapshot of the few kilometres around the complexes.
CENTER, ZOOM = (-18.3115, -70.3129), 12
BBOX = (-70.36, -18.34, -70.26, -18.28)
POLICY = RenderPolicy(points_max=10)


def _around_chacalluta(count: int) -> gpd.GeoDataFrame:
    """`count` incidents within ~1 km of Chacalluta; the first twelve on the same spot."""
    rng = np.random.default_rng(7)
    lon = CHACALLUTA[0] + np.r_[np.zeros(min(count, 12)), rng.normal(0, 0.005, max(count - 12, 0))]
    lat = CHACALLUTA[1] + np.r_[np.zeros(min(count, 12)), rng.normal(0, 0.005, max(count - 12, 0))]
    return gpd.GeoDataFrame(
        {
            "occurred_at": pd.to_datetime(["2025-12-03T14:05:00Z"] * count),
            "category": ["stranded_group"] * count,
            "crossing": ["chacalluta"] * count,
            "people_count": pd.array([3] * count, dtype="Int64"),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    )


def _modes(
    frame: gpd.GeoDataFrame, layers: Layers, countries: gpd.GeoDataFrame,
    projected: ProjectedLayers, policy: RenderPolicy,
) -> dict[str, str]:  # fmt: skip
    """Return what each surface draws for `frame`: "points" or "cells"."""
    _, deck_plan = pydeck_hexagons(layers, countries, frame, "es", zone=ZONE, policy=policy)
    _, web_plan = map_incidents(frame, zone=ZONE, center=CENTER, zoom=ZOOM, policy=policy)
    caption = snapshot_caption(frame, Filter(), lang="es", source="test",
                               generated_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    page = snapshot_figure(frame, layers, countries, caption, bbox=BBOX, projected=projected,
                           policy=policy)  # fmt: skip
    return {"pydeck": deck_plan.mode, "folium": web_plan.mode, "snapshot": page.incidents.mode}


@pytest.mark.parametrize(("count", "mode"), [(10, "points"), (11, "cells")])
def test_every_surface_switches_to_hexagons_past_the_same_threshold(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers,
    count: int, mode: str,
) -> None:  # fmt: skip
    frame = _around_chacalluta(count)
    assert _modes(frame, layers, countries, projected, POLICY) == dict.fromkeys(
        ("pydeck", "folium", "snapshot"), mode
    )


def test_every_surface_respects_the_finest_resolution_of_the_policy(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    frame = _around_chacalluta(40)
    coarse = RenderPolicy(points_max=10, finest_resolution=6)
    _, deck_plan = pydeck_hexagons(layers, countries, frame, "es", zone=ZONE, policy=coarse)
    shown, _ = map_incidents(frame, zone=ZONE, center=CENTER, zoom=ZOOM, policy=coarse)
    caption = snapshot_caption(frame, Filter(), lang="es", source="test",
                               generated_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    page = snapshot_figure(frame, layers, countries, caption, bbox=BBOX, projected=projected,
                           policy=coarse)  # fmt: skip
    assert isinstance(shown, CellView) and deck_plan.cells is not None
    assert (deck_plan.cells.resolution, shown.resolution, page.incidents.resolution) == (6, 6, 6)


def test_the_busiest_hexagon_has_the_same_colour_on_every_surface(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    frame = _around_chacalluta(12 + 1)  # one cell of 12 (or 13), the darkest class everywhere
    deck, _ = pydeck_hexagons(layers, countries, frame, "es", zone=ZONE, policy=POLICY)
    (cells_layer,) = [layer for layer in deck.layers if layer.id == "incident-cells"]
    busiest = max(cells_layer.data, key=lambda row: row["incidents"])
    assert busiest["colour"] == to_rgb_255(CELL_PALETTE[-1])
    shown, _ = map_incidents(frame, zone=ZONE, center=CENTER, zoom=ZOOM, policy=POLICY)
    assert isinstance(shown, CellView)
    payload = cells_payload(shown, "es", lambda value: format_int(value, "es"))
    top = int(np.argmax(shown.counts["incidents"].to_numpy()))
    assert payload["colours"][payload["class"][top]] == CELL_PALETTE[-1]
    caption = snapshot_caption(frame, Filter(), lang="es", source="test",
                               generated_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip
    page = snapshot_figure(frame, layers, countries, caption, bbox=BBOX, projected=projected,
                           policy=POLICY)  # fmt: skip
    (hexagons,) = [c for c in page.map_axes.collections if isinstance(c, PolyCollection)]
    faces = [tuple(face) for face in np.asarray(hexagons.get_facecolor())]
    assert to_rgba(CELL_PALETTE[-1], 0.72) in [pytest.approx(face) for face in faces]
