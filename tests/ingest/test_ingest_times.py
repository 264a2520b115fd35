"""Times: offsets to UTC, local times in the zone of their side, day-first, month names, DST."""

from __future__ import annotations

import pandas as pd
import pytest
from ingest_support import ids, notices_with, only_problem, read_fixture

from geo.ingest import read_incidents_bytes
from geo.layers import Layers
from geo.schema import DISPLAY_ZONES


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
        "d-1": pd.Timestamp("2026-03-05T15:00:00Z"),  # 5 March, 12:00 in Arica (UTC-3)
        "d-2": pd.Timestamp("2026-03-05T17:30:00Z"),
        "d-3": pd.Timestamp("2026-01-13T15:00:00Z"),
    }
    problem = only_problem(result, 5)
    assert (problem.field, problem.value) == ("fecha", "01/13/2026")
    assert problem.reason == "not a valid calendar date read day-first (dd/mm/yyyy): month 13"
    assert notices_with(result, "day-first")


def test_spanish_and_english_month_names(layers: Layers) -> None:
    result = read_fixture("month_names.csv", layers)
    assert _times(result) == {
        "m-1": pd.Timestamp("2026-03-05T17:00:00Z"),  # Tacna: 12:00 at UTC-5
        "m-2": pd.Timestamp("2026-03-05T17:00:00Z"),
        "m-3": pd.Timestamp("2026-03-05T19:30:00Z"),
        "m-4": pd.Timestamp("2025-05-16T17:00:00Z"),
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


def test_dst_gaps_and_repeats_are_rejected_and_bare_dates_avoid_them(layers: Layers) -> None:
    result = read_fixture("dst_changes.csv", layers)
    gap = only_problem(result, 2)
    assert gap.value == "2025-09-07 00:30"
    assert "does not exist in America/Santiago" in gap.reason
    twice = only_problem(result, 3)
    assert "happens twice in America/Santiago" in twice.reason
    assert _times(result) == {
        # the day Chile's clocks jump at midnight: the bare date is 12:00 -03:00
        "date-1": pd.Timestamp("2025-09-07T15:00:00Z"),
        "offset-1": pd.Timestamp("2026-04-05T03:30:00Z"),
    }
    (notice,) = notices_with(result, "without a time of day")
    assert notice.message == (
        "1 values are dates without a time of day: placed at 12:00 local time so the day "
        "reads the same in every display zone"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02/2026", "read day-first (dd/mm/yyyy): day 31 (February 2026 has 28 days)"),
        ("30/02/2028 10:00", "read day-first (dd/mm/yyyy): day 30 (February 2028 has 29 days)"),
        ("00/03/2026", "read day-first (dd/mm/yyyy): day 0 (March 2026 has 31 days)"),
        ("2026/13/01", "read as yyyy/mm/dd: month 13"),
        ("31 de abril de 2026", ": day 31 (April 2026 has 30 days)"),
        ("05/03/3026", "year 3026 (dates from 1678 to 2261 are accepted)"),
    ],
)
def test_invalid_calendar_dates_say_why(layers: Layers, text: str, reason: str) -> None:
    data = f"incident_id,fecha,lat,lon,category\nx,{text},-18.4783,-70.3126,protest\n"
    result = read_incidents_bytes(data.encode(), "dates.csv", layers=layers)
    problem = only_problem(result, 2)
    assert problem.reason.startswith("not a valid calendar date")
    assert problem.reason.endswith(reason)


def test_bare_dates_keep_their_day_in_every_display_zone(layers: Layers) -> None:
    data = (
        "incident_id,fecha,lat,lon,category\n"
        "cl,2025-11-28,-18.4783,-70.3126,protest\n"  # Arica: America/Santiago, UTC-3
        "pe,2025-11-28,-18.0146,-70.2536,protest\n"  # Tacna: America/Lima, UTC-5
    )
    result = read_incidents_bytes(data.encode(), "days.csv", layers=layers)
    times = result.incidents["occurred_at"]
    assert times.tolist() == [
        pd.Timestamp("2025-11-28T15:00:00Z"),
        pd.Timestamp("2025-11-28T17:00:00Z"),
    ]
    for zone in DISPLAY_ZONES:
        assert times.dt.tz_convert(zone).dt.strftime("%Y-%m-%d").tolist() == ["2025-11-28"] * 2
