"""The incidents table: public columns only, local times in the named zone, newest first, capped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.layers import Layers
from geo.settings import data_dir

PAGE = Path(__file__).resolve().parent / "table_page.py"
TABLE_ROWS = Path(__file__).resolve().parents[1] / "fixtures" / "upload" / "table_rows.csv"
PAYLOAD = "<img src=x onerror=alert(1)>"
COLUMNS_EN = [
    "local time (America/Lima)",
    "category",
    "crossing",
    "people",
    "nationalities",
    "region",
    "side",
    "verified",
    "source",
    "between complexes",
    "distance to border (m)",
]


def page(**state: object) -> AppTest:
    app = AppTest.from_file(str(PAGE), default_timeout=120)
    for key, value in state.items():
        app.session_state[key] = value
    return app.run()


def test_table_shows_public_columns_with_the_zone_in_the_header() -> None:
    app = page(page_source=str(TABLE_ROWS), page_lang="en", page_zone="America/Lima",
               page_role="public")  # fmt: skip
    assert not app.exception
    table = app.dataframe[0].value
    assert list(table.columns) == COLUMNS_EN
    cells = " ".join(str(value) for value in table.to_numpy().ravel())
    for hidden in ("tbl-secret-id", "PRIVATE DESCRIPTION", "example.org/private-url"):
        assert hidden not in cells


def test_rows_are_newest_first_in_local_time_with_labels(layers: Layers) -> None:
    app = page(page_source=str(TABLE_ROWS), page_lang="en", page_zone="America/Lima")
    table = app.dataframe[0].value
    # 2026-02-20T03:30Z, 2026-01-10T15:00Z and 2025-07-01T16:00Z; Lima is UTC−5 all year.
    assert list(table["local time (America/Lima)"]) == [
        "2026-02-19 22:30",
        "2026-01-10 10:00",
        "2025-07-01 11:00",
    ]
    assert list(table["category"]) == ["Protest", "Stranded group", "Detention"]
    assert list(table["nationalities"]) == ["", "VEN, COL", "PER"]
    assert list(table["source"]) == [PAYLOAD, "press", "ngo"]
    assert table["people"].tolist()[1:] == [12, 2] and pd.isna(table["people"].iloc[0])
    enriched = enrich(read_incidents(TABLE_ROWS, layers=layers).incidents, layers)
    metres = enriched.set_index("incident_id")["dist_border_m"].round().astype(int)
    expected = [metres["tbl-secret-id-3"], metres["tbl-secret-id-1"], metres["tbl-secret-id-2"]]
    assert table["distance to border (m)"].tolist() == expected
    assert [caption.value for caption in app.caption] == ["3 incidents"]


def test_spanish_labels_and_the_santiago_zone_follow_daylight_saving() -> None:
    app = page(page_source=str(TABLE_ROWS), page_lang="es", page_zone="America/Santiago")
    table = app.dataframe[0].value
    # Chile: UTC−3 in its summer (January, February), UTC−4 in its winter (July).
    assert list(table["hora local (America/Santiago)"]) == [
        "2026-02-20 00:30",
        "2026-01-10 12:00",
        "2025-07-01 12:00",
    ]
    assert list(table["categoría"]) == ["Protesta", "Grupo varado", "Detención"]
    assert [caption.value for caption in app.caption] == ["3 incidentes"]


def test_unsorted_input_is_still_shown_newest_first() -> None:
    app = page(page_source=str(TABLE_ROWS), page_lang="en", page_zone="UTC", page_prepare=False)
    times = list(app.dataframe[0].value["local time (UTC)"])
    assert times == ["2026-02-20 03:30", "2026-01-10 15:00", "2025-07-01 16:00"]


def test_user_text_in_the_table_never_reaches_markdown() -> None:
    app = page(page_source=str(TABLE_ROWS), page_lang="en", page_zone="UTC")
    texts = [element.value for element in [*app.markdown, *app.caption]]
    assert texts and not [text for text in texts if "<img" in text]


def test_bundled_demo_table_shows_every_row_and_the_count() -> None:
    expected = read_incidents(data_dir() / "demo_incidents.csv").report.accepted
    app = page(page_lang="es", page_zone="America/Santiago")
    assert not app.exception
    assert len(app.dataframe[0].value) == expected == 5_000
    assert [caption.value for caption in app.caption] == ["5.000 incidentes"]


def test_a_large_frame_shows_the_newest_5000_with_a_note() -> None:
    app = page(page_lang="en", page_zone="UTC", page_copies=3)
    assert not app.exception
    table = app.dataframe[0].value
    assert len(table) == 5_000
    assert [caption.value for caption in app.caption] == [
        "Showing the newest 5,000 of 15,000 incidents."
    ]
    times = table["local time (UTC)"]
    assert times.is_monotonic_decreasing
    demo = read_incidents(data_dir() / "demo_incidents.csv").incidents["occurred_at"]
    assert times.iloc[0] == demo.max().strftime("%Y-%m-%d %H:%M")
    assert times.iloc[-1] == demo.sort_values().iloc[-(5_000 // 3 + 1)].strftime("%Y-%m-%d %H:%M")


def test_an_unknown_people_count_shows_a_dash_not_none() -> None:
    app = page(page_source=str(TABLE_ROWS), page_lang="en", page_zone="America/Lima")
    element = app.dataframe[0]
    assert element.proto.placeholder == "—"
    assert element.value["people"].isna().any()  # the fixture has an unknown count


def test_the_public_sees_days_and_no_ids_descriptions_or_urls() -> None:
    public = page(page_source=str(TABLE_ROWS), page_lang="en", page_zone="America/Lima",
                  page_role="public").dataframe[0].value  # fmt: skip
    assert list(public.columns) == COLUMNS_EN
    assert all(len(day) == 10 for day in public["local time (America/Lima)"])  # YYYY-MM-DD
    analyst = page(page_source=str(TABLE_ROWS), page_lang="en", page_zone="America/Lima",
                   page_role="analyst").dataframe[0].value  # fmt: skip
    assert list(analyst.columns) == [*COLUMNS_EN, "id", "source URL", "description"]
    assert "tbl-secret-id-1" in set(analyst["id"])
