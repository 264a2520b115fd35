"""Encodings and Excel quirks: mixed UTF-8 files reject only bad lines; `sep=` lines are read."""

from __future__ import annotations

from ingest_support import ids, notices_with, only_problem, read_fixture

from geo.ingest import read_incidents_bytes
from geo.ingest.detect import decode, excel_separator
from geo.layers import Layers

HEADER = "incident_id,occurred_at,lat,lon,category,description\n"
UTF8_REASON = "not valid UTF-8 (byte 0xF1); the rest of the file is UTF-8"


def test_mixed_file_keeps_utf8_rows_and_rejects_the_bad_line(layers: Layers) -> None:
    result = read_fixture("mixed_encoding.csv", layers)
    assert ids(result) == ["u-1", "u-3"]
    assert result.incidents["description"].tolist() == ["Niño en tránsito", "Señora con niños"]
    assert result.incidents["category"].tolist() == ["detention", "protest"]
    problem = only_problem(result, 3)
    assert problem.field == "(row)"
    given = "u-2,2026-03-05T14:00:00Z,-18.316,-70.315,protest,Ni\\xF1o en tr\\xE1nsito"
    assert problem.value == given
    assert problem.reason == UTF8_REASON
    report = result.report
    assert (report.total, report.accepted, report.rejected) == (3, 2, 1)
    (notice,) = notices_with(result, "line(s) hold bytes")
    assert "first: line 3, byte 0xF1" in notice.message
    assert not notices_with(result, "Latin-1")


def test_file_without_multibyte_utf8_is_still_latin1() -> None:
    decoded = decode("id,descripción\n1,Niño\n".encode("cp1252"), "latin.csv")
    assert decoded.text == "id,descripción\n1,Niño\n"
    assert decoded.bad_bytes == []
    assert "read as Latin-1" in decoded.notices[0].message


def test_bad_byte_inside_a_multiline_record_rejects_that_record(layers: Layers) -> None:
    data = (
        HEADER
        + 'q-1,2026-03-05T14:00:00Z,-18.316,-70.315,protest,"dos\nlíneas"\n'
        + 'q-2,2026-03-05T14:00:00Z,-18.316,-70.315,protest,"primera\nNi@o"\n'
        + "\n"
        + "q-3,2026-03-05T14:00:00Z,-18.316,-70.315,protest,ok\n"
    ).encode()
    result = read_incidents_bytes(data.replace(b"@", b"\xf1"), "multi.csv", layers=layers)
    assert ids(result) == ["q-1", "q-3"]
    problem = only_problem(result, 4)  # the record starts on line 4, the byte is on line 5
    assert problem.value == 'Ni\\xF1o"'
    assert problem.reason == UTF8_REASON + " (on line 5 of this record)"
    assert result.report.accepted + result.report.rejected == result.report.total == 3


def test_bad_byte_in_the_header_is_a_notice(layers: Layers) -> None:
    data = (
        "incident_id,occurred_at,lat,lon,category,descripci@n\n"
        "h-1,2026-03-05T14:00:00Z,-18.316,-70.315,protest,Niño\n"
    ).encode()
    result = read_incidents_bytes(data.replace(b"@", b"\xf3"), "header.csv", layers=layers)
    assert ids(result) == ["h-1"]
    (notice,) = notices_with(result, "the header is not valid UTF-8")
    header = "incident_id,occurred_at,lat,lon,category,descripci\\xF3n"
    assert (notice.line, notice.value) == (1, header)


def test_excel_sep_line_is_honoured_and_lines_stay_physical(layers: Layers) -> None:
    result = read_fixture("excel_sep_line.csv", layers)
    assert ids(result) == ["x-1"]
    assert result.incidents.geometry.y.tolist() == [-18.316]
    problem = only_problem(result, 4)  # sep=; on line 1, header on 2, x-2 on 4
    assert (problem.field, problem.value) == ("category", "riot")
    (notice,) = notices_with(result, "sep=")
    assert (notice.line, notice.message) == (1, "read the Excel 'sep=;' line")


def test_excel_sep_comma_line_with_blank_lines_and_quoted_newlines(layers: Layers) -> None:
    data = (
        "sep=,\r\n"
        + HEADER
        + 's-1,2026-03-05T14:00:00Z,-18.316,-70.315,protest,"a\nb"\n'
        + "\n"
        + "s-2,2026-03-05T14:00:00Z,-18.316,-70.315,riot,x\n"
        + "s-3,2026-03-05T14:00:00Z,-18.316,-70.315\n"
    )
    result = read_incidents_bytes(data.encode(), "excel.csv", layers=layers)
    assert ids(result) == ["s-1"]
    assert only_problem(result, 6).value == "riot"  # 1 sep, 2 header, 3-4 s-1, 5 blank
    assert only_problem(result, 7).reason == "expected 6 fields, found 4"
    assert notices_with(result, "read the Excel 'sep=,' line")


def test_excel_separator_is_only_a_first_line_of_its_own() -> None:
    assert excel_separator("sep=;\nid;date\n") == ";"
    assert excel_separator('"sep=,"\r\nid,date\n') == ","
    assert excel_separator("sep=\t\nid\tdate\n") == "\t"
    assert excel_separator("separator,id\n") is None
    assert excel_separator("id,sep=;\n") is None
