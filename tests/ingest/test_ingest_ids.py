"""Incident ids: the documented stable hash, built column-wise, and capped duplicate messages."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from ingest_support import ids, read_fixture

from geo.ingest import read_incidents_bytes
from geo.ingest.ids import _float_texts, _iso_times, duplicate_problems, stable_id, stable_ids
from geo.layers import Layers


def test_generated_id_is_sha1_of_the_documented_canonical_text(layers: Layers) -> None:
    (kept,) = ids(read_fixture("no_ids.csv", layers))  # line 4: "another report"
    canonical = [
        "2026-03-06T14:00:00.000000000",  # occurred_at, UTC, nanoseconds
        "-70.315",  # longitude, then latitude, as repr()
        "-18.316",
        "protest",  # category, crossing, people_count, nationalities, source, source_url
        "",
        "",
        "",
        "",
        "",
        "another report",  # description
    ]
    assert kept == stable_id(canonical)


def test_every_field_feeds_the_id_as_documented(layers: Layers) -> None:
    data = (
        "occurred_at,lat,lon,category,crossing,people_count,nationalities,source,source_url,"
        "description\n"
        "2026-03-05T14:00:00.5-03:00,-18.0,-70.0,Protesta,Santa Rosa,12,ven|Haití,press,"
        "https://x.org/1, Niño \n"
    )
    (made,) = ids(read_incidents_bytes(data.encode(), "all.csv", layers=layers))
    assert made == stable_id(
        ["2026-03-05T17:00:00.500000000", "-70.0", "-18.0", "protest", "santa-rosa", "12",
         "VEN;HTI", "press", "https://x.org/1", "Niño"]
    )  # fmt: skip


def test_column_wise_texts_equal_python_repr_and_numpy_iso() -> None:
    values = np.array([-70.0, -70.315, -18.1000000001, 0.0, -0.0, 1e-5, 2.5e9, 1 / 3])
    assert _float_texts(values).to_pylist() == [repr(float(x)) for x in values]
    times = np.array(
        ["1970-01-01T00:00:00", "2026-03-05T14:00:00.123456789", "2262-04-11T23:47:16.854775807",
         "1677-09-21T00:12:43.145224193", "1999-12-31T23:59:59.999999999"],
        dtype="datetime64[ns]",
    )  # fmt: skip
    assert _iso_times(times).to_pylist() == np.datetime_as_string(times, unit="ns").tolist()


def test_stable_ids_match_stable_id_row_by_row() -> None:
    utc = np.array(["2026-03-05T14:00:00", "2026-03-06T14:00:00"], dtype="datetime64[ns]")
    texts = [
        pa.array(["protest", None]),
        np.array([None, "chacalluta"], dtype=object),
        pd.array([3, None], dtype="Int64"),
        np.array([["VEN", "COL"], []], dtype=object),
    ]
    made = stable_ids(utc, np.array([-70.3, -70.0]), np.array([-18.3, -18.0]), texts)
    assert made == [
        stable_id(["2026-03-05T14:00:00.000000000", "-70.3", "-18.3", "protest", "", "3",
                   "VEN;COL"]),
        stable_id(["2026-03-06T14:00:00.000000000", "-70.0", "-18.0", "", "chacalluta", "",
                   ""]),
    ]  # fmt: skip


def test_duplicate_messages_list_ten_other_lines_and_count_the_rest() -> None:
    size = 20_000
    lines = np.arange(2, size + 2, dtype="int64")
    found = duplicate_problems(
        np.array(["same"] * size, dtype=object), lines, "incident_id", np.zeros(size, bool)
    )
    assert len(found) == size
    assert [problem.line for problem in found[:3]] == [2, 3, 4]
    assert found[0].reason == (
        "duplicate incident_id: also on lines 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 19989 more"
    )
    assert found[5].reason == (
        "duplicate incident_id: also on lines 2, 3, 4, 5, 6, 8, 9, 10, 11, 12 and 19989 more"
    )
    assert (
        found[-1].reason
        == found[11].reason
        == ("duplicate incident_id: also on lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 19989 more")
    )


def test_duplicate_groups_are_reported_separately_and_by_line() -> None:
    found = duplicate_problems(
        np.array(["b", "a", None, "b", "a", None, "c"], dtype=object),
        np.array([9, 3, 4, 5, 6, 7, 8]),
        "id",
        np.array([True, False, False, True, False, False, False]),
    )
    assert {(p.line, p.value, p.reason) for p in found} == {
        (3, "a", "duplicate incident_id: also on line 6"),
        (6, "a", "duplicate incident_id: also on line 3"),
        (5, "b", "duplicate row: the same fields (same generated id) also on line 9"),
        (9, "b", "duplicate row: the same fields (same generated id) also on line 5"),
    }
