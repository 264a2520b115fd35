"""Every request the dashboard makes goes to the app itself: no CDN, no tiles, no third party.

Opens the app in headless Chromium, visits every tab, uploads a file, downloads an export,
and logs the URL of every request of the browser context (pages, component iframes, workers)
and every WebSocket. Only the app's own 127.0.0.1 server is allowed (plus data: and blob:
URLs of the page itself), and the tile host only when $HITO_TILES names one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request, WebSocket

from geo.settings import tiles_from_env

pytestmark = pytest.mark.e2e
TIMEOUT_MS = 90_000
UPLOAD = Path(__file__).resolve().parents[1] / "corpus" / "script_payloads.csv"
LOCAL_SCHEMES = {"data", "about"}  # inline images and fonts, empty iframes
# Tab (Spanish, the default language) -> an element that shows once the tab has drawn.
TABS = (
    ("Hexágonos", "[data-testid='stDeckGlJsonChart'] canvas"),
    ("Línea de tiempo", "[data-testid='stVegaLiteChart']"),
    ("Tabla", "[data-testid='stDataFrame']"),
    ("Exportar", "[data-testid='stDownloadButton']"),
    ("Cargar datos", "[data-testid='stFileUploaderDropzone']"),
    ("Mapa", "iframe[title*='st_folium']"),
)


class RequestLog:
    """The URL of every request and WebSocket a browser context opens."""

    def __init__(self, context: BrowserContext) -> None:
        self.urls: list[str] = []
        context.on("request", self._request)
        context.on("page", self._watch_page)

    def _request(self, request: Request) -> None:
        self.urls.append(request.url)

    def _watch_page(self, page: Page) -> None:
        page.on("websocket", self._websocket)

    def _websocket(self, socket: WebSocket) -> None:
        self.urls.append(socket.url)

    def foreign(self, allowed_hosts: set[str]) -> list[str]:
        """Return the URLs whose host is not allowed (blob: URLs are judged by their origin)."""
        return [url for url in self.urls if not _allowed(url, allowed_hosts)]


def _allowed(url: str, allowed_hosts: set[str]) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    if parts.scheme == "blob":
        return _allowed(url.removeprefix("blob:"), allowed_hosts)
    return parts.hostname in allowed_hosts


def _allowed_hosts() -> set[str]:
    tiles = tiles_from_env()
    hosts = {"127.0.0.1"}
    if tiles is not None:
        hosts.add(str(urlsplit(tiles[0]).hostname))
    return hosts


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh desktop-sized browser context that accepts downloads."""
    made = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    yield made
    made.close()


def _visit_every_tab(page: Page) -> None:
    for tab, drawn in TABS:
        page.get_by_role("tab", name=tab).click()
        page.locator(drawn).first.wait_for(timeout=TIMEOUT_MS)
        if tab == "Exportar":
            with page.expect_download(timeout=TIMEOUT_MS) as started:
                page.get_by_role("button", name="CSV", exact=True).click()
            assert started.value.suggested_filename.endswith(".csv")
        if tab == "Cargar datos":
            page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(UPLOAD)
            page.locator("[data-testid='stMetric']").filter(has_text="4").first.wait_for(
                timeout=TIMEOUT_MS
            )


def test_every_request_goes_to_the_app_only(app_url: str, context: BrowserContext) -> None:
    log = RequestLog(context)
    page = context.new_page()
    page.goto(app_url)
    frame = page.frame_locator("iframe[title*='st_folium']").first
    frame.locator(".leaflet-container").wait_for(timeout=TIMEOUT_MS)
    frame.locator(".marker-cluster").first.wait_for(timeout=TIMEOUT_MS)
    frame.locator(".leaflet-control-layers").first.hover()  # the layer list: no tile layer
    assert frame.locator(".leaflet-tile").count() == 0
    _visit_every_tab(page)
    frame.locator(".leaflet-container").wait_for(timeout=TIMEOUT_MS)
    assert page.locator("[data-testid='stException']").count() == 0
    paths = [urlsplit(url).path for url in log.urls]
    assert any(path.endswith("/app/static/vendor/leaflet@1.9.3/leaflet.js") for path in paths)
    assert any(url.startswith("ws://127.0.0.1:") for url in log.urls)  # the app's WebSocket
    assert len(log.urls) > 20
    assert log.foreign(_allowed_hosts()) == []
