"""Benchmark the dashboard's server-side rerun after a filter change (AppTest); print JSON lines.

    .venv/bin/python bench/dashboard_rerun.py [--n N] [--runs R]

As an analyst (every row), the map tab open: one first run (loading the store), then R
crossing-filter changes, each timed to the end of the rerun that renders the new map. The
store is the app's own ($HITO_STORE, else data/hito.gpkg seeded with the demo rows); `--n`
only labels the lines with the store's row count. The last line is this process's peak
resident memory (VmHWM): run alone in a subprocess, it is the app's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from proc_memory import peak_rss_mb, rss_mb
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Caption

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"
CHOICES: tuple[list[str], ...] = (["chacalluta"], ["santa-rosa"], [])
DEMO_ROWS = 5000  # the seeded default store's rows
ANALYST: dict[str, object] = {
    "is_logged_in": True, "email": "bench@example.org", "email_verified": True
}  # fmt: skip
AUTH_SECRETS: dict[str, str] = {
    "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "bench-only",
    "client_id": "hito-bench", "client_secret": "bench-only",
    "server_metadata_url": "https://idp.invalid/.well-known/openid-configuration",
}  # fmt: skip


def analyst_app() -> AppTest:
    """Return an AppTest of dashboard/app.py signed in as an analyst (not yet run)."""
    app = AppTest.from_file(str(APP), default_timeout=600)
    app.secrets["auth"] = AUTH_SECRETS  # Streamlit's OIDC configured; never contacted
    app.secrets["hito"] = {"analysts": [ANALYST["email"]]}
    app.user = ANALYST
    return app


def run_checked(app: AppTest) -> float:
    """Run the app once; return the seconds it took; raise if it shows an error or no map."""
    began = time.perf_counter()
    app.run()
    took = time.perf_counter() - began
    if app.exception:
        raise RuntimeError(app.exception[0].value)
    if app.error:
        raise RuntimeError(f"the app shows an error: {app.error[0].value}")
    map_tab = app.tabs[0]
    if not any(type(child).__name__ == "UnknownElement" for child in map_tab.children.values()):
        raise RuntimeError("the map tab has no map component")
    return took


def map_caption(app: AppTest) -> str:
    """Return the caption under the map (what the render policy drew)."""
    captions = [child for child in app.tabs[0].children.values() if isinstance(child, Caption)]
    return str(captions[-1].value) if captions else ""


def measure(n: int, runs: int) -> list[dict[str, object]]:
    """Return the first-run, filter-change and peak-memory figures of `runs` changes."""
    app = analyst_app()
    first_s = run_checked(app)
    timings, captions = [], set()
    for index in range(runs):
        crossing = next(
            box for box in app.multiselect if str(box.key).startswith("hito.w.crossing")
        )
        crossing.set_value(CHOICES[index % len(CHOICES)])
        timings.append(run_checked(app))
        captions.add(map_caption(app))
    pid = os.getpid()
    return [
        {"name": "dashboard first run (server side)", "n": n, "runs": 1,
         "median_s": round(first_s, 3)},
        {"name": "filter change to rendered map (server side)", "n": n, "runs": runs,
         "median_s": round(statistics.median(timings), 3), "max_s": round(max(timings), 3),
         "map_captions": len(captions)},
        {"name": "peak memory of the app (AppTest process)", "n": n, "runs": runs,
         "peak_rss_mb": peak_rss_mb(pid), "rss_mb": rss_mb(pid)},
    ]  # fmt: skip


def main() -> None:
    """Parse the options, measure, print one JSON line per figure."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=DEMO_ROWS, help="rows in the app's store")
    parser.add_argument("--runs", type=int, default=7, help="timed filter changes")
    args = parser.parse_args()
    for line in measure(args.n, args.runs):
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
