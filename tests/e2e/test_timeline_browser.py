"""Brushing a span on the timeline in headless Chromium sets the dashboard's date filter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import ANALYST_HEADERS
from playwright.sync_api import Browser, Locator, Page

from geo.aggregate import totals
from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.layers import load_layers
from geo.query import Filter, apply_filter, prepare
from geo.settings import data_dir

pytestmark = pytest.mark.e2e
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "out" / "e2e"
TIMEOUT_MS = 90_000
DEFAULT_FROM, DEFAULT_TO = "2025-10-01", "2026-04-01"  # the default view's URL dates
ALL_INCIDENTS_SHOWN = 5_000  # the KPI before brushing reads 5.000 or more
CHART_CANVAS = "[data-testid='stVegaLiteChart'] canvas"
BRUSH_FROM, BRUSH_TO, BRUSH_DOWN_PX = 0.40, 0.55, 120  # fraction of width, px below the top


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh desktop-sized page whose console errors and page errors are collected."""
    context = browser.new_context(
        extra_http_headers=ANALYST_HEADERS, viewport={"width": 1400, "height": 1100}
    )
    yield context.new_page()
    context.close()


def _collect_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_text("DATOS SINTÉTICOS").first.wait_for(timeout=TIMEOUT_MS)
    frame = page.frame_locator("iframe[title*='st_folium']").first
    frame.locator(".leaflet-container").wait_for(timeout=TIMEOUT_MS)


def _open_timeline(page: Page) -> Locator:
    page.get_by_role("tab", name="Línea de tiempo").click()
    canvas = page.locator(CHART_CANVAS).first
    canvas.wait_for(state="visible", timeout=TIMEOUT_MS)
    return canvas


def _brush(page: Page, canvas: Locator) -> None:
    box = canvas.bounding_box()
    assert box is not None, "the timeline canvas has no layout box"
    y = box["y"] + BRUSH_DOWN_PX
    page.mouse.move(box["x"] + box["width"] * BRUSH_FROM, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * BRUSH_TO, y, steps=10)
    page.mouse.up()


def _url_dates(page: Page) -> tuple[str, str]:
    params = parse_qs(urlsplit(page.url).query, keep_blank_values=True)
    return params["from"][-1], params["to"][-1]


def _sidebar_dates(page: Page) -> list[str]:
    """The range widget's start and end fields (Streamlit 1.67 keeps one input for each)."""
    fields = page.locator("[data-testid='stSidebar'] [data-testid='stDateInput'] input")
    return [field.input_value() for field in fields.all()]


def _incidents_shown(page: Page) -> int:
    metric = page.locator("[data-testid='stMetric']").filter(has_text="Incidentes").first
    value = metric.locator("[data-testid='stMetricValue']").inner_text()
    return int(value.replace(".", "").strip())


def _expected_incidents(start: date, end: date) -> int:
    incidents = read_incidents(data_dir() / "demo_incidents.csv").incidents
    frame = prepare(enrich(incidents, load_layers()))
    chosen = apply_filter(frame, Filter(start=start, end=end, zone="America/Santiago"))
    return totals(chosen)["incidents"]


def test_brushing_the_timeline_sets_the_date_filter(app_url: str, page: Page) -> None:
    errors = _collect_errors(page)
    _open(page, app_url)
    page.wait_for_function(
        "([f, t]) => location.search.includes('from=' + f) && location.search.includes('to=' + t)",
        arg=[DEFAULT_FROM, DEFAULT_TO],
        timeout=TIMEOUT_MS,
    )
    before = _incidents_shown(page)
    assert before >= ALL_INCIDENTS_SHOWN
    assert _sidebar_dates(page) == [DEFAULT_FROM, DEFAULT_TO]

    _brush(page, _open_timeline(page))
    page.wait_for_function(
        "([f, t]) => { const q = new URLSearchParams(location.search);"
        " return q.get('from') && q.get('to') && (q.get('from') !== f || q.get('to') !== t); }",
        arg=[DEFAULT_FROM, DEFAULT_TO],
        timeout=TIMEOUT_MS,
    )
    start_text, end_text = _url_dates(page)
    start, end = date.fromisoformat(start_text), date.fromisoformat(end_text)
    assert date.fromisoformat(DEFAULT_FROM) <= start <= end <= date.fromisoformat(DEFAULT_TO)
    assert (start, end) != (date.fromisoformat(DEFAULT_FROM), date.fromisoformat(DEFAULT_TO))

    expected = _expected_incidents(start, end)
    page.wait_for_function(
        "n => [...document.querySelectorAll(\"[data-testid='stMetricValue']\")]"
        ".some(e => e.innerText.replaceAll('.', '').trim() === String(n))",
        arg=expected,
        timeout=TIMEOUT_MS,
    )
    assert _incidents_shown(page) == expected < ALL_INCIDENTS_SHOWN <= before

    assert _sidebar_dates(page) == [start_text, end_text]

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "timeline_brush.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0
    assert errors == []
