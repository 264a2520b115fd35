"""Edge cases read from bytes: splitting, odd encodings and delimiters, clashes, empty results."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.ingest import IngestError, Problem, read_incidents_bytes
from geo.ingest import read as read_module
from geo.ingest.detect import decode
from geo.ingest.split_csv import split_csv
from geo.layers import Layers
from geo.schema import CANONICAL_DTYPES

HEADER = "incident_id,occurred_at,lat,lon,category\n"
ROW = "r-1,2026-03-05T14:00:00Z,-18.316,-70.315,protest\n"


def test_split_rejects_a_row_whose_decimal_commas_add_fields() -> None:
    rows = split_csv(decode(b"id,lat,lon\n0,-18.3,-70.3\n1,-18,35,-70,33\n", "f.csv"), ",", "f.csv")
    assert rows.problems == [Problem(3, "(row)", "1,-18,35,-70,33", "expected 3 fields, found 5")]
    assert rows.lines.tolist() == [2]
    assert rows.total == 2


def test_file_of_only_bad_rows_gives_an_empty_canonical_frame(layers: Layers) -> None:
    result = read_incidents_bytes((HEADER + "1,2,3\n4,5\n").encode(), "bad.csv", layers=layers)
    assert (result.report.total, result.report.accepted, result.report.rejected) == (2, 0, 2)
    assert {
        name: str(result.incidents[name].dtype) for name in CANONICAL_DTYPES
    } == CANONICAL_DTYPES


def test_loose_iso_spellings_are_read(layers: Layers) -> None:
    data = (
        HEADER
        + ROW.replace("T14:00:00Z", "t14:00:00z")
        + ROW.replace("r-1", "r-2").replace("T14:00:00Z", " 14:00:00 UTC")
    )
    result = read_incidents_bytes(data.encode(), "loose.csv", layers=layers)
    assert result.incidents["occurred_at"].tolist() == [pd.Timestamp("2026-03-05T14:00:00Z")] * 2


def test_tab_separated_and_crlf(layers: Layers) -> None:
    data = (HEADER + ROW).replace(",", "\t").replace("\n", "\r\n")
    result = read_incidents_bytes(data.encode(), "tabs.tsv", layers=layers)
    assert result.incidents["incident_id"].tolist() == ["r-1"]


def test_utf16_with_byte_order_mark(layers: Layers) -> None:
    result = read_incidents_bytes((HEADER + ROW).encode("utf-16"), "excel.txt", layers=layers)
    assert result.incidents["incident_id"].tolist() == ["r-1"]
    assert "UTF-16" in result.report.notices[0].message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body>login</body></html>", "looks like HTML or XML"),
        (b"[1, 2]", "is JSON (list) but not a GeoJSON FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": []}', "has no features"),
        (b"   \n\n", "is empty"),
        (
            b"incident_id,occurred_at,lat,latitude,lon,category\n1,2,3,4,5,6\n",
            "'lat' and 'latitude'",
        ),
        (b"incident_id,occurred_at,lat,lon,coordenadas,tipo\n1,2,3,4,5,6\n", "both lat/lon and"),
    ],
)
def test_unreadable_inputs_raise_naming_the_file(layers: Layers, data: bytes, message: str) -> None:
    with pytest.raises(IngestError) as error:
        read_incidents_bytes(data, "upload.csv", layers=layers)
    assert str(error.value).startswith("upload.csv")
    assert message in str(error.value)


def test_layers_default_to_the_bundled_ones_loaded_on_each_call(
    layers: Layers, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def counting_load_layers() -> Layers:
        calls.append(1)
        return layers

    monkeypatch.setattr(read_module, "load_layers", counting_load_layers)
    for _ in range(2):
        result = read_incidents_bytes((HEADER + ROW).encode(), "default.csv")
        assert result.report.accepted == 1
    assert len(calls) == 2  # no cache in geo.ingest: caching belongs to dashboard/data.py
    assert not hasattr(read_module, "default_layers")


def test_unloadable_layers_raise_an_ingest_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> Layers:
        raise OSError("data/border.geojson: no such file")

    monkeypatch.setattr(read_module, "load_layers", broken)
    with pytest.raises(IngestError, match="cannot load the reference layers: data/border"):
        read_incidents_bytes((HEADER + ROW).encode(), "default.csv")
