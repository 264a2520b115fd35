"""Times: offsets to UTC, local times in the zone of their side, day-first, month names, DST."""

from __future__ import annotations

import pandas as pd
from ingest_support import ids, notices_with, only_problem, read_fixture

from geo.layers import Layers


def _times(result: object) -> dict[str, pd.Timestamp]:
    frame = result.incidents  # type: ignore[attr-defined]
    return dict(zip(frame["incident_id"], frame["occurred_at"], strict=True))


def test_offsets_are_converted_to_utc(layers: Layers) -> None:
    result = read_fixture("offset_timestamps.csv", layers)
    assert _times(result) == {
        "t-z": pd.Timestamp("2026-03-05T14:00:00Z"),
        "t-cl": pd.Timestamp("2026-03-05T17:00:00Z"),
        "t-pe": pd.Timestamp("2026-03-05T19:00:00Z"),
        "t-frac": pd.Timestamp("2026-03-05T14:00:00.25Z"),
    }
    assert str(result.incidents["occurred_at"].dtype) == "datetime64[ns, UTC]"
    assert result.report.notices == []


def test_times_without_zone_use_the_zone_of_their_side(layers: Layers) -> None:
    result = read_fixture("local_times_two_zones.csv", layers)
    assert _times(result) == {
        "cl-summer": pd.Timestamp("2026-03-05T17:00:00Z"),  # America/Santiago, UTC-3
        "cl-winter": pd.Timestamp("2026-07-05T18:00:00Z"),  # America/Santiago, UTC-4
        "pe-1": pd.Timestamp("2026-03-05T19:00:00Z"),  # America/Lima, UTC-5
    }
    (notice,) = notices_with(result, "no UTC offset")
    assert "2 in America/Santiago (Chilean side)" in notice.message
    assert "1 in America/Lima (Peruvian side)" in notice.message


def test_slash_and_dash_dates_are_day_first(layers: Layers) -> None:
    result = read_fixture("day_first_dates.csv", layers)
    assert _times(result) == {
        "d-1": pd.Timestamp("2026-03-05T03:00:00Z"),  # 5 March, local midnight
        "d-2": pd.Timestamp("2026-03-05T17:30:00Z"),
        "d-3": pd.Timestamp("2026-01-13T03:00:00Z"),
    }
    problem = only_problem(result, 5)
    assert (problem.field, problem.value) == ("fecha", "01/13/2026")
    assert problem.reason == "not a valid calendar date"
    assert notices_with(result, "day-first")


def test_spanish_and_english_month_names(layers: Layers) -> None:
    result = read_fixture("month_names.csv", layers)
    assert _times(result) == {
        "m-1": pd.Timestamp("2026-03-05T05:00:00Z"),  # Tacna: UTC-5
        "m-2": pd.Timestamp("2026-03-05T05:00:00Z"),
        "m-3": pd.Timestamp("2026-03-05T19:30:00Z"),
        "m-4": pd.Timestamp("2025-05-16T05:00:00Z"),
    }
    problem = only_problem(result, 6)
    assert problem.value == "5 de brumario de 2026"
    assert "unknown month name 'brumario'" in problem.reason


def test_unreadable_times_name_the_value(layers: Layers) -> None:
    result = read_fixture("unparseable_dates.csv", layers)
    assert ids(result) == ["ok-1"]
    assert only_problem(result, 3).value == "yesterday"
    assert "not a date this reader knows" in only_problem(result, 3).reason
    assert only_problem(result, 4).reason == "not a valid date and time"  # 30 February
    assert only_problem(result, 5).reason.startswith("empty")
    assert only_problem(result, 6).reason == "not a valid time of day"


def test_dst_gaps_and_repeats_are_rejected_or_resolved_with_a_notice(layers: Layers) -> None:
    result = read_fixture("dst_changes.csv", layers)
    gap = only_problem(result, 2)
    assert gap.value == "2025-09-07 00:30"
    assert "does not exist in America/Santiago" in gap.reason
    twice = only_problem(result, 3)
    assert "happens twice in America/Santiago" in twice.reason
    assert _times(result) == {
        "date-1": pd.Timestamp("2025-09-07T04:00:00Z"),  # 01:00 -03:00, first local minute
        "offset-1": pd.Timestamp("2026-04-05T03:30:00Z"),
    }
    (notice,) = notices_with(result, "no local midnight")
    assert (notice.line, notice.field, notice.value) == (4, "occurred_at", "2025-09-07")
