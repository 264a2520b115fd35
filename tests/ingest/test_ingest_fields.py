"""Plain fields: ids and duplicates, categories, counts, nationalities, flags, crossings, report."""

from __future__ import annotations

from typing import Any

from ingest_support import ids, notices_with, only_problem, problems_on, read_fixture

from geo.ingest import read_incidents_bytes
from geo.ingest.ids import stable_id
from geo.layers import Layers


def test_every_occurrence_of_a_duplicate_id_is_rejected_naming_the_others(layers: Layers) -> None:
    result = read_fixture("duplicate_ids.csv", layers)
    assert ids(result) == ["b"]
    reasons = {line: only_problem(result, line).reason for line in (2, 4, 5)}
    assert reasons == {
        2: "duplicate incident_id: also on lines 4, 5",
        4: "duplicate incident_id: also on lines 2, 5",
        5: "duplicate incident_id: also on lines 2, 4",
    }
    assert only_problem(result, 2).value == "a"


def test_rows_without_ids_get_a_stable_hash_and_identical_rows_are_flagged(layers: Layers) -> None:
    result = read_fixture("no_ids.csv", layers)
    (kept,) = ids(result)
    assert len(kept) == 16 and int(kept, 16) >= 0
    assert kept == read_fixture("no_ids.csv", layers).incidents["incident_id"].iloc[0]
    assert "same generated id) also on line 3" in only_problem(result, 2).reason
    assert notices_with(result, "stable hash")


def test_hash_is_sha1_of_the_joined_fields() -> None:
    assert stable_id(["a", "b"]) == "687d61996b1c1278"  # sha1("a\x1fb")[:16]


def test_categories_map_declared_aliases_and_reject_the_rest(layers: Layers) -> None:
    result = read_fixture("categories.csv", layers)
    assert result.incidents["category"].tolist() == [
        "protest",
        "border_closure",
        "humanitarian_aid",
    ]
    problem = only_problem(result, 4)
    assert (problem.field, problem.value) == ("tipo", "riot")
    assert problem.reason.startswith("unknown category")


def test_people_counts_must_be_plain_digits_whole_and_not_negative(layers: Layers) -> None:
    result = read_fixture("people_counts.csv", layers)
    assert ids(result) == ["p-1", "p-5"]
    assert result.incidents["people_count"].iloc[0] == 12
    assert result.incidents["people_count"].isna().tolist() == [False, True]
    expected = {
        3: ("-3", "negative: a count of people must be 0 or more"),
        4: ("3.5", "not a whole number of people"),
        5: ("tres", "not a number: write the count of people in digits (e.g. 12)"),
        7: ("1.000", "looks like a thousands separator: write 1000"),
        8: ("1,000", "looks like a thousands separator: write 1000"),
        9: ("10.000", "looks like a thousands separator: write 10000"),
        10: ("12.0", "not a whole number of people"),
    }
    for line, (value, reason) in expected.items():
        problem = only_problem(result, line)
        assert (problem.field, problem.value, problem.reason) == ("people_count", value, reason)


def test_nationalities_by_name_or_code_and_unknown_names_rejected(layers: Layers) -> None:
    result = read_fixture("nationalities.csv", layers)
    assert result.incidents["nationalities"].tolist() == [
        ["VEN", "HTI"],
        ["COL", "PER"],
        ["VEN"],
        ["VEN"],
    ]
    problem = only_problem(result, 3)
    assert (problem.field, problem.value) == ("nationalities", "VEN;Marte")
    assert "unknown nationality 'Marte'" in problem.reason
    (repeated,) = notices_with(result, "more than once")
    assert repeated.message == (
        "2 rows name a nationality more than once (e.g. 'VEN;VEN;ven'): kept once"
    )


