"""Load the dashboard with 20 concurrent browser sessions; print p50/p95 per step and memory.

The server and Debian's headless Chromium start as in tests/e2e/conftest.py; 20 contexts on
Playwright's async API (even: analysts, odd: the public), STAGGER_S apart, each asking for
reduced motion (Streamlit then stops its CSS animations, a third of the browsers' CPU on the
server's 2 cores). Each loads a week on the default (map) page, opens the Upload tab, picks
its own category, uploads 11 + i rows and downloads the CSV export; a step runs from the
action to the expected KPI (or the finished download). Every wait has a timeout and the
sessions share one deadline naming the stuck session and step. A page is loaded once its
sidebar widgets are mounted: Streamlit fetches a widget's code on demand, and a radio whose
code came after the next run's message mounted without its seeded value, fell back to its
default "Español" and turned the page Spanish (the 120 s hangs: "Incidentes" never read
"Incidents"); a page that turns Spanish now fails at once. Usage: python bench/many_users.py
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import geopandas as gpd
from dashboard_server import (
    E2E,
    SESSION_TTL_S,
    Server,
    copy_data,
    cpu_seconds,
    held_bytes,
    serve_dashboard,
    server_output_to_stderr,
)
from playwright.async_api import (
    Browser,
    ConsoleMessage,
    FilePayload,
    Page,
    ViewportSize,
    async_playwright,
)
from playwright.async_api import Error as PlaywrightError
from proc_memory import rss_mb

from geo.aggregate import totals
from geo.enrich import enrich
from geo.i18n import category_label
from geo.ingest import read_incidents
from geo.layers import load_layers
from geo.privacy import DEFAULT_POLICY, gate
from geo.query import Filter, apply_filter, prepare
from geo.schema import CATEGORIES

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[1]
SESSIONS = 20
WARM_UPS = 2  # full sessions (analyst, public) before the baseline: imports, caches, store
STAGGER_S = 0.5  # between session starts, as users arrive: not 20 in the same instant
STEPS = ("load", "tab", "filter", "upload", "export")
STEP_TIMEOUT_MS = 120_000  # any one wait; the slowest step's p95 measured 45-63 s here
DEADLINE_S = 270  # the 20 sessions together; measured 100-190 s here
ZONE = "America/Santiago"
WEEK = Filter(start=date(2026, 1, 12), end=date(2026, 1, 18), zone=ZONE)
VIEW = {"from": "2026-01-12", "to": "2026-01-18", "tz": ZONE, "lang": "en"}
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
TAG = "load-session-{:02d}"
# Each uploaded row carries a long description, so that what a session holds (the file in
# Streamlit's upload manager, the parsed rows in its session state) is large enough to see in
# the server's RSS: 11-30 rows of ~120 kB, 1.3-3.6 MB per file, ~50 MB for the 20 files.
DESCRIPTION_CHARS = 120_000  # under the csv module's default field limit (131,072)





@dataclass(frozen=True)
class Plan:
    """One session's role, category, upload and the KPI values it must see."""

    index: int
    role: str  # "analyst" or "public"
    category: str
    upload: bytes
    own_ids: frozenset[str]  # ids of its uploaded rows in its category
    kpi_week: int
    kpi_category: int
    kpi_uploaded: int


@dataclass
class Outcome:
    """What one session measured and saw, and the step it is in."""

    timings: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    exported: list[dict[str, str]] = field(default_factory=list)
    step: str = "not started"
    step_began: float = field(default_factory=time.monotonic)

    def console(self, message: ConsoleMessage) -> None:
        """Keep the page's console errors."""
        if message.type == "error":
            self.errors.append(message.text)


