"""Check issue 7's targets against the figures a bench run printed; one JSON line per target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

Figure = dict[str, object]


@dataclass(frozen=True)
class Target:
    """One limit on one figure: `key` of the lines named in `figures` at `n` rows (the worst
    of them when several were measured)."""

    name: str
    figures: tuple[str, ...]
    key: str
    n: int
    limit: float
    direction: Literal["at_most", "at_least"]


TARGETS: Final[tuple[Target, ...]] = (
    Target("target filter+aggregate <= 150 ms at 1e6", ("filter+aggregate",), "median_s",
           1_000_000, 0.150, "at_most"),
    Target("target map payload (full range) <= 1.5 MB at 1e6", ("map payload (full range)",),
           "bytes", 1_000_000, 1_500_000, "at_most"),
    Target("target map payload (30 days) <= 1.5 MB at 1e6", ("map payload (30 days)",), "bytes",
           1_000_000, 1_500_000, "at_most"),
    Target("target filter change to rendered map (server side) <= 1.0 s at 1e6",
           ("filter change to rendered map (server side)",), "median_s", 1_000_000, 1.0,
           "at_most"),
    Target("target ingest+enrich <= 15 s at 1e6", ("ingest+enrich",), "median_s", 1_000_000,
           15.0, "at_most"),
    Target("target ingest+enrich >= 200,000 rows/s at 1e6 (common brief)", ("ingest+enrich",),
           "rows_per_s", 1_000_000, 200_000, "at_least"),
    Target("target peak memory of the app <= 2.5 GB at 1e6",
           ("peak memory of the app (server, Chromium)",
            "peak memory of the app (AppTest process)"), "peak_rss_mb", 1_000_000, 2_500,
           "at_most"),
    Target("target >= 30x faster than the naive MarkerCluster at 1e5",
           ("ours vs naive (full range)",), "speedup", 100_000, 30, "at_least"),
    Target("target >= 15x smaller than the naive MarkerCluster at 1e5",
           ("ours vs naive (full range)",), "smaller", 100_000, 15, "at_least"),
)  # fmt: skip


def check_targets(figures: Sequence[Figure]) -> list[Figure]:
    """Return one line per target: value, limit, holds. A target's figure is taken at its
    n, else at the largest n measured (the line then says so), the worst when several
    figures count (the app's memory in AppTest and as a server); never measured: false."""
    return [_check(target, figures) for target in TARGETS]


def _check(target: Target, figures: Sequence[Figure]) -> Figure:
    found = [line for line in figures
             if line.get("name") in target.figures and target.key in line]  # fmt: skip
    if not found:
        return {"name": target.name, "n": target.n, "value": None, "limit": target.limit,
                "holds": False, "note": "not measured in this run"}  # fmt: skip
    exact = [candidate for candidate in found if candidate.get("n") == target.n]
    largest = max(_number(candidate["n"]) for candidate in found)
    pool = exact or [candidate for candidate in found if _number(candidate["n"]) == largest]
    worst = max if target.direction == "at_most" else min
    chosen = worst(pool, key=lambda candidate: _number(candidate[target.key]))
    value = _number(chosen[target.key])
    holds = value <= target.limit if target.direction == "at_most" else value >= target.limit
    line: Figure = {"name": target.name, "figure": chosen["name"], "n": chosen["n"],
                    "value": value, "limit": target.limit, "holds": holds,
                    "ratio_to_limit": round(value / target.limit, 3)}  # fmt: skip
    if not exact:
        line["note"] = f"measured at n={chosen['n']}; the target is for n={target.n}"
    return line

def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"figure value {value!r} is not a number")
    return float(value)
