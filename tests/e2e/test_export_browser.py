"""The Export tab in headless Chromium: the PNG button yields a PNG of the current filter."""

from __future__ import annotations

import io
import re
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import ANALYST_HEADERS
from matplotlib import image
from PIL import Image
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "out" / "e2e"
TIMEOUT_MS = 90_000
VIEW = "?from=2026-01-05&to=2026-01-11&tz=America/Lima&crossing=chacalluta&lang=en"
NAME = re.compile(r"hito-map-\d{8}T\d{6}Z-[0-9a-f]{8}\.(png|svg)")


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A desktop page that accepts downloads."""
    context = browser.new_context(
        extra_http_headers=ANALYST_HEADERS,
        viewport={"width": 1400, "height": 1000},
        accept_downloads=True,
    )
    yield context.new_page()
    context.close()


def _download(page: Page, label: str) -> tuple[str, bytes]:
    with page.expect_download(timeout=TIMEOUT_MS) as started:
        page.get_by_role("button", name=label, exact=True).click()
    download = started.value
    path = download.path()
    return download.suggested_filename, Path(path).read_bytes()


def test_the_png_button_gives_a_png_of_the_current_filter(app_url: str, page: Page) -> None:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else 0)
    page.goto(app_url + VIEW)
    page.frame_locator("iframe[title*='st_folium']").first.locator(".leaflet-container").wait_for(
        timeout=TIMEOUT_MS
    )
    page.get_by_role("tab", name="Export").click()
    page.get_by_text("Map of the current view").wait_for(timeout=TIMEOUT_MS)
    name, png = _download(page, "PNG")
    assert NAME.fullmatch(name), name
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1600, 1200)
    pixels = image.imread(io.BytesIO(png), format="png")
    assert len(np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0)) > 50  # not blank
    described = Image.open(io.BytesIO(png)).text["Description"]  # the caption, in the file
    assert "5 Jan 2026 – 11 Jan 2026 (America/Lima) · Chacalluta (Chile)" in described
    svg_name, svg = _download(page, "SVG")
    text = svg.decode("utf-8")
    assert "5 Jan 2026 – 11 Jan 2026 (America/Lima)" in text  # the filter of the view
    assert "Chacalluta (Chile)" in text and "SYNTHETIC DATA" in text
    assert svg_name.split("-")[-1] != name.split("-")[-1]  # another file, another name
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    (SCREENSHOT_DIR / "export_download.png").write_bytes(png)
    page.screenshot(path=str(SCREENSHOT_DIR / "export_tab.png"))
    assert errors == []