def _upload_rows(index: int) -> list[dict[str, str]]:
    rows = []
    for k in range(11 + index):  # unique row count per session; every category present
        rows.append({
            "incident_id": f"s{index:02d}-{k:02d}", "occurred_at": f"2026-01-15T15:{k:02d}:00Z",
            "lat": f"{-18.3140 - 0.0004 * index:.6f}", "lon": f"{-70.3160 + 0.0003 * k:.6f}",
            "category": CATEGORIES[k % len(CATEGORIES)], "crossing": "chacalluta",
            "people_count": "1", "source": TAG.format(index), "verified": "true",
            "description": f"{TAG.format(index)} row {k} " + "x" * DESCRIPTION_CHARS,
        })  # fmt: skip
    return rows


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def session_plans(data: Path, count: int = SESSIONS + WARM_UPS) -> list[Plan]:
    """Plans 0..count-1 (the last WARM_UPS are the warm-up's), with KPI values computed
    from the demo data in `data`."""
    stored = prepare(enrich(read_incidents(data / "demo_incidents.csv").incidents, load_layers()))
    public = gate(stored, "public", DEFAULT_POLICY)
    plans = []
    for index in range(count):
        role = "analyst" if index % 2 == 0 else "public"
        seen = stored if role == "analyst" else public
        category = CATEGORIES[index % len(CATEGORIES)]
        rows = _upload_rows(index)
        own = frozenset(row["incident_id"] for row in rows if row["category"] == category)
        in_category = _count(seen, replace(WEEK, categories=(category,)))
        plans.append(Plan(
            index=index, role=role, category=category, upload=_csv(rows), own_ids=own,
            kpi_week=_count(seen, WEEK), kpi_category=in_category,
            kpi_uploaded=in_category + len(own),
        ))  # fmt: skip
    return plans


def _count(incidents: gpd.GeoDataFrame, flt: Filter) -> int:
    return int(totals(apply_filter(incidents, flt))["incidents"])


# --- one session -----------------------------------------------------------------------------

# Polled every PAGE_POLL_MS (textContent: no layout): "ok" when the KPI "Incidents" shows
# `expected` (and, with `ready`, the sidebar's widgets are mounted: no skeleton left); the
# picked language's name when it is not English; "" (keep waiting) otherwise.
PAGE_JS = """
    ([expected, ready]) => {
        const sidebar = document.querySelector("[data-testid='stSidebar']");
        const language = sidebar?.querySelector(
            "[data-testid='stRadioOption'][data-selected='true']");
        if (language && language.textContent.trim() !== "English") return language.textContent;
        if (ready && (!language || sidebar.querySelector("[data-testid='stSkeleton']"))) return "";
        const shows = [...document.querySelectorAll("[data-testid='stMetric']")].some(metric =>
            metric.querySelector("[data-testid='stMetricLabel']")?.textContent.trim()
                === "Incidents"
            && metric.querySelector("[data-testid='stMetricValue']")?.textContent
                .replace(/[.,\\s]/g, "") === String(expected));
        return shows ? "ok" : "";
    }
"""
PAGE_POLL_MS = 250  # 50 ms cost each waiting page ~2 % of a core (20 pages: 0.4 of 2 cores)


class PageStateError(Exception):
    """The page is in a state the step cannot reach its goal from."""


async def _page_shows(page: Page, expected: int, *, ready: bool = False) -> None:
    """Wait for the KPI "Incidents" to show `expected`; fail at once if the page turned to
    another language (its KPI would never read "Incidents")."""
    state = await page.wait_for_function(
        PAGE_JS, arg=[expected, ready], polling=PAGE_POLL_MS, timeout=STEP_TIMEOUT_MS
    )
    shown = await state.json_value()
    if shown != "ok":
        raise PageStateError(f"the page switched its language to {shown!r}")


async def _timed(outcome: Outcome, step: str, action: Awaitable[T]) -> T:
    outcome.step, outcome.step_began = step, time.monotonic()
    result = await action
    outcome.timings[step] = time.monotonic() - outcome.step_began
    return result


async def _session(browser: Browser, url: str, plan: Plan, outcome: Outcome) -> None:
    """Run one session's steps; a step that fails is recorded in outcome.errors (asserted
    empty by the test) and ends the session, so the other sessions still finish."""
    context = await browser.new_context(
        viewport=VIEWPORT, accept_downloads=True, reduced_motion="reduce",
        extra_http_headers=E2E.ANALYST_HEADERS if plan.role == "analyst" else {},
    )  # fmt: skip
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = await context.new_page()
    page.on("console", outcome.console)
    page.on("pageerror", lambda error: outcome.errors.append(str(error)))
    try:
        await _steps(page, url, plan, outcome)
    except (PlaywrightError, PageStateError) as error:
        outcome.errors.append(await _failure(page, plan, outcome, error))
    finally:
        await context.close()


