"""The overview page really draws its map in headless Chromium, with no CDN and no tiles."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Browser

pytestmark = pytest.mark.e2e
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "out" / "e2e"


def _count_pixels(image: Image.Image) -> tuple[int, int, int]:
    """Return (non-white pixels, reddish incident pixels, near-black border pixels)."""
    non_white = reddish = dark = 0
    for red, green, blue in image.get_flattened_data():
        if red < 240 or green < 240 or blue < 240:
            non_white += 1
        if red > 150 and green < 110 and blue < 110:
            reddish += 1
        if red < 60 and green < 60 and blue < 60:
            dark += 1
    return non_white, reddish, dark


def test_overview_map_draws_layers_and_incidents(app_url: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.on(
        "console",
        lambda message: page_errors.append(message.text) if message.type == "error" else None,
    )
    page.goto(app_url)
    page.get_by_text("SYNTHETIC DATA").first.wait_for(timeout=90_000)
    canvas = page.locator("canvas").first
    canvas.wait_for(timeout=60_000)
    page.wait_for_timeout(3_000)  # let deck.gl paint its first frames
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT_DIR / "overview.png"), full_page=True)
    image = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")
    non_white, reddish, dark = _count_pixels(image)
    total = image.width * image.height
    assert non_white > 0.05 * total, f"map canvas is nearly blank: {non_white}/{total} drawn"
    assert reddish > 50, f"no incident markers drawn ({reddish} reddish pixels)"
    assert dark > 50, f"border line not drawn ({dark} dark pixels)"
    assert page_errors == []
