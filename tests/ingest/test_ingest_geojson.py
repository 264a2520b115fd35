"""GeoJSON: property aliases, feature start lines, CRS and geometry rejections, bad JSON."""

from __future__ import annotations

import pandas as pd
import pytest
from ingest_support import ids, notices_with, only_problem, read_fixture

from geo.ingest import IngestError, read_incidents_bytes
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
    # each problem names the line where its feature starts, and the feature's number
    assert [(p.line, p.feature) for p in result.report.problems] == [(10, 1), (25, 2)]


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
    assert [problem.feature for problem in result.report.problems] == [2, 3, 4, 5, 6, 7]


def test_minified_file_gives_line_1_and_the_feature_number(layers: Layers) -> None:
    result = read_fixture("minified.geojson", layers)
    problem = only_problem(result, 1)  # both features stand on line 1
    assert (problem.line, problem.feature) == (1, 2)
    assert (problem.field, problem.value) == ("category", "riot")
    assert (result.report.total, result.report.accepted, result.report.rejected) == (2, 1, 1)
    assert result.report.to_dict()["problems"] == [
        {"line": 1, "field": "category", "value": "riot", "reason": problem.reason, "feature": 2}
    ]
    assert str(problem).startswith("line 1, feature 2, category = 'riot': unknown category")


def test_features_sharing_a_line_are_counted_apart(layers: Layers) -> None:
    feature = (
        '{{"type":"Feature","properties":{{"incident_id":"{id}","occurred_at":'
        '"2026-03-05T14:00:00Z","category":"{category}"}},"geometry":{{"type":"Point",'
        '"coordinates":[-70.315,-18.316]}}}}'
    )
    features = [feature.format(id=f"f-{n}", category="riot") for n in range(1, 4)]
    text = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
    result = read_incidents_bytes(text.encode(), "minified.geojson", layers=layers)
    assert [(p.line, p.feature) for p in result.report.problems] == [(1, 1), (1, 2), (1, 3)]
    assert (result.report.total, result.report.rejected, result.report.accepted) == (3, 3, 0)


def test_mixed_encoding_rejects_only_the_feature_with_the_bad_byte(layers: Layers) -> None:
    feature = (
        '{{"type":"Feature","properties":{{"incident_id":"{id}","occurred_at":'
        '"2026-03-05T14:00:00Z","category":"protest","description":"{text}"}},'
        '"geometry":{{"type":"Point","coordinates":[-70.315,-18.316]}}}}'
    )
    data = (
        (
            '{"type":"FeatureCollection","features":['
            + feature.format(id="g-1", text="Niño")
            + ","
            + feature.format(id="g-2", text="Ni@o")
            + "]}"
        )
        .encode()
        .replace(b"@", b"\xf1")
    )
    result = read_incidents_bytes(data, "mixed.geojson", layers=layers)
    assert ids(result) == ["g-1"]
    assert result.incidents["description"].tolist() == ["Niño"]
    (problem,) = result.report.problems
    assert (problem.line, problem.feature, problem.field) == (1, 2, "(row)")
    assert problem.reason == "not valid UTF-8 (byte 0xF1); the rest of the file is UTF-8"
    assert "Ni\\xF1o" in problem.value


def test_single_feature_is_not_a_collection(layers: Layers) -> None:
    with pytest.raises(IngestError, match="type 'Feature', not a GeoJSON FeatureCollection"):
        read_fixture("single_feature.geojson", layers)


def test_invalid_json_names_line_and_column(layers: Layers) -> None:
    with pytest.raises(
        IngestError, match=r"invalid_json\.geojson: not valid JSON at line 4, column 24"
    ):
        read_fixture("invalid_json.geojson", layers)
