"""Generic CSV: canonical and Spanish layouts, encodings, field counts, columns, line numbers."""

from __future__ import annotations

import pandas as pd
import pytest
from ingest_support import ids, notices_with, only_problem, read_fixture

from geo.ingest import IngestError
from geo.layers import Layers
from geo.schema import CANONICAL_COLUMNS, CANONICAL_DTYPES


def test_canonical_file_maps_every_field(layers: Layers) -> None:
    result = read_fixture("good_canonical.csv", layers)
    frame = result.incidents
    assert result.report.format == "csv"
    assert (result.report.total, result.report.accepted, result.report.rejected) == (3, 3, 0)
    assert tuple(frame.columns) == CANONICAL_COLUMNS
    assert {name: str(frame[name].dtype) for name in CANONICAL_DTYPES} == CANONICAL_DTYPES
    assert frame.crs.to_epsg() == 4326
    first, second, third = (frame.iloc[i] for i in range(3))
    assert first["incident_id"] == "inc-1"
    assert first["occurred_at"] == pd.Timestamp("2025-11-28T14:05:00Z")
    assert (first.geometry.x, first.geometry.y) == (-70.315, -18.316)
    assert first["category"] == "stranded_group"
    assert first["crossing"] == "chacalluta"
    assert first["people_count"] == 120
    assert first["nationalities"] == ["VEN", "COL"]
    assert (first["source"], first["source_url"]) == ("press", "https://example.org/1")
    assert first["description"] == "Group stranded between the complexes"
    assert bool(first["verified"]) is True and bool(first["synthetic"]) is False
    assert second["occurred_at"] == pd.Timestamp("2025-12-01T12:30:00Z")
    assert second["crossing"] == "santa-rosa"  # given by name
    assert second["description"] == "Protest, peaceful"
    assert bool(second["synthetic"]) is True
    assert third["occurred_at"] == pd.Timestamp("2026-01-15T23:59:59.5Z")
    assert pd.isna(third["people_count"]) and pd.isna(third["crossing"])
    assert third["nationalities"] == []
    assert bool(third["verified"]) is False and bool(third["synthetic"]) is False
    assert result.report.notices == []


def test_spanish_semicolon_file_with_decimal_commas_and_local_times(layers: Layers) -> None:
    result = read_fixture("good_spanish_semicolon.csv", layers)
    frame = result.incidents
    assert ids(result) == ["a1", "a2"]
    assert frame["category"].tolist() == ["stranded_group", "detention"]
    assert frame.geometry.y.tolist() == [-18.316, -18.0146]
    assert frame.geometry.x.tolist() == [-70.315, -70.2536]
    # 05/03/2026 14:30 in Arica (UTC-3 in March) and 5 March 2026 (a bare date: 12:00 local)
    # in Tacna (UTC-5)
    assert frame["occurred_at"].tolist() == [
        pd.Timestamp("2026-03-05T17:30:00Z"),
        pd.Timestamp("2026-03-05T17:00:00Z"),
    ]
    assert frame["nationalities"].tolist() == [["VEN", "COL"], ["PER"]]
    assert frame["people_count"].tolist() == [12, 3]
    assert frame["source"].tolist() == ["Radio Bío Bío", "Correo"]
    assert frame["verified"].tolist() == [True, False]
    comma = notices_with(result, "decimal comma")
    assert [(n.field, n.value) for n in comma] == [("latitud", "-18,316"), ("longitud", "-70,315")]
    assert all(n.message.startswith("2 values") for n in comma)


def test_latin1_file_is_read_with_a_notice(layers: Layers) -> None:
    result = read_fixture("latin1.csv", layers)
    assert result.incidents["category"].tolist() == ["detention"]  # "detención"
    assert result.incidents["description"].tolist() == ["Niño en tránsito"]
    (notice,) = notices_with(result, "not valid UTF-8")
    assert "Latin-1" in notice.message and notice.line == 1
    assert "first bad byte 0xED on line 1" in notice.message  # the í of "categoría"
    assert result.report.problems == []


def test_byte_order_mark_is_not_part_of_the_first_column(layers: Layers) -> None:
    result = read_fixture("bom.csv", layers)
    assert ids(result) == ["b-1"]
    assert result.report.notices == []


def test_wrong_field_count_never_becomes_a_point(layers: Layers) -> None:
    result = read_fixture("wrong_field_count.csv", layers)
    assert ids(result) == ["1"]
    problem = only_problem(result, 3)
    assert problem.field == "(row)"
    assert problem.value == "2,-18,35,-70,33,2026-03-05T14:00:00Z,protest"
    assert problem.reason == "expected 5 fields, found 7"
    assert only_problem(result, 4).reason == "expected 5 fields, found 4"
    assert (result.report.total, result.report.rejected) == (3, 2)


def test_quoted_newlines_and_blank_lines_keep_physical_line_numbers(layers: Layers) -> None:
    result = read_fixture("quoted_newline_and_blank_lines.csv", layers)
    assert ids(result) == ["n-1", "n-3"]
    assert result.incidents["description"].tolist() == [
        "first line\nsecond line",
        'a "quoted" word',
    ]
    problem = only_problem(result, 5)  # header 1, record 2-3, blank 4, this record 5
    assert (problem.field, problem.value) == ("occurred_at", "not a date")


def test_extra_columns_are_listed_in_a_notice(layers: Layers) -> None:
    result = read_fixture("extra_columns.csv", layers)
    assert ids(result) == ["e-1"]
    (notice,) = notices_with(result, "not used")
    assert notice.message == "columns not used: reporter, Notas internas"


def test_missing_required_columns_name_each_one(layers: Layers) -> None:
    with pytest.raises(IngestError) as error:
        read_fixture("missing_columns.csv", layers)
    message = str(error.value)
    assert "missing_columns.csv" in message
    assert "a time column (occurred_at" in message and "a category column" in message
    assert "location" not in message  # lat and lon are there


def test_empty_file(layers: Layers) -> None:
    with pytest.raises(IngestError, match=r"empty\.csv is empty"):
        read_fixture("empty.csv", layers)


def test_header_only_file(layers: Layers) -> None:
    with pytest.raises(IngestError, match=r"header_only\.csv has a header but no rows"):
        read_fixture("header_only.csv", layers)


def test_png_renamed_to_csv(layers: Layers) -> None:
    with pytest.raises(
        IngestError, match=r"png_renamed\.csv looks like a PNG image, not CSV or GeoJSON"
    ):
        read_fixture("png_renamed.csv", layers)


def test_geojson_content_in_a_csv_name_is_read_as_geojson(layers: Layers) -> None:
    result = read_fixture("geojson_content.csv", layers)
    assert result.report.format == "geojson"
    assert ids(result) == ["g-1"]
    (notice,) = notices_with(result, "content is GeoJSON")
    assert notice.message == "the name ends in .csv but the content is GeoJSON: read as GeoJSON"


def test_csv_content_in_a_geojson_name_is_read_as_csv(layers: Layers) -> None:
    result = read_fixture("csv_content.geojson", layers)
    assert (result.report.format, ids(result)) == ("csv", ["c-1"])
    assert notices_with(result, "content is CSV: read as CSV")


def test_missing_file_names_the_path(layers: Layers) -> None:
    with pytest.raises(IngestError, match=r"no_such_file\.csv: cannot open"):
        read_fixture("no_such_file.csv", layers)
