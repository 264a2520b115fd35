"""The folium map draws in headless Chromium from vendored assets only, and escapes its text."""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, Frame, Page, ViewportSize

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
MAP_PAGE = Path(__file__).with_name("map_page.py")
SCREENSHOT_DIR = REPO / "out" / "e2e"
COMPONENT_URL_PART = "streamlit_folium.st_folium"
LOAD_TIMEOUT_MS = 90_000
PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "`+alert(1)+`",
    "</script><script>alert(1)</script>",
)  # the same as map_page.py

ServeScript = Callable[[Path], contextlib.AbstractContextManager[str]]


@pytest.fixture(scope="module")
def map_url(script_url: ServeScript) -> Iterator[str]:
    """Serve tests/e2e/map_page.py (demo data, vendored assets) on a loopback port."""
    with script_url(MAP_PAGE) as url:
        yield url


class Recorder:
    """Every request, page error, console error and dialog a page produced."""

    def __init__(self, page: Page) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(f"{error}\n{error.stack}"))
        page.on(
            "console",
            lambda message: self.errors.append(f"{message.text} at {message.location}")
            if message.type == "error"
            else None,
        )
        page.on("dialog", self._on_dialog)

    def _on_dialog(self, dialog: object) -> None:
        self.dialogs.append(str(getattr(dialog, "message", "")))
        dialog.dismiss()  # type: ignore[attr-defined]

    def foreign_requests(self) -> list[str]:
        """Return the requests to anything but http://127.0.0.1 (data: URLs fetch nothing)."""
        return [url for url in self.requests if not _is_loopback(url)]


def _is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "data" or (parts.scheme == "http" and parts.hostname == "127.0.0.1")


def _open_map(
    browser: Browser, url: str, viewport: ViewportSize, drawn: str = ".marker-cluster"
) -> tuple[Page, Frame, Recorder]:
    page = browser.new_page(viewport=viewport)
    recorder = Recorder(page)
    started = time.monotonic()
    page.goto(url)
    page.locator(f'iframe[title="{COMPONENT_URL_PART}"]').wait_for(timeout=LOAD_TIMEOUT_MS)
    frame = _component_frame(page)
    frame.locator(drawn).first.wait_for(timeout=LOAD_TIMEOUT_MS)
    in_frame_ms = frame.evaluate("() => performance.now()")
    print(
        f"{url}: map drawn {time.monotonic() - started:.2f} s after navigation, "
        f"{in_frame_ms / 1000:.2f} s after the component frame opened"
    )
    return page, frame, recorder


def _component_frame(page: Page) -> Frame:
    deadline = time.monotonic() + LOAD_TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            if COMPONENT_URL_PART in frame.url:
                return frame
        page.wait_for_timeout(200)
    raise AssertionError(f"no {COMPONENT_URL_PART} iframe in {[f.url for f in page.frames]}")


FIND_CLUSTER_JS = """
    const cluster = Object.values(window.map._layers)
        .find(layer => layer instanceof L.MarkerClusterGroup);
"""


def _click_marker_near_centre(page: Page, frame: Frame) -> str:
    """Click (with the mouse) the unclustered incident nearest the map centre; return its popup."""
    x, y = frame.evaluate(
        "() => {" + FIND_CLUSTER_JS + """
            const size = window.map.getSize();
            const points = cluster._featureGroup.getLayers()
                .filter(layer => !(layer instanceof L.MarkerCluster))
                .map(layer => window.map.latLngToContainerPoint(layer.getLatLng()));
            points.sort((a, b) => a.distanceTo(size.divideBy(2)) - b.distanceTo(size.divideBy(2)));
            return [points[0].x, points[0].y];
        }"""
    )
    box = page.locator(f'iframe[title="{COMPONENT_URL_PART}"]').bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=30_000)
    return popup.inner_text()


def _popup_of_incident(frame: Frame, index: int) -> str:
    """Open incident `index`'s popup where it lies (even inside a cluster); return its text."""
    text = frame.evaluate(
        "(index) => {" + FIND_CLUSTER_JS + """
            const marker = cluster.getLayers().find(layer => layer.options.incident === index);
            const popup = L.popup().setLatLng(marker.getLatLng())
                .setContent(marker.getPopup()._content(marker)).openOn(window.map);
            return popup.getElement().querySelector(".leaflet-popup-content").innerText;
        }""",
        index,
    )
    return str(text)


