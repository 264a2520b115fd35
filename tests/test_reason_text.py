"""Tests for geo.reason_text: every ingest reason, notice and file error reads in Spanish."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geo.reason_text as reason_text
from geo.ingest import IngestError, read_incidents, read_incidents_bytes
from geo.layers import Layers
from geo.reason_text import localise_reason, localise_reasons, untranslated

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_FILES = sorted(
    path for folder in ("ingest", "upload") for path in (FIXTURES / folder).iterdir()
)
QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
NUMBER = re.compile(r"\d+(?:\.\d+)*")
CSV_HEAD = "incident_id,occurred_at,lat,lon,category"
GOOD_ROW = "a-1,2026-03-05T14:00:00Z,-18.316,-70.315,protest"
IOM_HEAD = "Incident ID,Incident Date,Coordinates,Total Number of Dead and Missing,Cause of Death"


def texts_of(data: bytes | Path, layers: Layers, name: str = "upload.csv") -> list[str]:
    """Return every problem reason and notice message of a file, or its IngestError text."""
    try:
        if isinstance(data, Path):
            report = read_incidents(data, layers=layers).report
        else:
            report = read_incidents_bytes(data, name, layers=layers).report
    except IngestError as error:
        return [str(error)]
    return [p.reason for p in report.problems] + [n.message for n in report.notices]


def assert_verbatim(english: str, spanish: str) -> None:
    """Assert every quoted part and every number of the English is in the Spanish as given."""
    for part in QUOTED.findall(english):
        assert part in spanish, (part, english, spanish)
    missing = Counter(NUMBER.findall(english)) - Counter(NUMBER.findall(spanish))
    assert not missing, (missing, english, spanish)


def collection(*features: str, extra: str = "") -> bytes:
    """Return a GeoJSON FeatureCollection holding the given feature texts."""
    return f'{{"type": "FeatureCollection"{extra}, "features": [{", ".join(features)}]}}'.encode()


def feature(geometry: str = '{"type": "Point", "coordinates": [-70.3, -18.3]}',
            properties: str = '{"occurred_at": "2026-03-05T14:00:00Z", "category": "protest"}'
            ) -> str:  # fmt: skip
    """Return one GeoJSON Feature's text."""
    return f'{{"type": "Feature", "geometry": {geometry}, "properties": {properties}}}'


def csv_file(*rows: str, head: str = CSV_HEAD) -> bytes:
    """Return CSV bytes: a header and rows, one per line."""
    return "\n".join((head, *rows)).encode() + b"\n"


