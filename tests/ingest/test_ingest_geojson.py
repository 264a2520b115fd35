"""GeoJSON: property aliases, feature start lines, CRS and geometry rejections, bad JSON."""

from __future__ import annotations

import pandas as pd
import pytest
from ingest_support import ids, notices_with, only_problem, read_fixture

from geo.ingest import IngestError
from geo.layers import Layers
from geo.schema import CANONICAL_COLUMNS


def test_good_feature_collection_maps_properties(layers: Layers) -> None:
    result = read_fixture("good.geojson", layers)
    frame = result.incidents
    assert result.report.format == "geojson"
    assert tuple(frame.columns) == CANONICAL_COLUMNS
    assert ids(result) == ["g-1", "g-2"]
    first, second = frame.iloc[0], frame.iloc[1]
    assert (first["category"], first["crossing"], first["people_count"]) == (
        "stranded_group",
        "chacalluta",
        120,
    )
    assert first["nationalities"] == ["VEN", "COL"]
    assert bool(first["verified"]) is True
    assert (first.geometry.x, first.geometry.y) == (-70.315, -18.316)
    # Spanish property names, a day-first local time in Tacna (UTC-5), a text count
    assert second["category"] == "protest"
    assert second["occurred_at"] == pd.Timestamp("2026-03-05T19:30:00Z")
    assert second["people_count"] == 35
    (notice,) = notices_with(result, "elevation")
    assert notice.message.startswith("1 points")


def test_non_wgs84_crs_rejects_every_feature_naming_the_crs(layers: Layers) -> None:
    result = read_fixture("crs_utm19s.geojson", layers)
    assert (result.report.total, result.report.accepted) == (2, 0)
    for problem in result.report.problems:
        assert problem.field == "geometry"
        assert "EPSG:32719" in problem.reason and "not reprojected" in problem.reason
    assert [problem.value for problem in result.report.problems] == [
        "[361500.0, 7974000.0]",
        "[362000.0, 7975000.0]",
    ]
    # each problem names the line where its feature starts
    assert [problem.line for problem in result.report.problems] == [10, 25]


def test_invalid_geometries_are_rejected_feature_by_feature(layers: Layers) -> None:
    result = read_fixture("invalid_geometry.geojson", layers)
    assert ids(result) == ["ok-1"]
    reasons = [(problem.field, problem.reason) for problem in result.report.problems]
    assert reasons == [
        ("geometry", "geometry type 'LineString': only Point is accepted"),
        ("geometry", "geometry is null: a Point is required"),
        ("geometry", "Point coordinates must be [longitude, latitude]"),
        ("geometry", "Point coordinates must be [longitude, latitude]"),
        ("geometry", "Point coordinates must be numbers"),
        ("type", "not a GeoJSON Feature"),
    ]
    assert result.report.total == 7 and result.report.rejected == 6
    assert only_problem(result, 19).value == "[[-70.3, -18.3], [-70.2, -18.2]]"


def test_minified_file_numbers_problems_by_feature(layers: Layers) -> None:
    result = read_fixture("minified.geojson", layers)
    problem = only_problem(result, 2)  # feature 2, both on line 1
    assert (problem.field, problem.value) == ("category", "riot")
    assert notices_with(result, "numbered by feature")


def test_single_feature_is_not_a_collection(layers: Layers) -> None:
    with pytest.raises(IngestError, match="type 'Feature', not a GeoJSON FeatureCollection"):
        read_fixture("single_feature.geojson", layers)


def test_invalid_json_names_line_and_column(layers: Layers) -> None:
    with pytest.raises(
        IngestError, match=r"invalid_json\.geojson: not valid JSON at line 4, column 24"
    ):
        read_fixture("invalid_json.geojson", layers)
