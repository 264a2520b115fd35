"""Ingest limits: rows, time, line length, columns, JSON depth and digits, NUL; upload size."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator

import pytest

from dashboard.upload_view import MAX_UPLOAD_BYTES, MAX_UPLOAD_MB, ingest_upload
from geo.ingest import IngestError, read_incidents_bytes
from geo.ingest import limits as limits_module
from geo.ingest.limits import (
    Limits,
    check_csv_shape,
    check_json_shape,
    longest_line,
)
from geo.layers import Layers

HEADER = "incident_id,occurred_at,lat,lon,category\n"


def _csv(rows: int, *, line_end: str = "\n") -> bytes:
    lines = [HEADER.rstrip("\n")] + [
        f"r-{n},2026-03-05T14:00:00Z,-18.316,-70.315,protest" for n in range(1, rows + 1)
    ]
    return (line_end.join(lines) + line_end).encode()


def _geojson(features: int) -> bytes:
    feature = {
        "type": "Feature",
        "properties": {"occurred_at": "2026-03-05T14:00:00Z", "category": "protest"},
        "geometry": {"type": "Point", "coordinates": [-70.315, -18.316]},
    }
    items = [
        {**feature, "properties": {**feature["properties"], "incident_id": f"g-{n}"}}
        for n in range(features)
    ]
    return json.dumps({"type": "FeatureCollection", "features": items}, indent=1).encode()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Return monkeypatch with HITO_MAX_ROWS and HITO_PARSE_SECONDS unset."""
    monkeypatch.delenv("HITO_MAX_ROWS", raising=False)
    monkeypatch.delenv("HITO_PARSE_SECONDS", raising=False)
    return monkeypatch


# --- row cap -------------------------------------------------------------------------------------


def test_row_cap_from_the_environment(clean_env: pytest.MonkeyPatch, layers: Layers) -> None:
    clean_env.setenv("HITO_MAX_ROWS", "3")
    assert read_incidents_bytes(_csv(3), "three.csv", layers=layers).report.total == 3
    with pytest.raises(IngestError) as error:
        read_incidents_bytes(_csv(4), "four.csv", layers=layers)
    assert str(error.value) == (
        "four.csv holds 4 rows, over the limit of 3 rows per file: split it into smaller files"
    )
    with pytest.raises(IngestError, match=r"^four\.geojson holds 4 rows, over the limit of 3"):
        read_incidents_bytes(_geojson(4), "four.geojson", layers=layers)


def test_row_cap_counts_rows_dropped_for_a_wrong_field_count(layers: Layers) -> None:
    data = _csv(2) + b"r-3,2026-03-05T14:00:00Z\n"
    with pytest.raises(IngestError, match="holds 3 rows, over the limit of 2"):
        read_incidents_bytes(data, "a.csv", layers=layers, limits=Limits(max_rows=2))


