"""The upload view: report tables, errors as plain text, no Markdown injection, session-only rows.

Streamlit 1.67's AppTest drives st.file_uploader (FileUploader.set_value, read from the
installed streamlit/testing/v1/element_tree.py), so these tests upload through the widget.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.upload_view import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_MB,
    SESSION_KEY,
    UploadOutcome,
    css_string,
    ingest_upload,
    keep_upload,
    uploader_css,
)
from geo.layers import Layers

PAGE = Path(__file__).resolve().parent / "upload_page.py"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "upload"
PAYLOAD = "<img src=x onerror=alert(1)>"
UNKNOWN_CATEGORY = (
    "unknown category (expected one of stranded_group, irregular_crossing, detention, "
    "expulsion, military_deployment, border_closure, humanitarian_aid, protest, "
    "death_or_injury, trafficking, other or an alias)"
)
NOT_A_DATE = (
    "not a date this reader knows: use ISO 8601 (2026-03-05T14:00:00-03:00), dd/mm/yyyy "
    "[hh:mm], or a month name (5 de marzo de 2026, 16 May 2025)"
)
NEGATIVE_PEOPLE = "negative: a count of people must be 0 or more"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def page(lang: str = "en") -> AppTest:
    app = AppTest.from_file(str(PAGE), default_timeout=120)
    app.session_state["page_lang"] = lang
    return app.run()


def upload(app: AppTest, name: str, data: bytes) -> AppTest:
    app.file_uploader[0].set_value((name, data, "text/csv"))
    return app.run()


def returned_rows(app: AppTest) -> int:
    texts = [text.value for text in app.text if text.value.startswith("returned rows: ")]
    assert len(texts) == 1
    return int(texts[0].removeprefix("returned rows: "))


def markdown_texts(app: AppTest) -> list[str]:
    """Every string Streamlit renders as Markdown in the page (labels included)."""
    elements = [
        *app.markdown,
        *app.caption,
        *app.title,
        *app.header,
        *app.subheader,
        *app.error,
        *app.warning,
        *app.info,
        *app.success,
    ]
    texts = [str(element.value) for element in elements]
    texts += [metric.label for metric in app.metric]
    texts += [button.label for button in app.button]
    texts += [uploader.label for uploader in app.file_uploader]
    return texts


# --- pure logic -----------------------------------------------------------------------------


def test_ingest_upload_returns_enriched_accepted_rows_and_report(layers: Layers) -> None:
    stages: list[str] = []
    outcome = ingest_upload(
        fixture_bytes("some_rejected.csv"), "some_rejected.csv", layers, on_stage=stages.append
    )
    assert stages == ["reading", "validating", "enriching", "done"]
    assert outcome.error is None and outcome.report is not None and outcome.incidents is not None
    assert (outcome.report.total, outcome.report.accepted, outcome.report.rejected) == (5, 2, 3)
    assert list(outcome.incidents["incident_id"]) == ["up-1", "up-5"]
    assert list(outcome.incidents["region"]) == ["CL-AP", "PE-TAC"]
    assert len(outcome.digest) == 64


def test_ingest_upload_turns_an_unreadable_file_into_an_error(layers: Layers) -> None:
    stages: list[str] = []
    outcome = ingest_upload(
        fixture_bytes("image_renamed.csv"), "image.csv", layers, on_stage=stages.append
    )
    assert outcome.error == "image.csv looks like a PNG image, not CSV or GeoJSON"
    assert outcome.incidents is None and outcome.report is None
    assert stages == ["reading", "validating"]
    with pytest.raises(ValueError, match="could not be read"):
        keep_upload({}, outcome)


def test_ingest_upload_refuses_a_file_over_the_size_limit(layers: Layers) -> None:
    assert MAX_UPLOAD_BYTES == 20 * 1024 * 1024  # st.file_uploader counts MB as MiB
    data = b"x" * (MAX_UPLOAD_BYTES + 60_000)
    outcome = ingest_upload(data, "huge.csv", layers)
    assert outcome.error == f"huge.csv: 20.1 MB is over the {MAX_UPLOAD_MB} MB upload limit"
    assert outcome.incidents is None


def test_keep_upload_replaces_same_name_or_same_content(layers: Layers) -> None:
    csv = ingest_upload(fixture_bytes("some_rejected.csv"), "a.csv", layers)
    geojson = ingest_upload(fixture_bytes("some_rejected.geojson"), "b.geojson", layers)
    renamed = UploadOutcome("c.csv", csv.digest, csv.incidents, csv.report)
    kept = keep_upload(keep_upload({}, csv), geojson)
    assert list(kept) == ["a.csv", "b.geojson"]
    assert list(keep_upload(kept, renamed)) == ["b.geojson", "c.csv"]
    assert list(keep_upload(kept, geojson)) == ["a.csv", "b.geojson"]


# --- the page -------------------------------------------------------------------------------


def test_upload_shows_counts_and_the_exact_rejected_rows() -> None:
    app = upload(page("en"), "some_rejected.csv", fixture_bytes("some_rejected.csv"))
    assert not app.exception
    counts = {metric.label: metric.value for metric in app.metric}
    assert counts == {"Accepted": "2", "Rejected": "3", "Total rows": "5"}
    report = app.dataframe[0].value
    assert list(report.columns) == ["line", "field", "value", "reason"]
    assert report.to_dict("records") == [
        {"line": 3, "field": "category", "value": PAYLOAD, "reason": UNKNOWN_CATEGORY},
        {"line": 4, "field": "occurred_at", "value": "not a date", "reason": NOT_A_DATE},
        {"line": 5, "field": "people_count", "value": "-5", "reason": NEGATIVE_PEOPLE},
    ]
    assert returned_rows(app) == 2


def test_geojson_report_names_the_feature_and_spanish_labels() -> None:
    app = upload(page("es"), "some_rejected.geojson", fixture_bytes("some_rejected.geojson"))
    assert not app.exception
    counts = {metric.label: metric.value for metric in app.metric}
    assert counts == {"Aceptadas": "1", "Rechazadas": "2", "Total de filas": "3"}
    report = app.dataframe[0].value
    assert list(report.columns) == ["línea", "elemento", "campo", "valor", "motivo"]
    assert list(report["línea"]) == [9, 14]
    assert list(report["elemento"]) == [2, 3]
    assert list(report["campo"]) == ["geometry", "category"]
    assert list(report["motivo"]) == [  # reasons in Spanish too, the value as given
        "tipo de geometría 'LineString': solo se acepta Point",
        "categoría desconocida (se espera una de stranded_group, irregular_crossing, "
        "detention, expulsion, military_deployment, border_closure, humanitarian_aid, "
        "protest, death_or_injury, trafficking, other o un alias)",
    ]
    assert "Filas rechazadas" in [header.value for header in app.subheader]


def test_notices_appear_as_a_second_table() -> None:
    app = upload(page("en"), "excel_notices.csv", fixture_bytes("excel_notices.csv"))
    assert not app.exception
    problems, notices = app.dataframe[0].value, app.dataframe[1].value
    assert problems.to_dict("records") == [
        {"line": 4, "field": "category", "value": "riot", "reason": UNKNOWN_CATEGORY}
    ]
    assert list(notices.columns) == ["line", "field", "value", "message"]
    assert notices["message"].iloc[0] == "read the Excel 'sep=;' line"
    assert notices["line"].iloc[0] == 1
    assert list(notices["field"].iloc[1:]) == ["lat", "lon"]
    assert "Reading notices" in [header.value for header in app.subheader]


def test_unreadable_file_shows_an_error_as_plain_text_and_keeps_nothing() -> None:
    app = upload(page("en"), "image.csv", fixture_bytes("image_renamed.csv"))
    assert not app.exception
    assert [error.value for error in app.error] == ["The file could not be read. Reason:"]
    assert [code.value for code in app.code] == [
        "image.csv looks like a PNG image, not CSV or GeoJSON"
    ]
    assert len(app.metric) == 0 and len(app.dataframe) == 0
    assert returned_rows(app) == 0


@pytest.mark.parametrize("fixture", ["some_rejected.csv", "image_renamed.csv"])
def test_a_payload_file_name_never_reaches_markdown(fixture: str) -> None:
    name = f"{PAYLOAD}.csv"
    app = upload(page("en"), name, fixture_bytes(fixture))
    assert not app.exception
    texts = markdown_texts(app)
    assert texts, "the page rendered no Markdown at all: the check would prove nothing"
    assert not [text for text in texts if "<img" in text or "onerror" in text]
    shown_as_data = [str(f.value.to_dict()) for f in app.dataframe] + [c.value for c in app.code]
    assert any(name in shown for shown in shown_as_data)  # it is shown, as data or code only


def test_the_same_file_twice_adds_its_rows_once() -> None:
    data = fixture_bytes("some_rejected.csv")
    app = upload(page("en"), "some_rejected.csv", data)
    app = upload(app, "some_rejected.csv", data)
    assert returned_rows(app) == 2
    app = upload(app, "renamed copy.csv", data)
    assert returned_rows(app) == 2
    app = upload(app, "some_rejected.geojson", fixture_bytes("some_rejected.geojson"))
    assert returned_rows(app) == 3
    listing = app.dataframe[-1].value
    assert listing.to_dict("records") == [
        {"file": "renamed copy.csv", "accepted rows": 2},
        {"file": "some_rejected.geojson", "accepted rows": 1},
    ]


def test_remove_button_drops_the_rows_and_empties_the_uploader() -> None:
    app = upload(page("en"), "some_rejected.csv", fixture_bytes("some_rejected.csv"))
    assert returned_rows(app) == 2
    app.button(key="upload_remove").click().run()
    assert not app.exception
    assert returned_rows(app) == 0
    assert app.file_uploader[0].value is None
    assert SESSION_KEY not in app.session_state
    assert len(app.dataframe) == 0 and len(app.button) == 0


def test_uploaded_rows_stay_in_their_own_session() -> None:
    first, second = page("en"), page("en")
    first = upload(first, "some_rejected.csv", fixture_bytes("some_rejected.csv"))
    second.run()
    assert returned_rows(first) == 2
    assert returned_rows(second) == 0
    assert SESSION_KEY in first.session_state
    assert SESSION_KEY not in second.session_state


def test_a_large_file_shows_a_progress_bar_and_a_small_one_does_not() -> None:
    rows = [f"big-{i},2026-01-10T15:00:00Z,-18.312,-70.314,protest" for i in range(20_001)]
    data = "\n".join(["incident_id,occurred_at,lat,lon,category", *rows]).encode()
    small = upload(page("en"), "some_rejected.csv", fixture_bytes("some_rejected.csv"))
    assert len(small.get("progress")) == 0
    app = upload(page("en"), "big.csv", data)
    assert not app.exception
    bars = app.get("progress")
    assert len(bars) == 1
    assert (bars[0].proto.value, bars[0].proto.text) == (100, "Done")
    assert returned_rows(app) == 20_001


def test_a_large_unreadable_file_shows_the_error_and_no_stalled_bar() -> None:
    data = b"\x89PNG\r\n\x1a\n" + bytes(3_000_000)
    app = upload(page("en"), "photo.csv", data)
    assert not app.exception
    assert len(app.get("progress")) == 0
    assert [code.value for code in app.code] == [
        "photo.csv looks like a PNG image, not CSV or GeoJSON"
    ]


def test_a_rerun_reuses_the_report_instead_of_reading_the_file_again() -> None:
    app = upload(page("en"), "some_rejected.csv", fixture_bytes("some_rejected.csv"))
    first = app.session_state["upload_last"][1]
    app.run()
    assert app.session_state["upload_last"][1] is first
    assert [metric.value for metric in app.metric] == ["2", "3", "5"]


def test_the_uploader_css_writes_its_words_in_the_language() -> None:
    spanish = uploader_css("es")
    assert 'content: "Subir archivo"' in spanish
    assert 'content: "20 MB por archivo • CSV, GEOJSON, JSON, TXT"' in spanish
    assert 'content: "20 MB per file • CSV, GEOJSON, JSON, TXT"' in uploader_css("en")


def test_css_strings_escape_quotes_and_markup() -> None:
    assert css_string('a"b</style>') == '"a\\22 b\\3c /style\\3e "'
    assert css_string("plain") == '"plain"'
