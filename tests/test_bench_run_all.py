"""bench/run_all.py prints one JSON line per figure and per target (format only, no timings)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))  # the bench scripts import each other as top-level modules

from run_all import plan_from_args  # noqa: E402
from targets import TARGETS, check_targets  # noqa: E402

MEASURES = ("median_s", "bytes", "rows_per_s", "peak_rss_mb", "speedup")
FIGURES_AT_N = {
    "ingest+enrich", "cells at load", "filter+aggregate", "map payload (full range)",
    "map payload (30 days)", "snapshot png 1600x1200", "naive MarkerCluster map",
    "ours vs naive (full range)", "dashboard first run (server side)",
    "filter change to rendered map (server side)", "peak memory of the app (AppTest process)",
}  # fmt: skip


@pytest.fixture(scope="module")
def printed() -> list[dict[str, object]]:
    """The lines of one tiny run: 200 rows, one run each, no browser."""
    done = subprocess.run(
        [sys.executable, str(BENCH / "run_all.py"), "--n", "200", "--runs", "1",
         "--skip", "browser"],
        capture_output=True, text=True, timeout=120, check=False, cwd=BENCH.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_every_figure_is_named_at_its_n_with_runs_and_one_measure(
    printed: list[dict[str, object]],
) -> None:
    figures = [line for line in printed if str(line["name"]) in FIGURES_AT_N]
    assert {line["name"] for line in figures} == FIGURES_AT_N
    for line in figures:
        assert line["n"] == 200, line
        assert line["runs"] == 1, line
        measures = [key for key in MEASURES if key in line]
        assert measures, line
        assert all(isinstance(line[key], int | float) for key in measures), line


def test_one_target_line_per_target_with_value_limit_and_verdict(
    printed: list[dict[str, object]],
) -> None:
    targets = [line for line in printed if str(line["name"]).startswith("target ")]
    assert [line["name"] for line in targets] == [target.name for target in TARGETS]
    for line in targets:
        assert isinstance(line["value"], float), line
        assert isinstance(line["holds"], bool), line
        assert line["limit"] == next(t.limit for t in TARGETS if t.name == line["name"])
        assert "n=200" in str(line["note"])  # measured at 200 rows, not at the target's n


def test_the_run_ends_with_its_duration(printed: list[dict[str, object]]) -> None:
    assert printed[-1]["name"] == "bench duration"
    assert isinstance(printed[-1]["median_s"], float)


def test_a_target_takes_its_own_n_and_fails_when_over_the_limit() -> None:
    figures: list[dict[str, object]] = [
        {"name": "filter+aggregate", "n": 100_000, "runs": 5, "median_s": 0.05},
        {"name": "filter+aggregate", "n": 1_000_000, "runs": 5, "median_s": 0.2},
    ]
    line = check_targets(figures)[0]
    assert (line["n"], line["value"], line["holds"]) == (1_000_000, 0.2, False)
    assert "note" not in line


def test_a_target_never_measured_does_not_hold() -> None:
    lines = {line["name"]: line for line in check_targets([])}
    line = lines["target >= 30x faster than the naive MarkerCluster at 1e5"]
    assert line["holds"] is False
    assert line["value"] is None


def test_quick_measures_1e4_and_1e5_in_3_runs_with_the_naive_map_at_1e4_only() -> None:
    plan = plan_from_args(["--quick"])
    assert (plan.sizes, plan.runs, plan.naive_sizes) == ((10_000, 100_000), 3, (10_000,))
    assert plan.browser_sizes == (100_000,)


def test_full_measures_up_to_1e6_in_5_runs_with_the_naive_map_up_to_1e5() -> None:
    plan = plan_from_args([])
    assert (plan.sizes, plan.runs, plan.naive_sizes) == (
        (10_000, 100_000, 1_000_000), 5, (10_000, 100_000)
    )
    assert plan.browser_sizes == (100_000, 1_000_000)


def test_memory_target_takes_the_worse_of_the_server_and_apptest_figures() -> None:
    figures: list[dict[str, object]] = [
        {"name": "peak memory of the app (AppTest process)", "n": 1_000_000, "peak_rss_mb": 2400},
        {"name": "peak memory of the app (server, Chromium)", "n": 1_000_000, "peak_rss_mb": 2600},
    ]
    lines = {line["name"]: line for line in check_targets(figures)}
    line = lines["target peak memory of the app <= 2.5 GB at 1e6"]
    assert (line["value"], line["holds"]) == (2600, False)
    assert line["figure"] == "peak memory of the app (server, Chromium)"