def test_default_limits(clean_env: pytest.MonkeyPatch) -> None:
    limits = Limits.from_env()
    assert (limits.max_rows, limits.parse_seconds) == (1_000_000, 60.0)
    assert (limits.max_line_bytes, limits.max_columns) == (1_048_576, 500)
    assert (limits.max_json_depth, limits.max_number_digits) == (64, 4_300)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("HITO_MAX_ROWS", "many", "HITO_MAX_ROWS='many' is not a whole number of at least 1"),
        ("HITO_MAX_ROWS", "0", "HITO_MAX_ROWS='0' is not a whole number of at least 1"),
        ("HITO_MAX_ROWS", "2.5", "HITO_MAX_ROWS='2.5' is not a whole number"),
        ("HITO_PARSE_SECONDS", "-1", "HITO_PARSE_SECONDS='-1' is not a number of seconds above 0"),
        ("HITO_PARSE_SECONDS", "inf", "HITO_PARSE_SECONDS='inf' is not a number of seconds"),
        ("HITO_PARSE_SECONDS", "nan", "HITO_PARSE_SECONDS='nan' is not a number of seconds"),
    ],
)
def test_bad_environment_values_are_named(
    clean_env: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    clean_env.setenv(name, value)
    with pytest.raises(ValueError, match=f"^environment variable {message}"):
        Limits.from_env()


def test_environment_values_are_read(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HITO_MAX_ROWS", " 2_000 ")
    clean_env.setenv("HITO_PARSE_SECONDS", "7.5")
    assert Limits.from_env() == Limits(max_rows=2_000, parse_seconds=7.5)


def test_limits_refuse_nonsense_values() -> None:
    with pytest.raises(ValueError, match=r"Limits\.max_columns: 0 is not a whole number"):
        Limits(max_columns=0)
    with pytest.raises(ValueError, match=r"Limits\.parse_seconds: 0 is not a number of seconds"):
        Limits(parse_seconds=0)


# --- parse time limit ----------------------------------------------------------------------------


def _ticking_clock(step: float) -> Iterator[float]:
    now = 0.0
    while True:
        yield now
        now += step


def test_parse_time_limit_stops_between_stages(
    clean_env: pytest.MonkeyPatch, layers: Layers
) -> None:
    ticks = _ticking_clock(1.0)  # every reading of the clock is one second later
    clean_env.setattr(limits_module, "clock", lambda: next(ticks))
    clean_env.setenv("HITO_PARSE_SECONDS", "1.5")
    with pytest.raises(IngestError) as error:
        read_incidents_bytes(_csv(2), "slow.csv", layers=layers)
    assert str(error.value) == (
        "slow.csv: reading took longer than 1.5 s, the limit per file (2.0 s when splitting "
        "into rows ended): split the file into smaller ones"
    )


def test_parse_time_limit_checks_after_validation_too(
    clean_env: pytest.MonkeyPatch, layers: Layers
) -> None:
    ticks = _ticking_clock(1.0)
    clean_env.setattr(limits_module, "clock", lambda: next(ticks))
    late = r"took longer than 2\.5 s, the limit per file \(3\.0 s when validating ended\)"
    with pytest.raises(IngestError, match=late):
        read_incidents_bytes(_geojson(2), "slow.geojson", layers=layers,
                             limits=Limits(parse_seconds=2.5))  # fmt: skip
    ticks = _ticking_clock(1.0)
    result = read_incidents_bytes(_geojson(2), "ok.geojson", layers=layers,
                                  limits=Limits(parse_seconds=3))  # fmt: skip
    assert result.report.accepted == 2


# --- line length and columns ---------------------------------------------------------------------


def test_a_long_line_is_refused_naming_file_line_limit_and_reason(layers: Layers) -> None:
    data = _csv(3).replace(b"r-2,", b"r-2-" + b"x" * 100 + b",")
    tight = Limits(max_line_bytes=120)
    with pytest.raises(IngestError) as error:
        read_incidents_bytes(data, "long.csv", layers=layers, limits=tight)
    assert str(error.value) == (
        "long.csv: line 3: 149 bytes long, over the limit of 120 bytes per line: not a row of "
        "a table of incident reports"
    )
    assert read_incidents_bytes(data, "long.csv", layers=layers, limits=Limits()).report.total == 3


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_line_numbers_count_lf_crlf_and_lone_cr(line_end: str) -> None:
    data = _csv(4, line_end=line_end).replace(b"r-3,", b"r-3-" + b"y" * 60 + b",")
    assert longest_line(data) == (len("r-3-" + "y" * 60 + ",2026-03-05T14:00:00Z,-18.316,"
                                      "-70.315,protest"), 3)  # fmt: skip
    with pytest.raises(IngestError, match=r"^c\.csv: line 4: 109 bytes long"):
        check_csv_shape(data, "c.csv", Limits(max_line_bytes=100))


def test_the_last_line_without_a_line_end_is_measured() -> None:
    assert longest_line(b"ab\ncdef") == (4, 1)
    assert longest_line(b"") == (0, 0)
    assert longest_line(b"a\r") == (1, 0)


def test_line_numbers_after_an_excel_sep_line_are_the_files(layers: Layers) -> None:
    data = b"sep=,\n" + _csv(2).replace(b"r-2,", b"r-2-" + b"z" * 80 + b",")
    with pytest.raises(IngestError, match=r"^sep\.csv: line 4: \d+ bytes long"):
        read_incidents_bytes(data, "sep.csv", layers=layers, limits=Limits(max_line_bytes=100))


def test_a_wide_header_is_refused_before_anything_else(layers: Layers) -> None:
    header = ",".join(f"c{n}" for n in range(12)) + ",occurred_at,lat,lon,category\n"
    with pytest.raises(IngestError) as error:
        read_incidents_bytes(header.encode() + b"1\n", "wide.csv", layers=layers,
                             limits=Limits(max_columns=10))  # fmt: skip
    assert str(error.value) == (
        "wide.csv: line 1: the header has 16 columns, over the limit of 10 columns: not a "
        "table of incident reports"
    )


def test_quoted_delimiters_do_not_count_as_columns() -> None:
    check_csv_shape(b'a,"b,c,d,e",f\n1,2,3\n', "q.csv", Limits(max_columns=3))
    check_csv_shape(b"a;b;c\n", "s.csv", Limits(max_columns=3))
    with pytest.raises(IngestError, match="the header has 4 columns"):
        check_csv_shape(b"a\tb\tc\td\n", "t.csv", Limits(max_columns=3))


# --- JSON depth, long numbers and NUL ------------------------------------------------------------


def test_json_nesting_is_measured_outside_strings_only() -> None:
    tight = Limits(max_json_depth=3)
    check_json_shape(b'{"a": [{"b": "[[[[{{{{"}]}', "a.geojson", tight)
    check_json_shape(b'{"a": ["\\"[[[[", "\\\\"]}', "b.geojson", tight)  # escaped quotes
    with pytest.raises(IngestError) as error:
        check_json_shape(b'{"a":\n [[[1]]]}', "c.geojson", tight)
    assert str(error.value) == (
        "c.geojson: line 2: arrays and objects nested 4 deep, over the limit of 3 levels: not "
        "GeoJSON incident reports"
    )


def test_a_number_with_too_many_digits_is_refused_outside_strings_only() -> None:
    tight = Limits(max_number_digits=5)
    check_json_shape(b'{"a": 12345, "b": "123456", "c": 1.2345}', "a.geojson", tight)
    with pytest.raises(IngestError) as error:
        check_json_shape(b'{"a": "x",\n"b": 123456}', "b.geojson", tight)
    assert str(error.value) == (
        "b.geojson: line 2: a number with more than 5 digits, over the limit for one number"
    )


def test_a_nul_anywhere_refuses_the_file(layers: Layers) -> None:
    late = _csv(400) + b"r-x,2026-03-05T14:00:00Z,-18.316,-70.315,pro\x00test\n"
    assert len(late) > 8192  # past the binary sniffing of geo.ingest.detect
    with pytest.raises(IngestError, match=r"^late\.csv: line 402: holds a NUL byte \(U\+0000\)"):
        read_incidents_bytes(late, "late.csv", layers=layers)
    escaped = _geojson(1).replace(b'"protest"', b'"pro\\u0000test"')
    with pytest.raises(IngestError, match=r"^n\.geojson: line \d+: a text holds the NUL"):
        read_incidents_bytes(escaped, "n.geojson", layers=layers)


def test_the_big_limits_refuse_at_once_in_the_real_size(layers: Layers) -> None:
    """A million columns and a 10 MB line are refused from the default limits (no timing)."""
    columns = ",".join(f"c{n}" for n in range(1_000_000)).encode() + b"\n1\n"
    with pytest.raises(IngestError, match="the header has 1,000,000 columns"):
        read_incidents_bytes(columns, "cols.csv", layers=layers, limits=Limits())
    line = _csv(1) + b"r-2,2026-03-05T14:00:00Z,-18.316,-70.315," + b"p" * 10_000_000 + b"\n"
    with pytest.raises(IngestError, match=r"^line\.csv: line 3: 10,000,041 bytes long"):
        read_incidents_bytes(line, "line.csv", layers=layers, limits=Limits())


# --- upload --------------------------------------------------------------------------------------


def test_the_upload_limit_is_20_mb_and_the_message_names_the_size(layers: Layers) -> None:
    assert (MAX_UPLOAD_MB, MAX_UPLOAD_BYTES) == (20, 20 * 1024 * 1024)
    outcome = ingest_upload(b"x" * (MAX_UPLOAD_BYTES + 110_000), "big.csv", layers)
    assert outcome.error == "big.csv: 20.1 MB is over the 20 MB upload limit"
    assert outcome.incidents is None and outcome.report is None


def test_the_upload_shows_a_limit_error_instead_of_raising(
    clean_env: pytest.MonkeyPatch, layers: Layers
) -> None:
    clean_env.setenv("HITO_MAX_ROWS", "1")
    outcome = ingest_upload(_csv(2), "two.csv", layers)
    assert outcome.error == (
        "two.csv holds 2 rows, over the limit of 1 rows per file: split it into smaller files"
    )
    assert outcome.incidents is None


# --- the chunked scans agree with plain Python ---------------------------------------------------


def _lines_by_python(data: bytes) -> tuple[int, int]:
    lines = re.split(rb"\r\n|\r|\n", data)
    if len(lines) > 1 and lines[-1] == b"":
        lines.pop()  # the text after the last line end is no line
    lengths = [len(line) for line in lines]
    return max(lengths), lengths.index(max(lengths))


def _long_number_by_python(text: bytes, digits: int) -> int | None:
    for match in re.finditer(rb"(?<![0-9])[0-9]{%d}" % (digits + 1), text):
        if text.count(b'"', 0, match.start()) % 2 == 0:
            return match.start()
    return None


def _random_value(rng: random.Random, depth: int) -> object:
    if depth <= 0 or rng.random() < 0.3:
        return rng.choice([1, 2.5, None, True, "".join(rng.choices('[]{}"\\\n ab', k=5))])
    if rng.random() < 0.5:
        return [_random_value(rng, depth - 1) for _ in range(rng.randrange(0, 3))]
    return {f'k"[{n}': _random_value(rng, depth - 1) for n in range(rng.randrange(0, 3))}


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(item) for item in value.values()), default=0)
    return 0


@pytest.mark.parametrize("chunk", [3, 7, 1 << 22])
def test_chunked_scans_match_plain_python(monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(limits_module, "CHUNK_BYTES", chunk)
    rng = random.Random(chunk)
    for _ in range(300):
        data = bytes(rng.choices(b"ab\r\n", k=rng.randrange(0, 40)))
        assert longest_line(data) == _lines_by_python(data), data
        numbers = bytes(rng.choices(b'0123456789"a', k=rng.randrange(0, 40)))
        found = limits_module._long_number(numbers, 3)
        assert found == _long_number_by_python(numbers, 3), numbers
        value = _random_value(rng, rng.randrange(0, 9))
        text = json.dumps(value).encode()
        depth = _depth(value)
        tight = Limits(max_json_depth=max(depth, 1))
        check_json_shape(text, "ok.json", tight)
        if depth > 1:
            with pytest.raises(IngestError, match=f"nested {depth} deep"):
                check_json_shape(text, "deep.json", Limits(max_json_depth=depth - 1))
