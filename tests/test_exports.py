"""Tests for geo.exports: formula-safe CSV, GeoJSON/GeoPackage public columns, unique names."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.enrich import enrich
from geo.exports import (
    EXPORT_COLUMNS,
    EXPORT_FORMATS,
    export_bytes,
    export_name,
    neutralise_formulas,
)
from geo.layers import Layers
from geo.query import Filter, prepare
from geo.schema import CANONICAL_DTYPES, WGS84
from geo.writers import write_incidents

# One risky text per row: the OWASP "CSV injection" leading characters, then a plain one.
PAYLOADS = ("=1+1", "+x", "-y", "@z", "\tq", "\rr", "normal")
LONS = (-70.314, -70.3135, -70.2536, -70.316, -70.30, -70.31, -70.312)
LATS = (-18.312, -18.309, -18.0146, -18.320, -18.30, -18.31, -18.311)
PEOPLE = (40, 0, None, 120, 7, 3, 12)
NAME = re.compile(r"hito-(incidents|map)-\d{8}T\d{6}Z-[0-9a-f]{8}\.[a-z0-9]+")


@pytest.fixture(scope="module")
def risky(layers: Layers) -> gpd.GeoDataFrame:
    """Seven enriched incidents whose text cells start with each formula character."""
    frame = pd.DataFrame(
        {
            "incident_id": list(PAYLOADS),
            "occurred_at": pd.date_range("2025-12-03T14:05:00Z", periods=7, freq="h"),
            "category": ["detention"] * 7,
            "crossing": ["chacalluta"] * 7,
            "people_count": list(PEOPLE),
            "nationalities": [[payload, "VEN"] for payload in PAYLOADS],
            "source": list(PAYLOADS),
            "source_url": ["https://example.org/secret"] * 7,
            "description": ["=HYPERLINK(\"http://evil\")"] * 7,
            "verified": [True] * 7,
            "synthetic": [True] * 7,
        }
    ).astype(CANONICAL_DTYPES)
    points = gpd.points_from_xy(LONS, LATS)
    incidents = prepare(enrich(gpd.GeoDataFrame(frame, geometry=points, crs=WGS84), layers))
    # A categorical text column (as prepare() makes them) holding a payload too.
    incidents["nearest_crossing"] = pd.Categorical(list(PAYLOADS))
    return incidents


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


# --- neutralise_formulas --------------------------------------------------------------------


def test_neutralise_prefixes_each_formula_start_and_keeps_missing() -> None:
    values = pd.Series([*PAYLOADS, None], dtype="string")
    assert neutralise_formulas(values).tolist()[:-1] == [
        "'=1+1", "'+x", "'-y", "'@z", "'\tq", "'\rr", "normal",
    ]  # fmt: skip
    assert neutralise_formulas(values).isna().tolist()[-1]


@pytest.mark.parametrize(
    "values",
    [
        pd.Series([-70.3, 2.0]),
        pd.Series([-3, 4], dtype="Int64"),
        pd.Series([True, False]),
        pd.Series(pd.array([True, None], dtype="boolean")),
        pd.Series(pd.to_datetime(["2025-12-03T14:05:00Z"])),
        pd.Series(pd.Categorical([-1, 2])),
    ],
)
def test_neutralise_returns_non_text_columns_untouched(values: pd.Series) -> None:
    assert neutralise_formulas(values) is values


def test_neutralise_joins_lists_and_reads_categoricals_as_text() -> None:
    lists = pd.Series([["=cmd", "VEN"], [], None, ["COL"]])
    assert neutralise_formulas(lists).tolist() == ["'=cmd;VEN", "", "", "COL"]
    labels = pd.Series(pd.Categorical(["@sum", "ok", "@sum"]))
    assert neutralise_formulas(labels).tolist() == ["'@sum", "ok", "'@sum"]


def test_neutralise_leaves_non_text_cells_of_a_mixed_column() -> None:
    mixed = pd.Series([-1, "-1", None, 2.5, "+a"], dtype=object, index=[9, 8, 7, 6, 5])
    out = neutralise_formulas(mixed)
    assert out.tolist()[:2] == [-1, "'-1"] and out.tolist()[3:] == [2.5, "'+a"]
    assert out.index.tolist() == [9, 8, 7, 6, 5]
    assert mixed.tolist()[1] == "-1"  # the input is not modified


# --- CSV ------------------------------------------------------------------------------------


def test_csv_round_trip_neutralises_text_and_keeps_numbers(risky: gpd.GeoDataFrame) -> None:
    rows = _csv_rows(export_bytes(risky, "csv", role="analyst"))  # analysts get the ids
    assert [row["incident_id"] for row in rows] == ["'" + p for p in PAYLOADS[:-1]] + ["normal"]
    assert [row["source"] for row in rows] == [row["incident_id"] for row in rows]
    assert [row["nearest_crossing"] for row in rows] == [row["incident_id"] for row in rows]
    assert rows[0]["nationalities"] == "'=1+1;VEN"
    assert rows[6]["nationalities"] == "normal;VEN"
    assert [row["lon"] for row in rows] == [f"{lon:.6f}" for lon in LONS]  # "-70.314000"
    assert [row["lat"] for row in rows] == [f"{lat:.6f}" for lat in LATS]
    assert [row["people_count"] for row in rows] == ["40", "0", "", "120", "7", "3", "12"]
    assert all(float(row["dist_border_m"]) >= 0 for row in rows)
    assert {row["verified"] for row in rows} == {"true"}
    assert rows[0]["occurred_at"] == "2025-12-03T14:05:00Z"


def test_csv_lines_end_with_crlf_and_quote_a_carriage_return(risky: gpd.GeoDataFrame) -> None:
    content = export_bytes(risky, "csv")
    assert content.count(b"\r\n") == len(risky) + 1  # header + rows; no bare "\n" line end
    assert content.count(b"\n") == content.count(b"\r\n")
    assert b"\"'\rr\"" in content  # the cell with a carriage return is quoted


def test_write_incidents_refuses_an_unknown_csv_line_end(
    risky: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match=r"out.csv: csv_line_end '\\r' is not one of"):
        write_incidents(risky, tmp_path / "out.csv", csv_line_end="\r")


def test_csv_holds_the_public_columns_only(risky: gpd.GeoDataFrame) -> None:
    content = export_bytes(risky, "csv")
    header = next(csv.reader(io.StringIO(content.decode("utf-8"))))
    assert header[:3] == ["occurred_at", "lat", "lon"]
    assert set(header) == {*EXPORT_COLUMNS, "lat", "lon"}
    assert not {"incident_id", "description", "source_url"} & set(header)
    assert b"example.org" not in content and b"HYPERLINK" not in content


def test_export_leaves_the_callers_frame_alone(risky: gpd.GeoDataFrame) -> None:
    before = risky["incident_id"].tolist()
    export_bytes(risky, "csv")
    assert risky["incident_id"].tolist() == before
    assert "description" in risky.columns


def test_empty_selection_exports_a_header_only_csv(risky: gpd.GeoDataFrame) -> None:
    content = export_bytes(risky.iloc[0:0], "csv")
    assert content.decode("utf-8").count("\n") == 1
    assert content.startswith(b"occurred_at,lat,lon,")  # the public gets no ids


# --- GeoJSON and GeoPackage -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["geojson", "gpkg"])
def test_geojson_and_gpkg_read_back_with_public_columns(
    risky: gpd.GeoDataFrame, fmt: str, tmp_path: Path
) -> None:
    path = tmp_path / f"out.{fmt}"
    path.write_bytes(export_bytes(risky, fmt))
    back = gpd.read_file(path)
    assert len(back) == len(risky)
    assert set(back.columns) == {*EXPORT_COLUMNS, "geometry"}
    assert back.crs is not None and back.crs.to_epsg() == 4326
    np.testing.assert_allclose(back.geometry.x, LONS, atol=1e-6)
    full = tmp_path / f"analyst.{fmt}"
    full.write_bytes(export_bytes(risky, fmt, role="analyst"))
    analyst = gpd.read_file(full)
    assert {"incident_id", "description", "source_url"} <= set(analyst.columns)
    # Only the CSV is for spreadsheets: the other formats keep the exact text.
    assert analyst["incident_id"].tolist() == list(PAYLOADS)


def test_unknown_format_and_missing_columns_are_refused(risky: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match=r"format 'xlsx' is not one of \['csv'"):
        export_bytes(risky, "xlsx")
    with pytest.raises(ValueError, match=r"lack columns \['region'\].*geo.enrich"):
        export_bytes(risky.drop(columns=["region"]), "csv")
    assert EXPORT_FORMATS == ("csv", "geojson", "gpkg")


# --- names ----------------------------------------------------------------------------------


def test_export_name_is_unique_per_content_of_the_same_size() -> None:
    flt = Filter(start=date(2025, 12, 1), end=date(2025, 12, 31), crossings=("chacalluta",))
    made_at = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)
    first = export_name("incidents", flt, b"a,b\n1,2\n", made_at, "csv")
    second = export_name("incidents", flt, b"a,b\n1,3\n", made_at, "csv")
    assert first != second
    assert first == export_name("incidents", flt, b"a,b\n1,2\n", made_at, "csv")
    assert first.startswith("hito-incidents-20261128T101500Z-") and first.endswith(".csv")
    assert NAME.fullmatch(first) and NAME.fullmatch(second)


def test_export_name_depends_on_the_filter_and_reads_time_in_utc() -> None:
    content = b"same bytes"
    santiago = timezone(timedelta(hours=-3))
    made_at = datetime(2026, 11, 28, 7, 15, tzinfo=santiago)
    a = export_name("map", Filter(), content, made_at, "png")
    b = export_name("map", Filter(categories=("detention",)), content, made_at, "png")
    assert a != b
    assert a.startswith("hito-map-20261128T101500Z-")


@pytest.mark.parametrize(
    ("kind", "made_at", "suffix", "message"),
    [
        ("table", datetime(2026, 1, 1, tzinfo=UTC), "csv", "kind 'table'"),
        ("map", datetime(2026, 1, 1), "png", "has no time zone"),
        ("map", datetime(2026, 1, 1, tzinfo=UTC), ".png", "suffix '.png'"),
    ],
)
def test_export_name_refuses_bad_arguments(
    kind: str, made_at: datetime, suffix: str, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        export_name(kind, Filter(), b"x", made_at, suffix)