# (name, file bytes, file name, an English fragment the ingest must write for it)
CRAFTED: tuple[tuple[str, bytes, str, str], ...] = (
    ("utf16", csv_file(GOOD_ROW).decode().encode("utf-16"), "a.csv", "UTF-16 byte-order mark"),
    ("cp1252 fails", csv_file(GOOD_ROW).replace(b"protest", b"prot\x81st"), "a.csv",
     "Latin-1 (ISO-8859-1)"),
    ("bad header byte", csv_file(GOOD_ROW + ",ñ", head=CSV_HEAD + ",notaBAD").replace(
        b"BAD", b"\xe9"), "a.csv", "the header is not valid UTF-8"),
    ("bad byte in record's 2nd line",
     csv_file('a-1,2026-03-05T14:00:00Z,-18.316,-70.315,"prot\nBADst"', "b-1,ñ,1,2,x")
     .replace(b"BAD", b"\xe9"), "a.csv", "of this record"),
    ("bad byte outside features", collection(feature(), extra=', "name": "ñBAD"')
     .replace(b"BAD", b"\xe9"), "a.geojson", "outside any feature"),
    ("html", b"<html><body>x</body></html>", "a.csv", "HTML or XML"),
    ("nul bytes", b"a,b\x00,c\n1,2,3\n", "a.csv", "binary data"),
    ("gzip", b"\x1f\x8b\x08\x00rest", "a.csv", "gzip-compressed"),
    ("only sep line", b"sep=;\n", "a.csv", "holds only an Excel 'sep=;' line"),
    ("field limit", csv_file('a-1,2026-03-05T14:00:00Z,-18.316,-70.315,"' + "x" * 140_000 + '"',
                             "", GOOD_ROW), "a.csv", "cannot split the CSV"),
    ("two time columns", csv_file(head="date,fecha,lat,lon,category"), "a.csv", "both give"),
    ("lat/lon and coordinates", csv_file(head="date,lat,lon,coordinates,category"), "a.csv",
     "give the location"),
    ("empty header", b"\n\n1,2\n", "a.csv", "(found: none)"),
    ("acled without columns", csv_file(head="event_id_cnty,event_date,latitude"), "a.csv",
     "ACLED export without required columns"),
    ("iom without columns", csv_file(head="Incident ID,Incident Date,Cause of Death"), "a.csv",
     "IOM MMP export without required columns"),
    ("acled without iso3", csv_file("1234,2019-10-20,Protests,Peaceful protest,-18.4,-70.3,0",
     head="event_id_no_cnty,event_date,event_type,sub_event_type,latitude,longitude,fatalities"),
     "a.csv", "no event_id_cnty or iso3 column"),
    ("empty fields", csv_file("a-1,,-18.316,,", "a-2,2026-03-05T14:00:00Z,,-70.3,"), "a.csv",
     "empty: a longitude is required"),
    ("empty location", csv_file("a-1,2026-03-05T14:00:00Z,,protest",
                                head="id,date,coordinates,category"), "a.csv",
     "empty: a location is required"),
    ("dms errors", csv_file(*(f'a-{n},2026-03-05T14:00:00Z,"{lat}",-70.3,protest' for n, lat in
                             enumerate(("18°61'S", "S18°21'S", "-18°21'S", "18.5°21'S", "abc")))),
     "a.csv", "minutes and seconds must be below 60"),
    ("calendar dates", csv_file(*(f"a-{n},{when},-18.316,-70.315,protest" for n, when in enumerate(
        ("31/04/2026", "05/03/0001", "2026/13/01", "31 de abril de 2026", "5 de marzo de 2026 "
         "25:00")))), "a.csv", "April 2026 has 30 days"),
    ("mmp dates", csv_file('1,"13/01/2023","-18.4, -70.3",2,Drowning', "2,someday,,1,x",
                           head=IOM_HEAD), "a.csv", "mm/dd/yyyy (MMP)"),
    ("many duplicates", csv_file(*[GOOD_ROW] * 13), "a.csv", "and 2 more"),
    ("odd geojson", collection(
        feature(geometry="5"), feature(properties="5"),
        feature(properties='{"date": "2026-03-05", "fecha": "2026-03-05", "category": "protest"}'),
    ), "a.geojson", "properties must be a JSON object"),
    ("no required properties", collection(feature(properties='{"x": 1}')), "a.geojson",
     "no feature has the required properties"),
    ("json list", b"[1, 2]", "a.geojson", "is JSON (list)"),
    ("no features array", b'{"type": "FeatureCollection"}', "a.geojson",
     "without a features array"),
    ("no features", collection(), "a.geojson", "has no features"),
    ("expecting value", b'{"type": "FeatureCollection", "features": [,]}', "a.geojson",
     "Expecting value"),
    ("missing comma", b'{"type": "FeatureCollection" "features": []}', "a.geojson",
     "expected ',' or '}'"),
    ("key not a text", b'{1: 2}', "a.geojson", "expected a property name in double quotes"),
    ("extra data", collection() + b" x", "a.geojson", "extra data after the top-level object"),
    ("unterminated", b'{"type": "Feat', "a.geojson", "Unterminated string"),
)  # fmt: skip


def test_every_fixture_text_has_spanish(layers: Layers) -> None:
    texts = {text for path in FIXTURE_FILES for text in texts_of(path, layers)}
    assert len(texts) >= 90  # 99 distinct texts when written
    assert untranslated(texts) == []
    for english in texts:
        spanish = localise_reason(english, "es")
        assert spanish != english
        assert_verbatim(english, spanish)


@pytest.mark.parametrize("crafted", CRAFTED, ids=[crafted[0] for crafted in CRAFTED])
def test_templates_beyond_the_fixtures_have_spanish(
    crafted: tuple[str, bytes, str, str], layers: Layers
) -> None:
    _, data, name, fragment = crafted
    texts = texts_of(data, layers, name)
    assert any(fragment in text for text in texts), texts
    assert untranslated(texts) == []
    for english in texts:
        spanish = localise_reason(english, "es")
        assert spanish != english
        assert_verbatim(english, spanish)


