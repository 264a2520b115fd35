"""ACLED and IOM Missing Migrants exports: column maps, category table, month-first MMP dates."""

from __future__ import annotations

import pandas as pd
from ingest_support import ids, notices_with, only_problem, problems_on, read_fixture

from geo.layers import Layers
from geo.schema import DISPLAY_ZONES


def test_acled_export_maps_event_types_fatalities_and_dates(layers: Layers) -> None:
    result = read_fixture("acled_export.csv", layers)
    frame = result.incidents.set_index("incident_id")
    assert result.report.format == "acled"
    assert frame["category"].to_dict() == {
        "CHL9001": "protest",
        "PER9002": "death_or_injury",  # attack with fatalities
        "PER9003": "detention",
        "PER9004": "military_deployment",
        "PER9005": "other",  # abduction: not inferred as trafficking
        "CHL9007": "other",  # mob violence without fatalities
        "PER9008": "protest",
    }
    # dates only: 12:00 local time, Arica UTC-3 in November, Tacna UTC-5 all year
    assert frame["occurred_at"].to_dict() == {
        "CHL9001": pd.Timestamp("2025-11-28T15:00:00Z"),  # "28 November 2025"
        "PER9002": pd.Timestamp("2025-11-29T17:00:00Z"),
        "PER9003": pd.Timestamp("2025-05-16T17:00:00Z"),  # "16 de mayo de 2025"
        "PER9004": pd.Timestamp("2025-05-16T17:00:00Z"),  # "16 May 2025"
        "PER9005": pd.Timestamp("2025-05-16T17:00:00Z"),  # "16 May 2025"
        "CHL9007": pd.Timestamp("2025-11-28T15:00:00Z"),
        "PER9008": pd.Timestamp("2025-11-30T17:00:00Z"),
    }
    assert frame.loc["PER9002", "people_count"] == 2
    assert pd.isna(frame.loc["CHL9001", "people_count"])  # 0 fatalities: headcount unknown
    assert frame.loc["CHL9001", "source"] == "La Estrella de Arica"
    assert frame.loc["CHL9001", "description"].startswith("On 28 November 2025, more than 100")
    assert len(notices_with(result, "dates without a time")) == 1  # once per file
    unknown, fatalities = problems_on(result, 7)
    assert (unknown.field, unknown.value) == ("sub_event_type", "Teleportation")
    assert "not an ACLED event type" in unknown.reason
    assert (fatalities.field, fatalities.value) == ("fatalities", "zero")
    assert pd.isna(frame["verified"]).all()  # ACLED does not say: unknown, not False


def test_acled_chilean_date_reads_the_same_day_in_every_display_zone(layers: Layers) -> None:
    frame = read_fixture("acled_export.csv", layers).incidents.set_index("incident_id")
    when = frame.loc["CHL9007", "occurred_at"]  # event_date 2025-11-28, in Arica
    assert [when.tz_convert(zone).date().isoformat() for zone in DISPLAY_ZONES] == [
        "2025-11-28"
    ] * 3


def test_acled_precision_and_mapping_rules_are_counted(layers: Layers) -> None:
    result = read_fixture("acled_export.csv", layers)
    messages = {notice.message for notice in result.report.notices}
    assert {
        "1 rows have time_precision 2 (week only): their date is ACLED's estimate within that week",
        "1 rows have time_precision 3 (month only): their date is ACLED's estimate",
        "1 rows have geo_precision 2 (near a town): their point is that town, not the exact place",
        "1 rows have geo_precision 3 (region only): their point is a regional centroid, not "
        "the place",
        "6 rows with 0 fatalities: people_count left empty (unknown), as ACLED counts deaths, "
        "not the people involved",
        "1 violent events (e.g. 'Attack') with fatalities above 0: death_or_injury",
        "1 violent events (e.g. 'Mob violence') without fatalities: other",
    } <= messages
    (table,) = notices_with(result, "by the declared table")
    assert "'Peaceful protest' -> protest (2)" in table.message
    assert "'Abduction/forced disappearance' -> other (1)" in table.message
    (unused,) = notices_with(result, "columns not used")
    assert "time_precision" not in unused.message and "geo_precision" not in unused.message


def test_acled_old_layout_builds_the_id_from_iso3(layers: Layers) -> None:
    result = read_fixture("acled_old_layout.csv", layers)
    assert ids(result) == ["CHL1234"]
    assert result.incidents["occurred_at"].iloc[0] == pd.Timestamp("2019-10-20T15:00:00Z")


def test_iom_export_maps_dead_and_missing_and_origin(layers: Layers) -> None:
    result = read_fixture("iom_mmp.csv", layers)
    assert result.report.format == "iom"
    assert ids(result)[0] == "2023.MMP0101"
    row = result.incidents.iloc[0]
    assert row["category"] == "death_or_injury"
    assert row["people_count"] == 2  # Total Number of Dead and Missing
    assert row["nationalities"] == ["VEN", "COL"]
    assert row["occurred_at"] == pd.Timestamp("2023-01-31T15:00:00Z")  # 12:00 in Arica
    assert (row.geometry.y, row.geometry.x) == (-18.316, -70.315)  # "lat, lon"
    assert row["description"] == (
        "Cause of death: Harsh environmental conditions / lack of adequate shelter. "
        "Location: Near the Chacalluta border crossing, Arica"
    )
    assert (row["source"], row["source_url"]) == ("Media", "https://example.org/mmp/101")
    problem = only_problem(result, 3)
    assert (problem.field, problem.value) == ("Country of Origin", "Atlantis")
    assert "unknown nationality" in problem.reason
    assert notices_with(result, "8 rows: category death_or_injury")
    assert notices_with(result, "people_count is 'Total Number of Dead and Missing'")


def test_iom_country_of_origin_names_are_known(layers: Layers) -> None:
    result = read_fixture("iom_mmp.csv", layers)
    frame = result.incidents.set_index("incident_id")
    assert frame["nationalities"].to_dict() == {
        "2023.MMP0101": ["VEN", "COL"],
        "2023.MMP0103": ["GTM", "HND"],
        "2023.MMP0104": [],  # "Mixed"
        "2023.MMP0105": ["UNK"],  # "Unknown"
        "2023.MMP0106": ["SLV", "NIC", "PAN", "CRI"],
        "2023.MMP0107": ["SEN", "GHA", "ESP"],
        "2023.MMP0108": ["PRY", "MEX", "URY", "USA"],
    }
    (mixed,) = notices_with(result, "mixed")
    assert mixed.message.startswith("1 rows say the nationalities are mixed (e.g. 'Mixed')")
    (unknown,) = notices_with(result, "as unknown")
    assert unknown.message == "1 rows give the nationality as unknown (e.g. 'Unknown'): read as UNK"
    assert result.report.rejected == 1  # only Atlantis


def test_iom_old_layout_reads_wkt_and_month_first_dates(layers: Layers) -> None:
    result = read_fixture("iom_mmp_old_layout.csv", layers)
    assert ids(result) == ["50101"]
    row = result.incidents.iloc[0]
    assert row["occurred_at"] == pd.Timestamp("2023-01-31T15:00:00Z")  # "Tue, 01/31/2023"
    assert (row.geometry.x, row.geometry.y) == (-70.3126, -18.4783)  # POINT (lon lat)
    problem = only_problem(result, 3)
    assert problem.value == "Tue, 02/01/2023"  # 1 February 2023 was a Wednesday
    assert "weekday 'Tue' does not match" in problem.reason
    assert notices_with(result, "month-first")
