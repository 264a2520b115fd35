"""Tests for geo.events: the dated context events file and its checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.events import EVENT_COLUMNS, EventsError, load_events
from geo.settings import REPO_DATA_DIR

# The seven dated events and where they happened, as listed in the project's reference
# notes (reference/README.md, "Dated context"): DS 135-2025-PCM and the highway blockade on
# 28 Nov 2025, the binational committee on 1 Dec, Chile's runoff on 14 Dec, the extension
# (DS 013-2026-PCM) on 24 Jan 2026, the new president on 11 Mar, the closure plan on 16 Mar.
EXPECTED_DATES = [
    "2025-11-28", "2025-11-28", "2025-12-01", "2025-12-14",
    "2026-01-24", "2026-03-11", "2026-03-16",
]  # fmt: skip
HEADER = ",".join(EVENT_COLUMNS)
GOOD_ROW = "2025-12-14,America/Santiago,Segunda vuelta,Runoff,election,Servel,"


def test_bundled_events_load_in_date_order() -> None:
    events = load_events(REPO_DATA_DIR / "events.csv")
    assert list(events.columns) == list(EVENT_COLUMNS)
    assert events["date"].dt.strftime("%Y-%m-%d").tolist() == EXPECTED_DATES
    assert events["date"].is_monotonic_increasing


def test_bundled_events_name_their_decrees_and_sources() -> None:
    events = load_events(REPO_DATA_DIR / "events.csv")
    sources = events["source"].tolist()
    assert "Decreto Supremo N.º 135-2025-PCM" in sources[0]
    assert "Decreto Supremo N.º 013-2026-PCM" in sources[4]
    assert events["source"].str.len().min() > 5
    urls = events["source_url"].dropna()
    assert urls.str.startswith("https://").all()
    assert events["kind"].tolist()[:2] == ["state_of_emergency", "protest"]


def test_default_path_is_the_bundled_file() -> None:
    assert load_events().equals(load_events(REPO_DATA_DIR / "events.csv"))


def test_rows_are_sorted_whatever_the_file_order(tmp_path: Path) -> None:
    later = "2026-03-16,America/Santiago,Plan,Plan,border_policy,Presidencia,"
    path = _write(tmp_path, [later, GOOD_ROW])
    dates = load_events(path)["date"].tolist()
    assert dates == [pd.Timestamp("2025-12-14"), pd.Timestamp("2026-03-16")]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (GOOD_ROW.replace("2025-12-14", "2025-13-01"), "line 3, field date, value '2025-13-01'"),
        (GOOD_ROW.replace("2025-12-14", "14/12/2025"), "line 3, field date, value '14/12/2025'"),
        (GOOD_ROW.replace("America/Santiago", "UTC"), "line 3, field zone, value 'UTC'"),
        (GOOD_ROW.replace("election", "party"), "line 3, field kind, value 'party'"),
        (GOOD_ROW.replace("Servel,", ","), "line 3, field source, value '': must not be empty"),
        (GOOD_ROW + "www.servel.cl", "field source_url, value 'www.servel.cl'"),
    ],
)
def test_bad_cells_are_named(tmp_path: Path, row: str, expected: str) -> None:
    path = _write(tmp_path, [GOOD_ROW, row])
    with pytest.raises(EventsError, match=expected.replace("(", r"\(")) as caught:
        load_events(path)
    assert str(path) in str(caught.value)


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("date,zone,title_es,title_en,kind,source\n", encoding="utf-8")
    with pytest.raises(EventsError, match="missing column\\(s\\) source_url"):
        load_events(path)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(EventsError, match="events file not found"):
        load_events(tmp_path / "nope.csv")


def _write(folder: Path, rows: list[str]) -> Path:
    path = folder / "events.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path