def test_cannot_open_names_the_file_and_translates_the_os_reason(tmp_path: Path) -> None:
    missing = tmp_path / "nada.csv"
    with pytest.raises(IngestError) as error:
        read_incidents(missing)
    assert localise_reason(str(error.value), "es") == (
        f"{missing}: no se puede abrir: no existe el archivo o directorio"
    )


EXAMPLES = (
    ("expected 12 fields, found 11", "se esperaban 12 campos y hay 11"),
    ("expected 1 fields, found 3", "se esperaba 1 campo y hay 3"),
    ("unknown nationality 'Marte' (use ISO 3166-1 alpha-3 codes like VEN)",
     "nacionalidad desconocida 'Marte' (use códigos ISO 3166-1 alfa-3, como VEN)"),
    ("not a valid calendar date read day-first (dd/mm/yyyy): day 31 (April 2026 has 30 days)",
     "no es una fecha de calendario válida leída con el día primero (dd/mm/yyyy): día 31 "
     "(abril de 2026 tiene 30 días)"),
    ("duplicate incident_id: also on lines 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more",
     "incident_id duplicado: también en las líneas 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 y 2 más"),
    ("1 rows had no incident id: each got a stable hash of its fields (sha1, 16 hex characters)",
     "1 fila no tenía id de incidente: recibió un hash estable de sus campos (sha1, 16 "
     "caracteres hexadecimales)"),
    ("3 times had no UTC offset and were read as local time of their place: 1 in America/Lima "
     "(Peruvian side), 2 in America/Santiago (Chilean side)",
     "3 horas no tenían diferencia con UTC y se leyeron como hora local de su lugar: 1 en "
     "America/Lima (lado peruano), 2 en America/Santiago (lado chileno)"),
    ("up.csv: columns 'date' and 'Fecha' both give occurred_at; keep one",
     "up.csv: las columnas 'date' y 'Fecha' dan el mismo campo occurred_at; conserve solo una"),
    ("cannot load the reference layers: data/border.geojson: no such file",
     "no se pueden cargar las capas de referencia: data/border.geojson: no such file"),
)  # fmt: skip


@pytest.mark.parametrize(("english", "spanish"), EXAMPLES)
def test_exact_spanish(english: str, spanish: str) -> None:
    assert localise_reason(english, "es") == spanish


def test_english_is_returned_unchanged() -> None:
    english = [english for english, _ in EXAMPLES]
    assert [localise_reason(text, "en") for text in english] == english
    assert localise_reasons(english, "en") == english


def test_unknown_text_is_returned_unchanged() -> None:
    text = "the flux capacitor needs 1.21 gigawatts"
    assert localise_reason(text, "es") == text
    assert untranslated([text, "not a finite number", text]) == [text]


def test_a_template_with_a_changed_tail_is_not_half_translated() -> None:
    text = "expected 12 fields, found 11 (and more)"
    assert localise_reason(text, "es") == text


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="'fr'"):
        localise_reason("not a finite number", "fr")


def test_quoted_lists_keep_a_quote_inside_a_value() -> None:
    english = """f.csv: columns "it's" and 'a\\' and \\'b' both give category; keep one"""
    assert localise_reason(english, "es") == (
        """f.csv: las columnas "it's" y 'a\\' and \\'b' dan el mismo campo category; """
        "conserve solo una"
    )


METACHARACTERS = st.lists(
    st.sampled_from(["\\1", "\\g<0>", "{0}", "{n}", "{n|a|b}", "%s", "$", "^", "\n", "'", '"',
                     "(", ")", ".*", "x", " and ", ": ", "é"]),
    min_size=1, max_size=8,
).map("".join)  # fmt: skip
VALUES = st.one_of(METACHARACTERS, st.text(min_size=1, max_size=30))
QUOTED_SLOTS: tuple[Callable[[str], str], ...] = (
    lambda value: f"2 violent events (e.g. {value!r}) with fatalities above 0: death_or_injury",
    lambda value: (
        f"categories mapped from sub_event_type by the declared table: {value!r} -> protest (3)"
    ),
    lambda value: (
        f"5 rows: people_count is {value!r} (the dead and missing; survivors are not counted)"
    ),
    lambda value: f"unknown nationality {value!r} (use ISO 3166-1 alpha-3 codes like VEN)",
    lambda value: f"1 rows name a nationality more than once (e.g. {value!r}): kept once",
    lambda value: f"unknown month name {value!r}",
    lambda value: f"geometry type {value!r}: only Point is accepted",
)
PLAIN_SLOTS: tuple[Callable[[str], str], ...] = (
    lambda value: f"columns not used: {value}",
    lambda value: f"{value} is empty",
    lambda value: f"{value}: not valid JSON at line 1, column 2: Expecting value",
)