def _count_hot_pixels(image: Image.Image) -> int:
    """Count red-to-yellow pixels: only the heat map paints them (regions are pale, blue-ish)."""
    pixels = np.asarray(image, dtype=np.int16)
    return int(((pixels[..., 0] > 200) & (pixels[..., 2] < 80)).sum())


def test_map_draws_layers_and_clusters_from_loopback_only(map_url: str, browser: Browser) -> None:
    page, frame, recorder = _open_map(browser, map_url, {"width": 1280, "height": 900})
    assert frame.locator(".leaflet-container").count() == 1
    assert frame.locator("path.leaflet-interactive").count() >= 4  # regions, corridor, ...
    assert frame.locator(".marker-cluster").count() >= 3
    assert frame.locator(".leaflet-control-layers-overlays label").count() == 6
    assert frame.locator(".hito-legend").inner_text().count("\n") >= 11
    assert frame.locator(".leaflet-tile").count() == 0  # OpenStreetMap is off by default
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "folium_map.png"))
    popup = _click_marker_near_centre(page, frame)
    assert "Categoría:" in popup and "(America/Santiago)" in popup and "Personas:" in popup
    assert recorder.requests, "no request recorded"
    assert recorder.foreign_requests() == []
    assert any("/app/static/vendor/leaflet@1.9.3/leaflet.js" in url for url in recorder.requests)
    assert recorder.errors == []
    page.close()


def test_map_pan_reports_view_without_remounting(map_url: str, browser: Browser) -> None:
    page, frame, recorder = _open_map(browser, map_url, {"width": 1280, "height": 900})
    page.get_by_text("view: -18.30000 -70.30000 zoom 10").wait_for(timeout=30_000)
    frame.evaluate("() => { window.hitoMountMark = 'kept'; }")
    box = page.locator(f'iframe[title="{COMPONENT_URL_PART}"]').bounding_box()
    assert box is not None
    middle_x, middle_y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(middle_x, middle_y)
    page.mouse.down()
    page.mouse.move(middle_x - 200, middle_y + 120, steps=10)
    page.mouse.up()
    page.get_by_text("view: -18.30000").wait_for(state="detached", timeout=30_000)
    page.wait_for_timeout(1_500)  # let the rerun reach the component (a remount would show)
    assert frame.evaluate("() => window.hitoMountMark") == "kept"
    shown = page.get_by_text("view: ").inner_text()
    lat, lon = (float(value) for value in shown.split()[1:3])
    assert lat > -18.3 and lon > -70.3  # dragged left and down: the view moved north-east
    assert recorder.errors == []
    page.close()


def test_heat_map_draws_on_a_phone(map_url: str, browser: Browser) -> None:
    page, frame, recorder = _open_map(
        browser, f"{map_url}/?heat=1", {"width": 390, "height": 844}, "canvas.leaflet-heatmap-layer"
    )
    assert frame.locator("canvas.leaflet-heatmap-layer").count() == 1
    assert frame.locator(".marker-cluster").count() == 0  # clusters stay off under the heat map
    assert frame.locator(".hito-legend").get_attribute("open") is None  # folded on a phone
    hot = 0
    deadline = time.monotonic() + 30  # the heat canvas is painted on a later animation frame
    while hot <= 300 and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        shot = page.locator(f'iframe[title="{COMPONENT_URL_PART}"]').screenshot()
        hot = _count_hot_pixels(Image.open(io.BytesIO(shot)).convert("RGB"))
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "folium_map_phone_heat.png"))
    assert hot > 300, f"heat map not visible on screen ({hot} red/yellow pixels)"
    assert recorder.foreign_requests() == []
    assert recorder.errors == []
    page.close()


def test_payloads_show_as_text_and_never_run(map_url: str, browser: Browser) -> None:
    page, frame, recorder = _open_map(
        browser, f"{map_url}/?payload=1", {"width": 1280, "height": 900}
    )
    for index, payload in enumerate(PAYLOADS):
        popup = _popup_of_incident(frame, index)
        assert popup.count(payload) == 3, popup  # category, crossing and time, as plain text
    assert frame.locator("img[src='x']").count() == 0
    assert recorder.dialogs == []
    assert recorder.errors == []
    page.close()
