"""Load the dashboard with 20 concurrent browser sessions; print p50/p95 per step and RSS.

One Streamlit server (127.0.0.1, stopped by its pid), one headless Debian Chromium, 20
contexts driven by Playwright's async API; even sessions are analysts (trusted proxy
header), odd ones the public. Each loads a week, picks its own category, uploads 11 + i rows
of its own, waits for the KPI to include exactly them and downloads the CSV export. Times run
from each action to the page showing the expected KPI (or the finished download). The
server's RSS is read before, at the peak and after Streamlit dropped the closed sessions;
its metrics tell the uploaded bytes it still holds. tests/e2e/test_many_users.py runs the same
load and asserts on it. Usage: python bench/many_users.py (prints one JSON object).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import geopandas as gpd
from playwright.async_api import Browser, ConsoleMessage, FilePayload, Page, async_playwright
from playwright.async_api import Error as PlaywrightError

from geo.aggregate import totals
from geo.enrich import enrich
from geo.i18n import category_label
from geo.ingest import read_incidents
from geo.layers import load_layers
from geo.privacy import DEFAULT_POLICY, gate
from geo.query import Filter, apply_filter, prepare
from geo.schema import CATEGORIES
from geo.settings import data_dir

T = TypeVar("T")
REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--use-gl=angle", "--use-angle=swiftshader",
                 "--enable-unsafe-swiftshader"]  # fmt: skip
SESSIONS = 20
# Streamlit keeps a closed session this many seconds for a reconnect (default 120); its
# session store only drops expired sessions when it is next written to (a later disconnect).
SESSION_TTL_S = 5
HEADER, ANALYST = "X-Hito-User", "load-analyst"
SERVER_ENV = {"HITO_TRUSTED_USER_HEADER": HEADER, "HITO_ANALYSTS": ANALYST}
ZONE = "America/Santiago"
WEEK = Filter(start=date(2026, 1, 12), end=date(2026, 1, 18), zone=ZONE)
VIEW = {"from": "2026-01-12", "to": "2026-01-18", "tz": ZONE, "lang": "en"}
TIMEOUT_MS = 120_000
TAG = "load-session-{:02d}"
STDERR_FD = 2  # the server writes here: stdout carries the figures
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
    """What one session measured and saw."""

    timings: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    exported: list[dict[str, str]] = field(default_factory=list)

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


def session_plans() -> list[Plan]:
    """Every session's plan, with KPI values computed from the bundled demo data."""
    layers = load_layers()
    stored = prepare(enrich(read_incidents(data_dir() / "demo_incidents.csv").incidents, layers))
    public = gate(stored, "public", DEFAULT_POLICY)
    plans = []
    for index in range(SESSIONS):
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


