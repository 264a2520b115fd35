"""The whole dashboard in headless Chromium: loads, draws the map, filters, fits a phone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ANALYST_HEADERS, CELLS, INCIDENT_LAYER
from playwright.sync_api import Browser, FrameLocator, Page

from geo.aggregate import totals
from geo.cell_classes import CELL_PALETTE
from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.layers import load_layers
from geo.query import Filter, apply_filter, prepare
from geo.settings import data_dir

pytestmark = pytest.mark.e2e
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "out" / "e2e"
TIMEOUT_MS = 90_000
# One week at one crossing: fewer incidents than the points threshold (2,000).
WEEK_AT_CHACALLUTA = "?from=2026-01-05&to=2026-01-11&tz=America/Lima&crossing=chacalluta"


class PageProblems:
    """Console errors, page errors and requests to any host but the app's loopback server."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        self.foreign: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else 0)
        page.on("request", self._check_host)

    def _check_host(self, request: object) -> None:
        url = str(getattr(request, "url", ""))
        if urlsplit(url).hostname not in {"127.0.0.1", None} and not url.startswith("data:"):
            self.foreign.append(url)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh desktop-sized page."""
    context = browser.new_context(
        extra_http_headers=ANALYST_HEADERS, viewport={"width": 1400, "height": 1100}
    )
    yield context.new_page()
    context.close()


def _open(page: Page, url: str) -> FrameLocator:
    page.goto(url)
    page.get_by_text("DATOS SINTÉTICOS").first.wait_for(timeout=TIMEOUT_MS)
    frame = page.frame_locator("iframe[title*='st_folium']").first
    frame.locator(".leaflet-container").wait_for(timeout=TIMEOUT_MS)
    frame.locator(INCIDENT_LAYER).first.wait_for(timeout=TIMEOUT_MS)
    return frame


def _incidents_shown(page: Page) -> int:
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Incidentes").first
    value = metric.locator("[data-testid='stMetricValue']").inner_text()
    return int(value.replace(".", "").strip())


def _expected_chacalluta_count() -> int:
    layers = load_layers()
    frame = prepare(enrich(read_incidents(data_dir() / "demo_incidents.csv").incidents, layers))
    return totals(apply_filter(frame, Filter(crossings=("chacalluta",))))["incidents"]


def test_page_loads_and_the_map_draws_layers_and_hexagon_counts(app_url: str, page: Page) -> None:
    """5,000 incidents are more than the points threshold: the map gets counts per hexagon."""
    problems = PageProblems(page)
    frame = _open(page, app_url)
    assert page.locator("[data-testid='stException']").count() == 0
    hexagons = frame.locator(CELLS)
    assert hexagons.count() >= 20 and frame.locator(".marker-cluster").count() == 0
    assert frame.get_by_text("Chacalluta").count() >= 1
    page.get_by_text("5.000 incidentes: más de 2.000").first.wait_for(timeout=TIMEOUT_MS)
    darkest = frame.locator(f"path.leaflet-interactive[fill='{CELL_PALETTE[-1]}']").first
    darkest.click(force=True)  # the fullest hexagon's popup: its counts, as text
    popup = frame.locator(".leaflet-popup-content").first
    popup.wait_for(timeout=TIMEOUT_MS)
    assert "Incidentes:" in popup.inner_text() and "Hexágono: lado ≈" in popup.inner_text()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "dashboard_desktop.png"), full_page=True)
    assert problems.errors == []
    assert problems.foreign == []


def test_a_narrow_filter_draws_one_marker_per_incident(app_url: str, page: Page) -> None:
    problems = PageProblems(page)
    frame = _open(page, app_url + WEEK_AT_CHACALLUTA)
    frame.locator(".marker-cluster").first.wait_for(timeout=TIMEOUT_MS)
    assert frame.locator(CELLS).count() == 0
    page.get_by_text("incidentes, un marcador cada uno").first.wait_for(timeout=TIMEOUT_MS)
    page.screenshot(path=str(SCREENSHOT_DIR / "dashboard_points.png"), full_page=True)
    assert problems.errors == []


def test_choosing_a_crossing_changes_the_counts(app_url: str, page: Page) -> None:
    _open(page, app_url)
    before = _incidents_shown(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.locator("[data-testid='stMultiSelect']").first.click()
    page.get_by_role("option", name="Chacalluta (Chile)").click()
    expected = _expected_chacalluta_count()
    page.wait_for_function(
        "n => [...document.querySelectorAll(\"[data-testid='stMetricValue']\")]"
        ".some(e => e.innerText.replaceAll('.', '').trim() === String(n))",
        arg=expected,
        timeout=TIMEOUT_MS,
    )
    assert _incidents_shown(page) == expected < before
    page.wait_for_function(  # the view lives in the URL: a copied link opens the same filter
        "() => location.search.includes('crossing=chacalluta')", timeout=TIMEOUT_MS
    )


def test_phone_screen_renders_title_kpis_and_map(app_url: str, browser: Browser) -> None:
    context = browser.new_context(
        extra_http_headers=ANALYST_HEADERS, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    problems = PageProblems(page)
    frame = _open(page, app_url)
    assert frame.locator("path.leaflet-interactive").count() >= 5
    iframe_box = page.locator("iframe[title*='st_folium']").first.bounding_box()
    assert iframe_box is not None and iframe_box["width"] <= 390
    assert page.get_by_text("Incidentes").first.is_visible()
    title_px = page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
    assert title_px <= 26  # the phone title stays within about two lines
    page.screenshot(path=str(SCREENSHOT_DIR / "dashboard_phone.png"), full_page=True)
    assert problems.errors == []
    context.close()


@pytest.mark.parametrize(
    ("query", "expected"),
    [("", None), ("?lat=-18.2&lon=-70.2&zoom=11&lang=en", ("-18.2", "-70.2", "11"))],
)
def test_the_view_stays_put_after_loading(
    app_url: str, page: Page, query: str, expected: tuple[str, str, str] | None
) -> None:
    """No rerun loop: the URL (and so the map) is still for 6 s after the page settles."""
    page.goto(app_url + query)
    page.frame_locator("iframe[title*='st_folium']").first.locator(
        INCIDENT_LAYER
    ).first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_timeout(3_000)  # let the first reports of the map arrive
    settled = page.evaluate("() => [location.search, history.length]")
    samples = []
    for _ in range(6):
        page.wait_for_timeout(1_000)
        samples.append(page.evaluate("() => [location.search, history.length]"))
    assert samples == [settled] * 6
    if expected is not None:
        params = dict(part.split("=", 1) for part in settled[0].lstrip("?").split("&"))
        assert (params["lat"], params["lon"], params["zoom"]) == expected


def test_every_tab_opens_without_errors_and_speaks_spanish(app_url: str, page: Page) -> None:
    problems = PageProblems(page)
    _open(page, app_url)
    page.get_by_role("tab", name="Hexágonos").click()
    page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("cada hexágono H3").first.wait_for(timeout=TIMEOUT_MS)  # the tab's caption
    page.get_by_role("tab", name="Tabla").click()
    page.locator("[data-testid='stDataFrame']").first.wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("tab", name="Cargar datos").click()
    button = page.locator("[data-testid='stFileUploaderDropzone'] button p").first
    button.wait_for(timeout=TIMEOUT_MS)
    shown = button.evaluate("p => getComputedStyle(p, '::after').content")
    assert shown == '"Subir archivo"'  # Streamlit's own "Upload" is replaced in Spanish
    assert button.evaluate("p => getComputedStyle(p).fontSize") == "0px"  # "Upload" not drawn
    limit = page.locator("[data-testid='stFileUploaderDropzoneInstructions'] span").first
    assert limit.evaluate("s => getComputedStyle(s, '::after').content") == (
        '"20 MB por archivo • CSV, GEOJSON, JSON, TXT"'
    )
    assert page.locator("[data-testid='stException']").count() == 0
    assert problems.errors == []
    assert problems.foreign == []


def test_without_the_proxy_header_the_browser_gets_the_public_view(
    app_url: str, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.goto(app_url)
    page.get_by_text("Vista pública").first.wait_for(timeout=TIMEOUT_MS)
    public_count = _incidents_shown(page)
    html = page.content()
    context.close()
    assert 0 < public_count < 5000  # groups under 5 reports withheld
    assert "demo-1-1" not in html  # no ids reach the public page
