"""The dashboard's map follows the render policy: points when few, H3 counts when many."""

from __future__ import annotations

from typing import Any

import pytest
from roles import dashboard
from streamlit.testing.v1 import AppTest

WEEK = {"from": "2026-01-05", "to": "2026-01-11", "tz": "America/Lima"}


def _map_page(app: AppTest) -> str:
    """The folium page the map component received (its arguments, as text)."""
    components = app.get("component_instance")
    assert len(components) == 1, "the map tab holds one component: the folium map"
    proto: Any = components[0].proto
    return str(proto.json_args)


def _map_caption(app: AppTest) -> str:
    captions = [caption.value for caption in app.caption if "incident" in caption.value]
    assert len(captions) == 1, [caption.value for caption in app.caption]
    return str(captions[0])


def test_five_thousand_rows_reach_the_analyst_map_as_hexagon_counts() -> None:
    app = dashboard(analyst=True).run()
    assert not app.exception
    page = _map_page(app)
    assert "incident_cells_" in page and "markerClusterGroup" not in page
    assert _map_caption(app).startswith("5.000 incidentes: más de 2.000, así que el mapa muestra")


def test_a_narrow_filter_brings_back_one_marker_per_incident() -> None:
    app = dashboard(analyst=True, params=WEEK).run()
    assert not app.exception
    page = _map_page(app)
    assert "markerClusterGroup" in page and "incident_cells_" not in page
    assert "incidentes, un marcador cada uno" in _map_caption(app)


def test_the_threshold_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HITO_MAP_POINTS_MAX", "10000")
    app = dashboard(analyst=True).run()
    assert "markerClusterGroup" in _map_page(app)
    expected = "5.000 incidentes, un marcador cada uno (agrupados al alejar el mapa)."
    assert _map_caption(app) == expected


def test_a_bad_threshold_is_a_clear_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HITO_MAP_POINTS_MAX", "many")
    app = dashboard(analyst=True).run()
    assert not app.exception
    assert "HITO_MAP_POINTS_MAX='many': not a whole number" in " ".join(
        block.value for block in app.code
    )


def test_the_public_hexagons_are_never_finer_than_its_privacy_cell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HITO_MAP_POINTS_MAX", "10")
    zoomed_in = {"lat": "-18.35", "lon": "-70.32", "zoom": "16"}
    public = dashboard(analyst=False, params=zoomed_in).run()
    analyst = dashboard(analyst=True, params=zoomed_in).run()
    assert "(lado ≈ 1.406 m)" in _map_caption(public)  # H3 resolution 7
    assert "(lado ≈ 201 m)" in _map_caption(analyst)  # resolution 9
