"""Time a crossing-filter change to a painted map in headless Chromium; print JSON lines.

    .venv/bin/python bench/browser_paint.py [--n N] [--runs R]

One Streamlit server on 127.0.0.1 (tests/e2e/conftest.py's streamlit_server with its
trusted-header sign-in, default memory settings, stopped by its pid) serves the app's store
($HITO_STORE); Debian's Chromium (never a
downloaded browser) signs in as an analyst through the header. Each run waits for an idle
server, adds or removes a crossing in the sidebar and times, from the click, until the map's
new iframe has drawn Leaflet paths, the caption under the map names the new count, and two
animation frames have passed in the iframe (the new layer is painted). The server's CPU time
after the paint (reruns the new map's report of its view starts) is printed beside. Then the
server's peak memory (VmHWM).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from dashboard_server import E2E, REPO, child_pid, cpu_seconds, server_output_to_stderr
from playwright.sync_api import Browser, Locator, Page, sync_playwright
from proc_memory import peak_rss_mb, rss_mb

from geo.i18n import crossing_label, text

LANG: Final = "en"
TIMEOUT_MS: Final = 180_000
CROSSINGS: Final = ("chacalluta", "santa-rosa")
QUIET_S: Final = 1.0  # the server is idle when it used under 2 % CPU for this long
IDLE_TIMEOUT_S: Final = 120.0
# The newest st_folium iframe not yet seen, and the caption that follows it in the page.
FIND_MAP_JS: Final = """
() => {
    const frame = [...document.querySelectorAll("iframe")]
        .find(f => (f.title || "").includes("st_folium") && !f.__benchSeen);
    if (!frame) return null;
    const caption = [...document.querySelectorAll("[data-testid='stCaptionContainer']")]
        .find(c => frame.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_FOLLOWING);
    return {frame, caption: caption ? caption.innerText : ""};
}
"""
PAINTED_JS: Final = f"""
(before) => {{
    const found = ({FIND_MAP_JS})();
    if (!found || found.caption === "" || found.caption === before) return false;
    const doc = found.frame.contentDocument;
    return !!doc && doc.querySelectorAll("path.leaflet-interactive").length > 0;
}}
"""
SETTLE_JS: Final = f"""
async () => {{
    const found = ({FIND_MAP_JS})();
    const win = found.frame.contentWindow;
    await new Promise(done => win.requestAnimationFrame(() => win.requestAnimationFrame(done)));
    for (const f of document.querySelectorAll("iframe")) f.__benchSeen = true;
    return found.caption;
}}
"""


@contextmanager
def chromium() -> Iterator[Browser]:
    """Yield Debian's headless Chromium (software GL), closed at the end."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(E2E.CHROMIUM), headless=True, args=E2E.CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def wait_painted(page: Page, before: str) -> str:
    """Wait until a new map iframe is painted under a new caption; return the caption."""
    page.wait_for_function(PAINTED_JS, arg=before, polling="raf", timeout=TIMEOUT_MS)
    return str(page.evaluate(SETTLE_JS))


def crossing_box(page: Page) -> Locator:
    """Return the sidebar's crossing multiselect."""
    sidebar = page.locator("[data-testid='stSidebar']")
    label = text("crossings", LANG)
    return sidebar.locator("[data-testid='stMultiSelect']").filter(has_text=label)


def add_crossing(page: Page, crossing: str) -> Callable[[], None]:
    """Type the crossing into the multiselect; return the click that picks it."""
    name = crossing_label(crossing, LANG)
    crossing_box(page).locator("input").fill(name)
    option = page.get_by_role("option", name=name, exact=True)
    option.wait_for(timeout=TIMEOUT_MS)
    return option.click


def remove_crossing(page: Page) -> Callable[[], None]:
    """Focus the multiselect; return the key press that removes its last chosen crossing."""
    box = crossing_box(page).locator("input")
    box.click()
    return lambda: box.press("Backspace")


def wait_idle(pid: int) -> float:
    """Wait until the server has been idle for QUIET_S; return the CPU seconds it used
    meanwhile (the reruns a mounted map's report of its bounds starts, for one)."""
    began, deadline = cpu_seconds(pid), time.monotonic() + IDLE_TIMEOUT_S
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(QUIET_S)
        if cpu_seconds(pid) - before < 0.02 * QUIET_S:
            return cpu_seconds(pid) - began
    raise RuntimeError(f"server {pid} still busy after {IDLE_TIMEOUT_S} s")


def timed_changes(page: Page, pid: int, runs: int, caption: str) -> tuple[list[float], float]:
    """Alternately add a crossing and remove it; time each change, from an idle server, to
    the painted map (`caption`: the one under the map now). Return the timings and the
    median server CPU seconds spent after a paint until idle again."""
    timings, after_paint = [], []
    wait_idle(pid)
    for index in range(runs):
        if index % 2 == 0:
            act = add_crossing(page, CROSSINGS[(index // 2) % len(CROSSINGS)])
        else:
            act = remove_crossing(page)
        began = time.perf_counter()
        act()
        caption = wait_painted(page, before=caption)
        timings.append(time.perf_counter() - began)
        page.keyboard.press("Escape")
        after_paint.append(wait_idle(pid))
    return timings, statistics.median(after_paint)


@dataclass(frozen=True)
class App:
    """A running dashboard: its address and its process id."""

    url: str
    pid: int


@contextmanager
def serve_app() -> Iterator[App]:
    """The dashboard on a free loopback port (its store and data from this environment),
    trusting the e2e analyst header; stopped by its pid at the end."""
    with contextlib.ExitStack() as stack:
        with server_output_to_stderr():  # the server inherits fd 1; stdout is our JSON
            url = stack.enter_context(
                E2E.streamlit_server(REPO / "dashboard" / "app.py", env=E2E.APP_ENV)
            )
        yield App(url, child_pid(f"--server.port\0{urlsplit(url).port}\0".encode()))


def measure(n: int, runs: int) -> list[dict[str, object]]:
    """Serve the app, load it in Chromium, time `runs` changes; return the figures."""
    with serve_app() as server, chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                      extra_http_headers=E2E.ANALYST_HEADERS)  # fmt: skip
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        began = time.perf_counter()
        page.goto(f"{server.url}/?lang={LANG}", wait_until="commit")
        caption = wait_painted(page, before="")
        first_s = time.perf_counter() - began
        timings, after_paint_cpu_s = timed_changes(page, server.pid, runs, caption)
        context.close()
        peak, now = peak_rss_mb(server.pid), rss_mb(server.pid)
    return [
        {"name": "first page load to painted map (Chromium)", "n": n, "runs": 1,
         "median_s": round(first_s, 3)},
        {"name": "filter change to painted map (Chromium)", "n": n, "runs": runs,
         "median_s": round(statistics.median(timings), 3), "max_s": round(max(timings), 3),
         "server_cpu_s_after_paint": round(after_paint_cpu_s, 3)},
        {"name": "peak memory of the app (server, Chromium)", "n": n, "runs": runs,
         "peak_rss_mb": peak, "rss_mb": now},
    ]  # fmt: skip


def main() -> None:
    """Parse the options, measure, print one JSON line per figure."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="rows in the app's store")
    parser.add_argument("--runs", type=int, default=5, help="timed filter changes")
    args = parser.parse_args()
    for line in measure(args.n, args.runs):
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