def test_rows_never_share_a_nationality_list(layers: Layers) -> None:
    lists = read_fixture("nationalities.csv", layers).incidents["nationalities"].tolist()
    assert lists[2] == lists[3] and lists[2] is not lists[3]  # same cell, own list
    lists[2].append("COL")
    assert lists[3] == ["VEN"]
    without = read_fixture("people_counts.csv", layers).incidents["nationalities"].tolist()
    assert without == [[], []] and without[0] is not without[1]


def test_verified_accepts_yes_no_words_and_blank_is_unknown(layers: Layers) -> None:
    result = read_fixture("verified_values.csv", layers)
    verified = result.incidents["verified"]
    assert str(verified.dtype) == "boolean"
    assert verified.tolist()[:2] == [True, False]
    assert verified.isna().tolist() == [False, False, True]  # v-4: blank cell
    problem = only_problem(result, 4)
    assert (problem.field, problem.value) == ("verificado", "quizás")
    assert "not a yes/no value" in problem.reason


def test_missing_verified_column_is_unknown_and_synthetic_false(layers: Layers) -> None:
    frame = read_fixture("people_counts.csv", layers).incidents
    assert frame["verified"].isna().all()
    assert frame["synthetic"].tolist() == [False, False]


def test_crossing_names_match_whatever_the_case_accents_or_dashes(layers: Layers) -> None:
    data = (
        "incident_id,occurred_at,lat,lon,category,crossing\n"
        "c-1,2026-03-05T14:00:00Z,-18.316,-70.315,Protesta,SANTA_ROSA\n"
        "c-2,2026-03-05T14:00:00Z,-18.316,-70.315,DETENCION,  Chacallúta \n"
        "c-3,2026-03-05T14:00:00Z,-18.316,-70.315,muerte o lesión,santa-rosa\n"
    )
    frame = read_incidents_bytes(data.encode(), "folded.csv", layers=layers).incidents
    assert frame["crossing"].tolist() == ["santa-rosa", "chacalluta", "santa-rosa"]
    assert frame["category"].tolist() == ["protest", "detention", "death_or_injury"]


def test_crossing_must_be_a_known_id_or_name(layers: Layers) -> None:
    result = read_fixture("unknown_crossing.csv", layers)
    assert result.incidents["crossing"].tolist() == ["chacalluta"]
    problem = only_problem(result, 3)
    assert (problem.field, problem.value) == ("cruce", "Tambo Quemado")
    assert problem.reason == "unknown crossing (known: chacalluta, santa-rosa, arica-tacna-railway)"


def test_a_row_with_several_problems_reports_each_and_counts_once(layers: Layers) -> None:
    result = read_fixture("several_problems_one_row.csv", layers)
    fields = sorted(problem.field for problem in problems_on(result, 3))
    assert fields == ["category", "lat/lon", "occurred_at", "people_count"]
    assert (result.report.total, result.report.accepted, result.report.rejected) == (2, 1, 1)


def test_report_to_dict_has_the_documented_shape(layers: Layers) -> None:
    report: dict[str, Any] = read_fixture("duplicate_ids.csv", layers).report.to_dict()
    assert list(report) == [
        "file",
        "format",
        "total",
        "accepted",
        "rejected",
        "problems",
        "notices",
    ]
    assert report["problems"][0] == {
        "line": 2,
        "field": "incident_id",
        "value": "a",
        "reason": "duplicate incident_id: also on lines 4, 5",
    }
    assert report["accepted"] + report["rejected"] == report["total"] == 4


def test_synthetic_column_is_read_and_defaults_to_false(layers: Layers) -> None:
    data = (
        b"incident_id,occurred_at,lat,lon,category,synthetic\n"
        b"s-1,2026-03-05T14:00:00Z,-18.316,-70.315,protest,true\n"
        b"s-2,2026-03-05T14:00:00Z,-18.316,-70.315,protest,\n"
    )
    result = read_incidents_bytes(data, "upload.csv", layers=layers)
    assert result.incidents["synthetic"].tolist() == [True, False]
    assert result.report.file == "upload.csv"
