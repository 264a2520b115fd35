"""Injection payloads uploaded through the dashboard run nothing in headless Chromium.

An analyst (trusted proxy header) uploads tests/fixtures/payloads/payloads.csv under a file
name made of every payload, then hovers and clicks every incident marker at zoom 16, opens
every popup, the table, the timeline, the hexagons and every export, and opens the
standalone HTML snapshot from disk and clicks every marker there. No dialog may open and
no console or page error may appear; the downloads hold the payloads escaped or as data.
"""

from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import streamlit_server
from payload_fixtures import FILE_NAME, PAYLOAD_DIR, PAYLOADS, kit
from playwright.sync_api import Browser, ConsoleMessage, Download, FilePayload, Frame, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "out" / "e2e" / "payloads_map.png"
TIMEOUT_MS = 90_000
ANALYST = "payload-analyst"
HEADER = "X-Hito-User"
SERVER_ENV = {"HITO_TRUSTED_USER_HEADER": HEADER, "HITO_ANALYSTS": ANALYST}
VIEW = {"from": "2024-06-15", "to": "2024-06-15", "tz": "America/Santiago",
        "lat": "-18.3115", "lon": "-70.314", "zoom": "16", "lang": "es"}  # fmt: skip
MARKERS = 45  # accepted payload rows, each its own marker at zoom 16
COMPONENT = "streamlit_folium.st_folium"
EXPORTS = ("PNG", "PDF", "SVG", "HTML interactivo", "CSV", "GeoJSON", "GeoPackage")


# The HTML standard's multipart/form-data encoding sends '"' in a file name as %22.
RECEIVED_NAME = FILE_NAME.replace('"', "%22")


@pytest.fixture(scope="module")
def analyst_app_url() -> Iterator[str]:
    """The dashboard on a free loopback port, trusting HEADER for ANALYST; stopped by pid."""
    with streamlit_server(REPO / "dashboard" / "app.py", env=SERVER_ENV) as url:
        yield url


class Watch:
    """Every dialog, page error and console error of the pages it watches."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []

    def page(self, page: Page) -> Page:
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on("console", partial(self._console, page))
        return page

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{page.url}: {message.text}")

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(f"{getattr(dialog, 'type', '?')}: {getattr(dialog, 'message', '')}")
        dialog.dismiss()  # type: ignore[attr-defined]


# --- markers --------------------------------------------------------------------------------

SHOWN_MARKERS_JS = """
    () => {
        const map = (window.map instanceof L.Map) ? window.map
            : Object.values(window).find(value => value instanceof L.Map);
        const group = Object.values(map._layers)
            .find(layer => layer instanceof L.MarkerClusterGroup);
        const shown = group._featureGroup.getLayers();
        window.hitoMarkers = shown.filter(layer => !(layer instanceof L.MarkerCluster));
        return [window.hitoMarkers.length, shown.length - window.hitoMarkers.length,
                group.getLayers().length];
    }
"""
MARKER_POINT_JS = """
    (index) => {
        const path = window.hitoMarkers[index]._path;
        const box = path.getBoundingClientRect();
        const x = box.left + box.width / 2, y = box.top + box.height / 2;
        return [x, y, document.elementFromPoint(x, y) === path];
    }
"""
MARKER_COUNTS_JS = "() => (window.L && window.map) ? (" + SHOWN_MARKERS_JS + ")() : []"
MAP_ZOOM_JS = "() => (window.L && window.map) ? window.map.getZoom() : -1"
FOLD_LEGEND_JS = "() => document.querySelectorAll('.hito-legend').forEach(d => d.open = false)"


Offset = Callable[[], tuple[float, float]]  # where the map's frame is in the page, now


def _visit_every_marker(page: Page, frame: Frame, offset: Offset) -> list[str]:
    """Hover and click every single incident marker with the mouse; return the popup texts."""
    frame.evaluate(FOLD_LEGEND_JS)  # the open legend covers the map's lower left
    singles, clusters, total = frame.evaluate(SHOWN_MARKERS_JS)
    assert (singles, clusters, total) == (MARKERS, 0, MARKERS)
    popups = []
    for index in range(singles):
        _hover(page, frame, offset, index)
        page.mouse.click(*_marker_point(frame, offset, index))
        popup = frame.locator(".leaflet-popup-content")
        popup.wait_for(timeout=10_000)
        popups.append(popup.inner_text())
        frame.locator(".leaflet-popup-close-button").click()
        popup.wait_for(state="detached", timeout=10_000)
    return popups


def _marker_point(frame: Frame, offset: Offset, index: int) -> tuple[float, float]:
    """Return marker `index`'s centre in page coordinates, checking nothing covers it."""
    x, y, hit = frame.evaluate(MARKER_POINT_JS, index)
    assert hit, f"marker {index} at ({x:.0f}, {y:.0f}) is covered"
    left, top = offset()
    return left + x, top + y


def _hover(page: Page, frame: Frame, offset: Offset, index: int) -> None:
    """Move the mouse onto marker `index` until its tooltip shows (the page can reflow while
    the mouse travels: up to three tries, each from a fresh position)."""
    for _ in range(3):
        x, y = _marker_point(frame, offset, index)
        page.mouse.move(x - 30, y - 30)
        page.mouse.move(x, y, steps=3)
        with contextlib.suppress(PlaywrightTimeoutError):
            frame.locator(".leaflet-tooltip").last.wait_for(timeout=3_000)
            return
    raise AssertionError(f"marker {index}: no tooltip after three hovers")