# --- the server -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve_dashboard() -> Iterator[Server]:
    """Run the dashboard on a free loopback port with SERVER_ENV; stop it by its pid."""
    port = _free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(REPO / "dashboard" / "app.py"),
        "--server.address", "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.disconnectedSessionTTL", str(SESSION_TTL_S),
    ]  # fmt: skip
    environment = {**os.environ, **SERVER_ENV}
    process = subprocess.Popen(
        command, cwd=REPO, env=environment, start_new_session=True, stdout=STDERR_FD
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield Server(url, process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _wait_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.3)
    raise RuntimeError(f"streamlit at {url} not healthy after 60 s")


def rss_mb(pid: int) -> float:
    """The resident set size of process `pid` in MB, from /proc/PID/status (VmRSS, kB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"/proc/{pid}/status has no VmRSS line")


def uploaded_bytes(url: str) -> int:
    """Bytes of uploaded files the server still holds (Streamlit's /_stcore/metrics,
    cache_memory_bytes of its UploadedFileManager; absent = none)."""
    query = "families=cache_memory_bytes&families=active_sessions"
    with urllib.request.urlopen(f"{url}/_stcore/metrics?{query}", timeout=10) as response:
        text = response.read().decode("utf-8")
    held = 0
    for line in text.splitlines():
        if line.startswith("cache_memory_bytes{") and "UploadedFileManager" in line:
            held += int(float(line.rsplit(" ", 1)[1]))
    return held


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- one session ----------------------------------------------------------------------------

KPI_JS = """
    ([label, expected]) => [...document.querySelectorAll("[data-testid='stMetric']")]
        .some(metric => metric.innerText.split("\\n")[0].trim() === label
              && metric.querySelector("[data-testid='stMetricValue']")
                  .innerText.replace(/[.,\\s]/g, "") === String(expected))
"""


async def _kpi_shows(page: Page, expected: int) -> None:
    await page.wait_for_function(KPI_JS, arg=["Incidents", expected], polling=50,
                                 timeout=TIMEOUT_MS)  # fmt: skip


async def _timed(outcome: Outcome, step: str, action: Awaitable[T]) -> T:
    started = time.perf_counter()
    result = await action
    outcome.timings[step] = time.perf_counter() - started
    return result


async def _session(browser: Browser, url: str, plan: Plan) -> Outcome:
    """Run one session's steps; a step that fails is recorded in outcome.errors (asserted
    empty by the test) and ends the session, so the other sessions still finish."""
    outcome = Outcome()
    headers = {HEADER: ANALYST} if plan.role == "analyst" else {}
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True,
        extra_http_headers=headers,
    )  # fmt: skip
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    page.on("console", outcome.console)
    page.on("pageerror", lambda error: outcome.errors.append(str(error)))
    try:
        await _steps(page, url, plan, outcome)
    except PlaywrightError as error:
        shown = await page.locator("[data-testid='stMetricValue']").all_inner_texts()
        expected = (plan.kpi_week, plan.kpi_category, plan.kpi_uploaded)
        outcome.errors.append(
            f"session {plan.index} ({plan.role}) after {list(outcome.timings)}: "
            f"{error.message.splitlines()[0]} (KPIs shown {shown}, expected {expected})"
        )
    finally:
        await context.close()
    return outcome


async def _steps(page: Page, url: str, plan: Plan, outcome: Outcome) -> None:
    await _timed(outcome, "load", _load(page, url, plan))
    await _timed(outcome, "filter", _pick_category(page, plan))
    await page.get_by_role("tab", name="Upload").click()
    await _timed(outcome, "upload", _upload(page, plan))
    outcome.exported = await _timed(outcome, "export", _export_csv(page))
    if await page.locator("[data-testid='stException']").count():
        outcome.errors.append(f"session {plan.index}: an stException element is shown")


async def _load(page: Page, url: str, plan: Plan) -> None:
    await page.goto(f"{url}/?{urlencode(VIEW)}", wait_until="commit", timeout=TIMEOUT_MS)
    await _kpi_shows(page, plan.kpi_week)


async def _pick_category(page: Page, plan: Plan) -> None:
    """Type the category into the sidebar's multiselect and pick it (the option list is
    virtualised: options past the first screen are not in the page until scrolled to)."""
    sidebar = page.locator("[data-testid='stSidebar']")
    box = sidebar.locator("[data-testid='stMultiSelect']").filter(has_text="Categories")
    label = category_label(plan.category, "en")
    await box.locator("input").fill(label)
    await page.get_by_role("option", name=label, exact=True).click()
    await page.keyboard.press("Escape")
    await _kpi_shows(page, plan.kpi_category)


async def _upload(page: Page, plan: Plan) -> None:
    chooser = page.locator("[data-testid='stFileUploaderDropzone'] input[type='file']")
    name = f"session-{plan.index:02d}.csv"
    await chooser.set_input_files(
        files=[FilePayload(name=name, mimeType="text/csv", buffer=plan.upload)]
    )
    await _kpi_shows(page, plan.kpi_uploaded)


async def _export_csv(page: Page) -> list[dict[str, str]]:
    await page.get_by_role("tab", name="Export").click()
    button = page.get_by_role("button", name="CSV", exact=True)
    async with page.expect_download(timeout=TIMEOUT_MS) as started:
        await button.click()
    download = await started.value
    text = Path(await download.path()).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@contextlib.asynccontextmanager
async def _chromium() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless (never a downloaded browser)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def _all_sessions(browser: Browser, url: str, plans: list[Plan]) -> list[Outcome]:
    async def staggered(plan: Plan) -> Outcome:
        await asyncio.sleep(0.25 * plan.index)  # not all 20 in the same millisecond
        return await _session(browser, url, plan)

    return list(await asyncio.gather(*(staggered(plan) for plan in plans)))


async def _one_page_view(browser: Browser, url: str) -> None:
    """Open and close one session (a warm-up, or the disconnect that sweeps expired ones)."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{url}/?{urlencode(VIEW)}")
    await page.locator("[data-testid='stMetricValue']").first.wait_for(timeout=TIMEOUT_MS)
    await context.close()


