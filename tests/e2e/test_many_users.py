"""Twenty concurrent browser sessions on one dashboard server: each filters, uploads its own
file and exports; nothing fails, no session sees another's rows, and memory comes back.

The load is bench/many_users.py (the server and Chromium started as in conftest.py; 20
contexts on Playwright's async API, run in a thread of our own so that it never meets the
sync API pytest's thread may hold). This test writes its figures (p50/p95 per step, memory)
to out/e2e/many_users.json, prints them, and asserts on them; it takes ~3 minutes.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

import pytest

pytestmark = pytest.mark.e2e
T = TypeVar("T")
REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "out" / "e2e" / "many_users.json"
# Once the closed sessions are dropped, the server's RSS may keep at most this share of what
# it grew by over its baseline (taken after two full warm-up sessions, so that imports and
# shared caches are in it). The server runs with bench's MALLOC_ENV, so freed large blocks
# go back to the system; the app's bounded shared caches (export files, stored + uploaded
# rows) and the small-object heap keep the rest. Measured here (2 cores): kept 0.27 and
# 0.37 with the sessions dropped, 0.70 with them kept (TTL 600 s). Glibc's default threshold
# keeps freed uploads in the heap: kept 0.70-1.0 either way, so RSS alone told nothing then.
RSS_KEPT_SHARE = 0.5
# Files behind the closed sessions' download buttons (7 per session, ~10 MB): Streamlit
# deletes a closed session's files at a later run's clean-up, so the last one or two may
# linger (0.55-1.3 MB measured); more than this share of them would be a leak.
MEDIA_KEPT_SHARE = 0.2


def _load_bench() -> ModuleType:
    if str(REPO / "bench") not in sys.path:  # the bench scripts import each other by name
        sys.path.insert(0, str(REPO / "bench"))
    spec = importlib.util.spec_from_file_location("many_users", REPO / "bench" / "many_users.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["many_users"] = module  # dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


load = _load_bench()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The dashboard on a copy of data/, trusting the analyst header, on a free port."""
    with load.serve_dashboard(load.copy_data(tmp_path_factory.mktemp("many-users"))) as running:
        yield running


def _in_own_thread(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine in a thread with its own event loop; its exception is re-raised here."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()


def _isolation_problems(plan: Any, outcome: Any) -> list[str]:
    """Return how a session's CSV export differs from its own rows (none: [])."""
    problems = []
    exported: list[dict[str, str]] = outcome.exported
    tags = [row["source"] for row in exported if row["source"].startswith("load-")]
    foreign = sorted({tag for tag in tags if tag != load.TAG.format(plan.index)})
    if foreign:
        problems.append(f"session {plan.index}: its export holds rows of {foreign}")
    if (len(tags), len(exported)) != (len(plan.own_ids), plan.kpi_uploaded):
        problems.append(
            f"session {plan.index}: {len(tags)} own rows of {len(exported)} exported, "
            f"expected {len(plan.own_ids)} of {plan.kpi_uploaded}"
        )
    if plan.role == "analyst":
        missing = plan.own_ids - {row["incident_id"] for row in exported}
        if missing:
            problems.append(f"session {plan.index}: ids {sorted(missing)} missing")
    elif exported and "incident_id" in exported[0]:
        problems.append(f"session {plan.index}: the public export has incident_id")
    return problems


def test_twenty_sessions_stay_apart_and_memory_comes_back(server: Any) -> None:
    plans = load.session_plans(server.data)
    run = _in_own_thread(load.run_load(server, plans))
    figures = load.figures_of(run)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures))
    assert figures["errors"] == []
    assert [step for step in load.STEPS if figures[step]["n"] != load.SESSIONS] == []
    pairs = zip(plans, run.outcomes, strict=False)  # the warm-up plans come last
    assert [problem for plan, o in pairs for problem in _isolation_problems(plan, o)] == []
    assert run.held["closed"]["uploads"] > 0, "the server's metrics never showed the uploads"
    assert run.held["dropped"]["uploads"] == 0, run.held
    assert run.held["dropped"]["media"] <= MEDIA_KEPT_SHARE * run.held["closed"]["media"], run.held
    growth = run.rss["peak"] - run.rss["baseline"]
    assert run.rss["after"] <= run.rss["baseline"] + RSS_KEPT_SHARE * growth, run.rss