async def _failure(page: Page, plan: Plan, outcome: Outcome, error: Exception) -> str:
    """Name the session, its step and error, and the KPIs the page shows."""
    shown: list[str] | str = "unreadable"
    with contextlib.suppress(PlaywrightError):
        shown = await page.locator("[data-testid='stMetricValue']").all_inner_texts()
    return (
        f"session {plan.index} ({plan.role}) step {outcome.step!r} after "
        f"{time.monotonic() - outcome.step_began:.0f} s: {str(error).splitlines()[0]} (KPIs "
        f"shown {shown}; Incidents expected {plan.kpi_week}, {plan.kpi_category}, "
        f"{plan.kpi_uploaded} after load, filter, upload)"
    )


async def _steps(page: Page, url: str, plan: Plan, outcome: Outcome) -> None:
    await _timed(outcome, "load", _load(page, url, plan))
    await _timed(outcome, "tab", _open_upload_tab(page))
    await _timed(outcome, "filter", _pick_category(page, plan))
    await _timed(outcome, "upload", _upload(page, plan))
    outcome.exported = await _timed(outcome, "export", _export_csv(page))
    if await page.locator("[data-testid='stException']").count():
        outcome.errors.append(f"session {plan.index}: an stException element is shown")


async def _load(page: Page, url: str, plan: Plan) -> None:
    """The default page (map tab) for the week, until its KPI and sidebar are shown."""
    await page.goto(f"{url}/?{urlencode(VIEW)}", wait_until="commit")
    await _page_shows(page, plan.kpi_week, ready=True)


async def _open_upload_tab(page: Page) -> None:
    """The light tab for the filter step (the map is drawn by the load already)."""
    await page.get_by_role("tab", name="Upload").click()
    await page.locator("[data-testid='stFileUploaderDropzone']").wait_for()


async def _pick_category(page: Page, plan: Plan) -> None:
    """Type the category into the sidebar's multiselect and pick it (the option list is
    virtualised: options past the first screen are not in the page until scrolled to)."""
    sidebar = page.locator("[data-testid='stSidebar']")
    box = sidebar.locator("[data-testid='stMultiSelect']").filter(has_text="Categories")
    label = category_label(plan.category, "en")
    await box.locator("input").fill(label)
    await page.get_by_role("option", name=label, exact=True).click()
    await page.keyboard.press("Escape")
    await _page_shows(page, plan.kpi_category)


async def _upload(page: Page, plan: Plan) -> None:
    chooser = page.locator("[data-testid='stFileUploaderDropzone'] input[type='file']")
    name = f"session-{plan.index:02d}.csv"
    await chooser.set_input_files(
        files=[FilePayload(name=name, mimeType="text/csv", buffer=plan.upload)]
    )
    await _page_shows(page, plan.kpi_uploaded)


async def _export_csv(page: Page) -> list[dict[str, str]]:
    await page.get_by_role("tab", name="Export").click()
    button = page.get_by_role("button", name="CSV", exact=True)
    async with page.expect_download() as started:
        await button.click()
    download = await started.value
    text = Path(await download.path()).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


async def _one_page_view(browser: Browser, url: str) -> None:
    """Open and close one public page (the disconnect sweeps expired sessions)."""
    context = await browser.new_context(viewport=VIEWPORT, reduced_motion="reduce")
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = await context.new_page()
    await page.goto(f"{url}/?{urlencode(VIEW)}")
    await page.locator("[data-testid='stMetricValue']").first.wait_for()
    await context.close()


# --- the load and its figures ---------------------------------------------------------------


@contextlib.asynccontextmanager
async def _chromium() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, with the browser tests' flags (never a downloaded one)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(E2E.CHROMIUM), headless=True, args=E2E.CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def _all_sessions(
    browser: Browser, url: str, plans: list[Plan], deadline_s: float
) -> list[Outcome]:
    """Run `plans` concurrently, STAGGER_S apart; a session still running at `deadline_s`
    is cancelled and named with its step in its outcome's errors."""
    outcomes = [Outcome() for _ in plans]

    async def staggered(order: int, plan: Plan, outcome: Outcome) -> None:
        await asyncio.sleep(STAGGER_S * order)
        await _session(browser, url, plan, outcome)

    pairs = enumerate(zip(plans, outcomes, strict=True))
    tasks = [asyncio.create_task(staggered(order, *pair)) for order, pair in pairs]
    _, stuck = await asyncio.wait(tasks, timeout=deadline_s)
    for task in stuck:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for plan, outcome, task in zip(plans, outcomes, tasks, strict=True):
        if task in stuck:
            outcome.errors.append(
                f"session {plan.index} ({plan.role}) stuck in step {outcome.step!r} for "
                f"{time.monotonic() - outcome.step_began:.0f} s at the {deadline_s:.0f} s deadline"
            )
        elif task.exception() is not None:
            outcome.errors.append(f"session {plan.index}: {task.exception()!r}")
    return outcomes


