"""The timeline page runs in AppTest on the demo data; render_timeline returns new spans only."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.timeline_view import newly_selected
from geo.charts import BAR_COLUMNS, EVENT_COLUMNS, SPAN_PARAM

PAGE = Path(__file__).resolve().parent / "timeline_page.py"


def run_page(**params: str) -> AppTest:
    app = AppTest.from_file(str(PAGE), default_timeout=120)
    app.query_params.update(params)
    return app.run()


def chart_of(app: AppTest) -> Any:
    charts = app.get("vega_lite_chart")  # Streamlit ≥ 1.4x: the arrow_ prefix is gone
    assert len(charts) == 1
    return charts[0].proto


def dataset_columns(chart: Any) -> list[list[str]]:
    return [pa.ipc.open_stream(named.data.data).read_all().column_names for named in chart.datasets]


def test_timeline_page_renders_the_chart_with_its_selection() -> None:
    app = run_page()
    assert not app.exception
    chart = chart_of(app)
    spec = json.loads(chart.spec)
    assert list(chart.selection_mode) == [SPAN_PARAM]
    assert [param["name"] for param in spec["params"]] == [SPAN_PARAM]
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "rule", "text", "text"]
    bars = spec["layer"][0]["encoding"]
    assert bars["x"]["axis"]["title"] == "Día (America/Santiago) · 2025–2026"
    assert bars["y"]["axis"]["title"] == "Incidentes"
    assert bars["color"]["legend"]["title"] == "Categoría"
    assert app.text[0].value == "span: none"


def test_chart_reaches_the_page_with_only_labels_and_counts() -> None:
    chart = chart_of(run_page())
    assert sorted(dataset_columns(chart)) == sorted([list(BAR_COLUMNS), list(EVENT_COLUMNS)])
    events = next(
        pa.ipc.open_stream(named.data.data).read_all()
        for named in chart.datasets
        if "title" in pa.ipc.open_stream(named.data.data).read_all().column_names
    )
    titles = events.column("title").to_pylist()
    assert any("estado de emergencia" in title for title in titles)  # data/events.csv, Spanish


def test_english_weekly_people_by_crossing() -> None:
    app = run_page(lang="en", freq="week", by="crossing", measure="people", tz="America/Lima")
    assert not app.exception
    encoding = json.loads(chart_of(app).spec)["layer"][0]["encoding"]
    assert encoding["x"]["axis"]["title"] == "Week (America/Lima) · 2025–2026"
    assert encoding["y"]["axis"]["title"] == "People"
    assert encoding["color"]["legend"]["title"] == "Border crossing"
    assert encoding["color"]["scale"]["domain"][-1] == "No crossing"


SPAN = (date(2025, 12, 1), date(2025, 12, 7))


@pytest.mark.parametrize(
    ("span", "previous", "expected"),
    [
        (SPAN, None, SPAN),  # first brush
        (SPAN, SPAN, None),  # the same brush kept across a rerun
        (SPAN, (date(2025, 12, 1), date(2025, 12, 8)), SPAN),  # brush moved
        (None, SPAN, None),  # brush cleared
        (None, None, None),  # nothing ever selected
    ],
)
def test_only_a_new_brush_is_returned(
    span: tuple[date, date] | None,
    previous: tuple[date, date] | None,
    expected: tuple[date, date] | None,
) -> None:
    assert newly_selected(span, previous) == expected
