"""ACLED and IOM Missing Migrants exports: column maps, category table, month-first MMP dates."""

from __future__ import annotations

import pandas as pd
from ingest_support import ids, notices_with, only_problem, problems_on, read_fixture

from geo.layers import Layers


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
    }
    # dates only: local midnight, Arica UTC-3 in November, Tacna UTC-5
    assert frame.loc["CHL9001", "occurred_at"] == pd.Timestamp("2025-11-28T03:00:00Z")
    assert frame.loc["PER9002", "occurred_at"] == pd.Timestamp("2025-11-29T05:00:00Z")
    # "16 de mayo de 2025"
    assert frame.loc["PER9003", "occurred_at"] == pd.Timestamp("2025-05-16T05:00:00Z")
    assert frame.loc["PER9002", "people_count"] == 2
    assert pd.isna(frame.loc["CHL9001", "people_count"])  # 0 fatalities: headcount unknown
    assert frame.loc["CHL9001", "source"] == "La Estrella de Arica"
    assert frame.loc["CHL9001", "description"].startswith("On 28 November 2025, more than 100")
    assert len(notices_with(result, "dates without a time")) == 1  # once per file
    unknown, fatalities = problems_on(result, 7)
    assert (unknown.field, unknown.value) == ("sub_event_type", "Teleportation")
    assert "not an ACLED event type" in unknown.reason
    assert (fatalities.field, fatalities.value) == ("fatalities", "zero")


def test_acled_old_layout_builds_the_id_from_iso3(layers: Layers) -> None:
    result = read_fixture("acled_old_layout.csv", layers)
    assert ids(result) == ["CHL1234"]
    assert result.incidents["occurred_at"].iloc[0] == pd.Timestamp("2019-10-20T03:00:00Z")


def test_iom_export_maps_dead_and_missing_and_origin(layers: Layers) -> None:
    result = read_fixture("iom_mmp.csv", layers)
    assert result.report.format == "iom"
    assert ids(result) == ["2023.MMP0101"]
    row = result.incidents.iloc[0]
    assert row["category"] == "death_or_injury"
    assert row["people_count"] == 2  # Total Number of Dead and Missing
    assert row["nationalities"] == ["VEN", "COL"]
    assert row["occurred_at"] == pd.Timestamp("2023-01-31T03:00:00Z")
    assert (row.geometry.y, row.geometry.x) == (-18.316, -70.315)  # "lat, lon"
    assert row["description"] == (
        "Cause of death: Harsh environmental conditions / lack of adequate shelter. "
        "Location: Near the Chacalluta border crossing, Arica"
    )
    assert (row["source"], row["source_url"]) == ("Media", "https://example.org/mmp/101")
    problem = only_problem(result, 3)
    assert (problem.field, problem.value) == ("Country of Origin", "Atlantis")
    assert "unknown nationality" in problem.reason


def test_iom_old_layout_reads_wkt_and_month_first_dates(layers: Layers) -> None:
    result = read_fixture("iom_mmp_old_layout.csv", layers)
    assert ids(result) == ["50101"]
    row = result.incidents.iloc[0]
    assert row["occurred_at"] == pd.Timestamp("2023-01-31T03:00:00Z")  # "Tue, 01/31/2023"
    assert (row.geometry.x, row.geometry.y) == (-70.3126, -18.4783)  # POINT (lon lat)
    problem = only_problem(result, 3)
    assert problem.value == "Tue, 02/01/2023"  # 1 February 2023 was a Wednesday
    assert "weekday 'Tue' does not match" in problem.reason
    assert notices_with(result, "month-first")