@dataclass(frozen=True)
class Run:
    """The sessions' outcomes and the server's figures around them."""

    outcomes: list[Outcome]
    warm_up_errors: list[str]
    rss: dict[str, float]  # MB: baseline, peak, after
    held: dict[str, dict[str, int]]  # held_bytes at baseline, sessions closed, dropped
    cpu_s: dict[str, float]  # the 20 sessions' phase: wall time, the server's CPU time


async def _settle(browser: Browser, url: str) -> None:
    """Let every closed session expire, and sweep them out with one page view."""
    await asyncio.sleep(SESSION_TTL_S + 1)
    await _one_page_view(browser, url)
    await asyncio.sleep(3)


async def _track_peak(pid: int, peak: list[float]) -> None:
    """Keep the highest RSS of `pid` in peak[0], sampling every 0.2 s until cancelled."""
    while True:
        peak[0] = max(peak[0], rss_mb(pid))
        await asyncio.sleep(0.2)


async def run_load(server: Server, plans: list[Plan]) -> Run:
    """Warm up with the last WARM_UPS plans one by one, then run the others concurrently;
    read the server's RSS and held bytes before, at the peak and once they are dropped."""
    sessions, warm_ups = plans[:-WARM_UPS], plans[-WARM_UPS:]
    async with _chromium() as browser:
        warm_up_errors = []
        for plan in warm_ups:
            done = await _all_sessions(browser, server.url, [plan], STEP_TIMEOUT_MS / 1000)
            warm_up_errors += done[0].errors
        await _settle(browser, server.url)
        held, peak = {"baseline": held_bytes(server.url)}, [rss_mb(server.pid)]
        rss, began = {"baseline": peak[0]}, time.monotonic()
        server_cpu_s = cpu_seconds(server.pid)
        tracker = asyncio.create_task(_track_peak(server.pid, peak))
        outcomes = await _all_sessions(browser, server.url, sessions, DEADLINE_S)
        tracker.cancel()
        cpu = {"phase_s": time.monotonic() - began,
               "server_cpu_s": cpu_seconds(server.pid) - server_cpu_s}  # fmt: skip
        held["closed"] = held_bytes(server.url)
        await _settle(browser, server.url)
        held["dropped"] = held_bytes(server.url)
    rss |= {"peak": peak[0], "after": rss_mb(server.pid)}
    return Run(outcomes, warm_up_errors, rss, held, cpu)


def _percentiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return {"p50": round(statistics.median(values), 2), "p95": round(cuts[18], 2),
            "max": round(max(values), 2), "n": len(values)}  # fmt: skip


def figures_of(run: Run) -> dict[str, Any]:
    """p50/p95 per step over the sessions that reached it (s), memory and run figures."""
    figures: dict[str, Any] = {}
    for step in STEPS:
        done = [outcome.timings[step] for outcome in run.outcomes if step in outcome.timings]
        figures[step] = _percentiles(done) if len(done) >= 2 else {"n": len(done)}
    rss = run.rss
    kept = (rss["after"] - rss["baseline"]) / max(rss["peak"] - rss["baseline"], 1e-9)
    figures["rss_mb"] = {key: round(value, 1) for key, value in rss.items()}
    figures["rss_mb"]["kept_share"] = round(kept, 2)
    figures["held_bytes"] = run.held
    figures["sessions"] = {
        "count": len(run.outcomes), "failed": sum(bool(o.errors) for o in run.outcomes),
        "stagger_s": STAGGER_S, "disconnected_session_ttl_s": SESSION_TTL_S,
        **{key: round(value, 1) for key, value in run.cpu_s.items()},
    }  # fmt: skip
    errors = run.warm_up_errors + [error for o in run.outcomes for error in o.errors]
    figures["errors"] = sorted({error[:300] for error in errors})
    return figures


def main() -> None:
    """Run the load once on a copy of data/ and print its figures as one JSON object."""
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hito-load-")))
        with server_output_to_stderr():
            server = stack.enter_context(serve_dashboard(copy_data(folder)))
        figures = figures_of(asyncio.run(run_load(server, session_plans(server.data))))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
