"""Tests for geo.writers: CSV, GeoJSON and GeoPackage output, and the CSV round trip."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

from geo.demo import generate_demo
from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.layers import Layers
from geo.schema import CANONICAL_DTYPES, DERIVED_DTYPES, METRIC_CRS, WGS84
from geo.writers import GPKG_LAYER, iso_utc, join_lists, write_incidents

CSV_HEADER = [
    "incident_id", "occurred_at", "lat", "lon", "category", "crossing", "people_count",
    "nationalities", "source", "source_url", "description", "verified", "synthetic",
]  # fmt: skip


@pytest.fixture
def two_rows() -> gpd.GeoDataFrame:
    """Two hand-made incidents with known values (one with every optional cell empty)."""
    frame = pd.DataFrame(
        {
            "incident_id": ["t-1", "t-2"],
            "occurred_at": pd.to_datetime(["2025-12-03T14:05:00Z", "2026-01-10T03:30:00Z"]),
            "category": ["stranded_group", "detention"],
            "crossing": ["chacalluta", None],
            "people_count": [42, None],
            "nationalities": [["VEN", "COL"], []],
            "source": ["test fixture", "test fixture"],
            "source_url": ["https://example.org/a", None],
            "description": ['[SYNTHETIC] waits, "quoted", with comma', "[SYNTHETIC] held"],
            "verified": [True, False],
            "synthetic": [True, True],
        }
    ).astype(CANONICAL_DTYPES)
    points = gpd.points_from_xy([-70.3141234567, -70.25362], [-18.3112, -18.01465])
    return gpd.GeoDataFrame(frame, geometry=points, crs=WGS84)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_csv_has_the_agreed_columns_and_text(two_rows: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    write_incidents(two_rows, path)
    rows = _csv_rows(path)
    assert list(rows[0]) == CSV_HEADER
    assert rows[0]["occurred_at"] == "2025-12-03T14:05:00Z"
    assert (rows[0]["lat"], rows[0]["lon"]) == ("-18.311200", "-70.314123")
    assert rows[0]["nationalities"] == "VEN;COL"
    assert rows[0]["description"] == '[SYNTHETIC] waits, "quoted", with comma'
    assert (rows[0]["verified"], rows[1]["verified"]) == ("true", "false")
    assert rows[1]["people_count"] == rows[1]["crossing"] == rows[1]["nationalities"] == ""


def test_csv_puts_derived_then_other_columns_last(
    two_rows: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    frame = two_rows.assign(
        note=["a", "b"], between_complexes=[True, False], region=["CL-AP", "PE-TAC"]
    )
    write_incidents(frame, tmp_path / "out.csv")
    rows = _csv_rows(tmp_path / "out.csv")
    assert list(rows[0])[len(CSV_HEADER) :] == ["region", "between_complexes", "note"]
    assert rows[0]["between_complexes"] == "true"


def test_csv_converts_other_time_zones_and_crs(two_rows: gpd.GeoDataFrame, tmp_path: Path) -> None:
    frame = two_rows.to_crs(METRIC_CRS)
    frame["occurred_at"] = frame["occurred_at"].dt.tz_convert("America/Santiago")
    write_incidents(frame, tmp_path / "out.csv")
    row = _csv_rows(tmp_path / "out.csv")[0]
    assert row["occurred_at"] == "2025-12-03T14:05:00Z"
    assert (row["lat"], row["lon"]) == ("-18.311200", "-70.314123")


def test_geojson_keeps_lists_and_utc_times(two_rows: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "out.geojson"
    write_incidents(two_rows, path)
    write_incidents(two_rows, path)  # writing twice replaces the file
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    assert len(features) == 2
    properties = features[0]["properties"]
    assert properties["nationalities"] == ["VEN", "COL"]
    assert properties["occurred_at"] == "2025-12-03T14:05:00Z"
    assert features[0]["geometry"]["coordinates"] == [-70.314123, -18.3112]
    assert features[1]["properties"]["people_count"] is None


def test_gpkg_has_an_incidents_layer(two_rows: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "out.gpkg"
    write_incidents(two_rows, path)
    assert GPKG_LAYER in pyogrio.list_layers(path)[:, 0]
    back = pyogrio.read_dataframe(path, layer=GPKG_LAYER)
    assert back["nationalities"].tolist() == ["VEN;COL", ""]
    assert back["occurred_at"].iloc[0] == pd.Timestamp("2025-12-03T14:05:00Z")
    assert back.crs.to_epsg() == 4326


@pytest.mark.parametrize("name", ["out.txt", "out.shp", "out"])
def test_unknown_suffix_is_refused_by_name(
    two_rows: gpd.GeoDataFrame, tmp_path: Path, name: str
) -> None:
    suffix = Path(name).suffix or "(no suffix)"
    with pytest.raises(ValueError, match=re.escape(f"cannot write format '{suffix}'")):
        write_incidents(two_rows, tmp_path / name)
    assert not (tmp_path / name).exists()


def test_naive_times_are_refused(two_rows: gpd.GeoDataFrame, tmp_path: Path) -> None:
    frame = two_rows.assign(occurred_at=two_rows["occurred_at"].dt.tz_localize(None))
    with pytest.raises(ValueError, match="occurred_at must be tz-aware"):
        write_incidents(frame, tmp_path / "out.csv")


def test_non_point_geometry_is_refused(two_rows: gpd.GeoDataFrame, tmp_path: Path) -> None:
    frame = two_rows.copy()
    frame.loc[1, "geometry"] = None
    with pytest.raises(ValueError, match="row 1: geometry must be a point"):
        write_incidents(frame, tmp_path / "out.csv")


@pytest.mark.parametrize("suffix", [".csv", ".geojson"])
def test_demo_reads_back_through_ingest_unchanged(
    layers: Layers, tmp_path: Path, suffix: str
) -> None:
    demo = generate_demo(2000, 5, layers)
    path = tmp_path / f"demo{suffix}"
    write_incidents(demo, path)
    result = read_incidents(path, layers=layers)
    assert (result.report.total, result.report.accepted, result.report.rejected) == (2000, 2000, 0)
    back = result.incidents.sort_values("incident_id").reset_index(drop=True)
    original = demo.sort_values("incident_id").reset_index(drop=True)
    for column in CANONICAL_DTYPES:
        if column == "nationalities":
            assert back[column].map(list).tolist() == original[column].tolist()
        else:
            pd.testing.assert_series_equal(back[column], original[column], check_dtype=False)
    assert np.array_equal(back.geometry.x, original.geometry.x)
    assert np.array_equal(back.geometry.y, original.geometry.y)


def test_csv_keeps_fractional_seconds_when_present(
    two_rows: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    frame = two_rows.copy()
    frame.loc[1, "occurred_at"] = pd.Timestamp("2026-01-10T03:30:00.250Z")
    write_incidents(frame, tmp_path / "out.csv")
    times = [row["occurred_at"] for row in _csv_rows(tmp_path / "out.csv")]
    assert times == ["2025-12-03T14:05:00.000000Z", "2026-01-10T03:30:00.250000Z"]


def test_csv_keeps_nanoseconds_when_present(two_rows: gpd.GeoDataFrame, tmp_path: Path) -> None:
    frame = two_rows.copy()
    frame.loc[1, "occurred_at"] = pd.Timestamp("2026-01-10T03:30:00.123456789Z")
    write_incidents(frame, tmp_path / "out.csv")
    times = [row["occurred_at"] for row in _csv_rows(tmp_path / "out.csv")]
    assert times == ["2025-12-03T14:05:00.000000000Z", "2026-01-10T03:30:00.123456789Z"]


def test_geojson_keeps_nanoseconds_too(two_rows: gpd.GeoDataFrame, tmp_path: Path) -> None:
    frame = two_rows.copy()
    frame.loc[1, "occurred_at"] = pd.Timestamp("2026-01-10T03:30:00.123456789Z")
    write_incidents(frame, tmp_path / "out.geojson")
    features = json.loads((tmp_path / "out.geojson").read_text(encoding="utf-8"))["features"]
    assert features[1]["properties"]["occurred_at"] == "2026-01-10T03:30:00.123456789Z"


def test_iso_utc_uses_the_coarsest_exact_unit_and_keeps_missing_times() -> None:
    times = pd.Series(pd.to_datetime(["2026-01-01T00:00:01Z", None], utc=True))
    assert iso_utc(times).tolist() == ["2026-01-01T00:00:01Z", pd.NA]
    micro = pd.Series(pd.to_datetime(["2026-01-01T00:00:01.000002Z"], utc=True))
    assert iso_utc(micro).tolist() == ["2026-01-01T00:00:01.000002Z"]


def test_join_lists_handles_lists_tuples_arrays_empty_and_missing() -> None:
    cells = [["VEN", "COL"], [], None, float("nan"), ("HTI",), np.array(["ECU", "PER"])]
    joined = join_lists(pd.Series(cells, dtype=object, index=[5, 6, 7, 8, 9, 10]))
    assert joined.tolist() == ["VEN;COL", "", "", "", "HTI", "ECU;PER"]
    assert list(joined.index) == [5, 6, 7, 8, 9, 10]
    assert str(joined.dtype) == "string"


@pytest.mark.parametrize("cell", ["VEN", ["VEN", None], [3], 7])
def test_join_lists_refuses_a_cell_that_is_not_a_list_of_strings(cell: object) -> None:
    values = pd.Series([["VEN"], cell], dtype=object, index=[1, 2], name="nationalities")
    with pytest.raises(ValueError, match=r"column 'nationalities', row 2: 1 cell\(s\) are not"):
        join_lists(values)


def test_a_bad_list_cell_is_reported_with_the_file(
    two_rows: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    frame = two_rows.copy()
    frame["nationalities"] = pd.Series([["VEN"], "COL"], dtype=object, index=frame.index)
    path = tmp_path / "out.csv"
    with pytest.raises(ValueError, match=re.escape(f"{path}: column 'nationalities', row 1")):
        write_incidents(frame, path)


def test_csv_writes_every_enriched_column_in_order_with_crossing_assigned(
    two_rows: gpd.GeoDataFrame, layers: Layers, tmp_path: Path
) -> None:
    enriched = enrich(two_rows, layers)
    write_incidents(enriched, tmp_path / "out.csv")
    rows = _csv_rows(tmp_path / "out.csv")
    assert list(rows[0]) == [*CSV_HEADER, *DERIVED_DTYPES]
    # Row 1 names Chacalluta; row 2 (Tacna city) names none and is ~33 km from Santa Rosa.
    assert [row["crossing_assigned"] for row in rows] == ["false", "false"]
    near = two_rows.assign(crossing=pd.array([None, None], dtype="string"))
    write_incidents(enrich(near, layers), tmp_path / "near.csv")
    rows = _csv_rows(tmp_path / "near.csv")
    assert [(r["crossing"], r["crossing_assigned"]) for r in rows] == [
        ("santa-rosa", "true"),
        ("", "false"),
    ]


def test_gpkg_and_geojson_keep_crossing_assigned_as_booleans(
    two_rows: gpd.GeoDataFrame, layers: Layers, tmp_path: Path
) -> None:
    near = two_rows.assign(crossing=pd.array([None, None], dtype="string"))
    enriched = enrich(near, layers)
    for name in ("out.gpkg", "out.geojson"):
        write_incidents(enriched, tmp_path / name)
        back = pyogrio.read_dataframe(tmp_path / name)
        assert back["crossing_assigned"].tolist() == [True, False], name


def test_a_carriage_return_in_a_cell_stays_in_its_row(
    two_rows: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    frame = two_rows.copy()
    frame["description"] = pd.array(["first\rline", "plain"], dtype="string")
    write_incidents(frame, tmp_path / "cr.csv")  # CRLF lines by default: "\r" is quoted
    with (tmp_path / "cr.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["description"] for row in rows] == ["first\rline", "plain"]