def _settle(page: Page) -> None:
    """Wait until the app has not been running a script for a second."""
    quiet_since = time.monotonic()
    deadline = quiet_since + TIMEOUT_MS / 1000
    while time.monotonic() - quiet_since < 1.0:
        assert time.monotonic() < deadline, "the app never settled"
        if page.locator("[data-testid='stStatusWidget']").count():
            quiet_since = time.monotonic()
        page.wait_for_timeout(100)


def _frame_offset(page: Page) -> tuple[float, float]:
    box = page.locator(f'iframe[title="{COMPONENT}"]').bounding_box()
    assert box is not None
    return box["x"], box["y"]


def _component_frame(page: Page) -> Frame:
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        for frame in page.frames:
            if COMPONENT in frame.url:
                return frame
        page.wait_for_timeout(200)
    raise AssertionError(f"no {COMPONENT} frame in {[frame.url for frame in page.frames]}")


# --- the dashboard --------------------------------------------------------------------------


def _upload(page: Page) -> None:
    page.get_by_role("tab", name="Cargar datos").click()
    chooser = page.locator("[data-testid='stFileUploaderDropzone'] input[type='file']")
    data = (PAYLOAD_DIR / "payloads.csv").read_bytes()
    chooser.set_input_files(files=[FilePayload(name=FILE_NAME, mimeType="text/csv", buffer=data)])
    accepted = page.locator("[data-testid='stMetric']").filter(has_text="Aceptadas")
    accepted.locator("[data-testid='stMetricValue']").filter(has_text="45").wait_for(
        timeout=TIMEOUT_MS
    )


def _open_map(page: Page) -> Frame:
    page.get_by_role("tab", name="Mapa").click()
    frame = _component_frame(page)
    frame.locator(".leaflet-container").wait_for(timeout=TIMEOUT_MS)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    state: list[object] = []
    while state != [16, [MARKERS, 0, MARKERS]]:
        assert time.monotonic() < deadline, f"zoom, [single, cluster, all] markers: {state}"
        page.wait_for_timeout(250)
        state = [frame.evaluate(MAP_ZOOM_JS), frame.evaluate(MARKER_COUNTS_JS)]
    _settle(page)
    return frame


def _open_other_tabs(page: Page) -> None:
    """Open the table, timeline and hexagons; hover the middle of each."""
    for tab, drawn in (
        ("Tabla", "[data-testid='stDataFrame']"),
        ("Línea de tiempo", "[data-testid='stVegaLiteChart']"),
        ("Hexágonos", "[data-testid='stDeckGlJsonChart'] canvas"),
    ):
        page.get_by_role("tab", name=tab).click()
        element = page.locator(drawn).first
        element.wait_for(timeout=TIMEOUT_MS)
        element.hover()


def _download(page: Page, label: str) -> tuple[str, bytes]:
    with page.expect_download(timeout=TIMEOUT_MS) as started:
        page.get_by_role("button", name=label, exact=True).click()
    download: Download = started.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _export_everything(page: Page) -> dict[str, bytes]:
    page.get_by_role("tab", name="Exportar").click()
    page.get_by_text("Mapa de la vista actual").wait_for(timeout=TIMEOUT_MS)
    return {label: _download(page, label)[1] for label in EXPORTS}


def _check_exports(files: dict[str, bytes]) -> None:
    page = files["HTML interactivo"].decode("utf-8")
    assert kit.html_raw_findings(page) == []
    assert html.escape(RECEIVED_NAME) in page  # the file name, in the caption, as text
    assert kit.svg_raw_findings(files["SVG"].decode("utf-8")) == []
    table = list(csv.DictReader(io.StringIO(files["CSV"].decode("utf-8"))))
    assert {row["description"] for row in table} == set(PAYLOADS)  # an analyst's export
    document = json.loads(files["GeoJSON"])
    keys = [key for feature in document["features"] for key in feature["properties"]]
    assert not [key for key in keys if key in PAYLOADS]
    assert files["PNG"][:8] == b"\x89PNG\r\n\x1a\n" and files["PDF"][:5] == b"%PDF-"
    assert files["GeoPackage"][:16] == b"SQLite format 3\x00"


def test_payload_upload_runs_nothing_anywhere(
    analyst_app_url: str, browser: Browser, tmp_path: Path
) -> None:
    watch = Watch()
    context = browser.new_context(
        viewport={"width": 1600, "height": 1100}, accept_downloads=True,
        extra_http_headers={HEADER: ANALYST},
    )  # fmt: skip
    page = watch.page(context.new_page())
    page.goto(f"{analyst_app_url}/?{urlencode(VIEW)}")
    page.get_by_text("Vista de analista").first.wait_for(timeout=TIMEOUT_MS)
    _upload(page)
    frame = _open_map(page)
    popups = _visit_every_marker(page, frame, partial(_frame_offset, page))
    assert len(popups) == MARKERS and all("Categoría:" in text for text in popups)
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    _open_other_tabs(page)
    files = _export_everything(page)
    _check_exports(files)
    assert page.locator("[data-testid='stException']").count() == 0

    snapshot = tmp_path / "snapshot.html"
    snapshot.write_bytes(files["HTML interactivo"])
    offline = watch.page(context.new_page())
    offline.goto(snapshot.as_uri())
    offline.locator(".leaflet-container").wait_for(timeout=TIMEOUT_MS)
    offline_popups = _visit_every_marker(offline, offline.main_frame, lambda: (0.0, 0.0))
    assert sorted(offline_popups) == sorted(popups)
    context.close()
    assert watch.dialogs == []
    assert watch.errors == []