@settings(max_examples=200)
@given(value=VALUES, slot=st.integers(0, len(QUOTED_SLOTS) - 1))
def test_quoted_values_with_metacharacters_survive_verbatim(value: str, slot: int) -> None:
    english = QUOTED_SLOTS[slot](value)
    spanish = localise_reason(english, "es")
    assert spanish != english
    assert repr(value) in spanish


@settings(max_examples=100)
@given(value=VALUES, slot=st.integers(0, len(PLAIN_SLOTS) - 1))
def test_unquoted_names_with_metacharacters_survive_verbatim(value: str, slot: int) -> None:
    english = PLAIN_SLOTS[slot](value)
    spanish = localise_reason(english, "es")
    assert spanish != english
    assert value in spanish


TOKENS = st.lists(
    st.sampled_from(["\\1", "{0}", "%s", "$", "\n", "'", '"', ".*", "^", "x", "é"]),
    min_size=1, max_size=6,
).map(lambda parts: "Zq" + "".join(parts) + "q")  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(token=TOKENS)
def test_a_nationality_read_from_a_file_survives_verbatim(token: str, layers: Layers) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CSV_HEAD.split(","), "nationalities"])
    writer.writerow([*GOOD_ROW.split(","), f"VEN;{token}"])
    report = read_incidents_bytes(buffer.getvalue().encode(), "n.csv", layers=layers).report
    (problem,) = report.problems
    spanish = localise_reason(problem.reason, "es")
    expected = f"nacionalidad desconocida {token!r} (use códigos ISO 3166-1 alfa-3, como VEN)"
    assert spanish == expected


def test_many_reasons_are_translated_once_per_distinct_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    distinct = ["not a finite number", "expected 5 fields, found 7", "nothing we know"]
    reasons = [distinct[index % 3] for index in range(100_000)]
    calls: list[str] = []
    real = reason_text._spanish

    def counting(text: str) -> str | None:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(reason_text, "_spanish", counting)
    spanish = localise_reasons(reasons, "es")
    assert sorted(calls) == sorted(distinct)
    assert len(spanish) == 100_000
    assert spanish[:3] == ["no es un número finito", "se esperaban 5 campos y hay 7",
                           "nothing we know"]  # fmt: skip
    assert spanish[99_999] == spanish[0]


LIMIT_MESSAGES = (  # geo.ingest.limits, as the hostile corpus (tests/corpus) produces them
    "x.csv: reading took longer than 60 s, the limit per file (61.2 s when validating ended): "
    "split the file into smaller ones",
    "x.csv holds 1,200,000 rows, over the limit of 1,000,000 rows per file: split it into "
    "smaller files",
    "x.csv: line 3: holds a NUL byte (U+0000): a text file holds none; is it binary data or "
    "UTF-16 text without a byte-order mark?",
    "x.csv: line 1: the header has 1,000,000 columns, over the limit of 500 columns: not a "
    "table of incident reports",
    "x.csv: line 3: 10,000,068 bytes long, over the limit of 1,048,576 bytes per line: not a "
    "row of a table of incident reports",
    "x.geojson: line 1: arrays and objects nested 100,000 deep, over the limit of 64 levels: "
    "not GeoJSON incident reports",
    "x.geojson: line 1: a text holds the NUL character (\\u0000): databases cut or refuse text "
    "at it",
    "x.geojson: line 1: a number with more than 4,300 digits, over the limit for one number",
)


@pytest.mark.parametrize("message", LIMIT_MESSAGES)
def test_limit_refusals_have_spanish_with_their_numbers(message: str) -> None:
    assert untranslated([message]) == []
    spanish = localise_reason(message, "es")
    for number in re.findall(r"\d[\d,.]*", message):
        assert number.rstrip(".,") in spanish