async def _track_peak(pid: int, peak: list[float]) -> None:
    """Keep the highest RSS of `pid` in peak[0], sampling every 0.2 s until cancelled."""
    while True:
        peak[0] = max(peak[0], rss_mb(pid))
        await asyncio.sleep(0.2)


# --- the load and its figures --------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """The sessions' outcomes and the server's figures around them."""

    outcomes: list[Outcome]
    rss: dict[str, float]  # baseline, peak, after (MB)
    uploads_held: dict[str, int]  # uploaded bytes the server holds: sessions closed / dropped
    phase_s: float  # wall time of the 20 concurrent sessions
    server_cpu_s: float  # the server's CPU time in that phase


async def run_load(server: Server, plans: list[Plan]) -> Run:
    """Warm up, run the sessions concurrently, let Streamlit drop them; read RSS and uploads."""
    async with _chromium() as browser:
        await _one_page_view(browser, server.url)  # fill the shared caches (layers, store)
        await asyncio.sleep(SESSION_TTL_S + 1)
        peak = [rss_mb(server.pid)]
        baseline, cpu_before, started = peak[0], cpu_seconds(server.pid), time.monotonic()
        tracker = asyncio.create_task(_track_peak(server.pid, peak))
        outcomes = await _all_sessions(browser, server.url, plans)
        tracker.cancel()
        phase_s, server_cpu_s = time.monotonic() - started, cpu_seconds(server.pid) - cpu_before
        held = {"closed": uploaded_bytes(server.url)}
        await asyncio.sleep(SESSION_TTL_S + 1)  # every closed session has expired ...
        await _one_page_view(browser, server.url)  # ... and this disconnect drops them
        await asyncio.sleep(3)
        held["dropped"] = uploaded_bytes(server.url)
    rss = {"baseline": baseline, "peak": peak[0], "after": rss_mb(server.pid)}
    rounded = {key: round(value, 1) for key, value in rss.items()}
    return Run(outcomes, rounded, held, phase_s, server_cpu_s)


def _percentiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return {"p50": round(statistics.median(values), 3), "p95": round(cuts[18], 3),
            "max": round(max(values), 3), "n": len(values)}  # fmt: skip


def figures_of(run: Run) -> dict[str, Any]:
    """p50/p95 per step over the sessions that reached it, RSS and run figures."""
    figures: dict[str, Any] = {}
    for step in ("load", "filter", "upload", "export"):
        done = [o.timings[step] for o in run.outcomes if step in o.timings]
        figures[step] = _percentiles(done) if len(done) >= 2 else {"n": len(done)}
    figures["rss_mb"] = run.rss
    figures["uploaded_bytes_held"] = run.uploads_held
    figures["sessions"] = {
        "count": SESSIONS, "failed": sum(bool(o.errors) for o in run.outcomes),
        "phase_s": round(run.phase_s, 1), "server_cpu_s": round(run.server_cpu_s, 1),
        "disconnected_session_ttl_s": SESSION_TTL_S,
    }  # fmt: skip
    figures["errors"] = sorted({error[:200] for o in run.outcomes for error in o.errors})
    return figures


def main() -> None:
    """Run the load once on a copy of data/ (HITO_DATA_DIR, unless set) and print figures."""
    with contextlib.ExitStack() as stack:
        if "HITO_DATA_DIR" not in os.environ:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hito-load-")))
            ignore = shutil.ignore_patterns("hito.gpkg*")
            shutil.copytree(REPO / "data", folder / "data", ignore=ignore)
            os.environ["HITO_DATA_DIR"] = str(folder / "data")
        plans = session_plans()
        server = stack.enter_context(serve_dashboard())
        print(json.dumps(figures_of(asyncio.run(run_load(server, plans)))))


if __name__ == "__main__":
    main()
