"""The standalone HTML snapshot opens from disk in headless Chromium with no network at all."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import geopandas as gpd
import pytest
from playwright.sync_api import Browser, Page

from geo.caption import DEMO_SOURCE, snapshot_caption
from geo.enrich import enrich
from geo.i18n import describe_filter
from geo.ingest import read_incidents
from geo.layers import Layers
from geo.maps import incident_points
from geo.maps_folium import folium_map
from geo.query import Filter, apply_filter, prepare
from geo.settings import data_dir
from geo.snapshot_html import standalone_html

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "out" / "e2e" / "snapshot_html.png"
LOAD_TIMEOUT_MS = 60_000
LOCAL_SCHEMES = ("file", "data")
ZONE = "America/Santiago"
FILTER = Filter(start=date(2025, 12, 1), end=date(2025, 12, 31), zone=ZONE)


@pytest.fixture(scope="module")
def snapshot_file(layers: Layers, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write the bundled demo incidents of December 2025 as a standalone HTML snapshot."""
    incidents = prepare(enrich(read_incidents(data_dir() / "demo_incidents.csv").incidents, layers))
    flt = FILTER
    filtered = apply_filter(incidents, flt)
    countries = gpd.read_file(data_dir() / "countries.geojson")
    figure = folium_map(
        layers, countries, incident_points(filtered, ZONE), lang="es", center=(-18.3, -70.3),
        zoom=10, heat=False, asset_base="vendor",
    )  # fmt: skip
    caption = snapshot_caption(
        filtered, flt, lang="es", generated_at=datetime(2026, 11, 28, 10, 15, tzinfo=UTC),
        source=DEMO_SOURCE,
    )  # fmt: skip
    path = tmp_path_factory.mktemp("snapshot") / "snapshot.html"
    path.write_text(standalone_html(figure, caption), encoding="utf-8")
    return path


def _watch(page: Page) -> tuple[list[str], list[str]]:
    """Return lists that fill with the page's request URLs and its errors."""
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    return requests, errors


def test_snapshot_draws_offline_with_caption_and_markers(
    snapshot_file: Path, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requests, errors = _watch(page)
    page.goto(snapshot_file.as_uri())
    page.locator(".marker-cluster").first.wait_for(timeout=LOAD_TIMEOUT_MS)

    assert page.locator(".marker-cluster").count() >= 3
    assert page.locator("path.leaflet-interactive").count() >= 4  # regions, corridor, ...
    assert page.locator(".hito-legend").count() == 1
    caption = page.locator("#hito-caption")
    assert caption.is_visible()
    assert "DATOS SINTÉTICOS" in page.locator(".hito-synthetic").inner_text()
    assert describe_filter(FILTER, "es") in caption.inner_text()  # dates, zone, crossings
    assert "(America/Santiago)" in caption.inner_text()
    map_box = page.locator(".folium-map").bounding_box()
    assert map_box is not None and map_box["height"] > 500  # the map fills the rest
    assert page.locator("a[href^='http']").count() == 0  # attribution prefix is plain text
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    context.close()

    assert errors == []
    foreign = [url for url in requests if urlsplit(url).scheme not in LOCAL_SCHEMES]
    assert foreign == []
    assert requests[0] == snapshot_file.as_uri()
    assert [url for url in requests if url.startswith("file:")] == [snapshot_file.as_uri()]
