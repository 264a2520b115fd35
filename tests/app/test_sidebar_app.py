"""Sidebar and KPIs in AppTest: the URL restores filter and language; widgets change the KPIs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.state import VIEW_KEY, View
from geo.aggregate import totals
from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.layers import Layers
from geo.query import Filter, apply_filter, prepare
from geo.settings import data_dir

PAGE = Path(__file__).resolve().parent / "sidebar_page.py"
RUNS_KEY = "test.runs"
SHARED_URL = {
    "from": "2025-12-01",
    "to": "2026-01-31",
    "tz": "America/Lima",
    "crossing": "chacalluta",
    "category": "stranded_group,detention",
    "lang": "en",
    "lat": "-18.31",
    "lon": "-70.31",
    "zoom": "12",
}
SHARED_FILTER = Filter(
    start=date(2025, 12, 1),
    end=date(2026, 1, 31),
    zone="America/Lima",
    crossings=("chacalluta",),
    categories=("stranded_group", "detention"),
)


@pytest.fixture(scope="module")
def incidents(layers: Layers) -> gpd.GeoDataFrame:
    """The bundled demo incidents, enriched and prepared as the page does it."""
    return prepare(enrich(read_incidents(data_dir() / "demo_incidents.csv").incidents, layers))


def expected_metrics(incidents: gpd.GeoDataFrame, flt: Filter, lang: str) -> dict[str, str]:
    """The metric values the page should show, from apply_filter + totals (not kpis)."""
    figures = totals(apply_filter(incidents, flt))
    sep = "." if lang == "es" else ","
    labels = {"es": ("Incidentes", "Personas", "Entre complejos"),
              "en": ("Incidents", "People", "Between complexes")}[lang]  # fmt: skip
    values = (figures["incidents"], figures["people"], figures["between_complexes"])
    return {
        label: f"{value:,}".replace(",", sep) for label, value in zip(labels, values, strict=True)
    }


def shown_metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def open_page(url: dict[str, str]) -> AppTest:
    app = AppTest.from_file(str(PAGE), default_timeout=120)
    app.query_params.update(url)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_the_url_restores_the_filter_and_the_language(incidents: gpd.GeoDataFrame) -> None:
    app = open_page(SHARED_URL)
    sidebar = app.sidebar
    assert sidebar.radio(key="hito.w.lang").value == "en"
    assert sidebar.selectbox(key="hito.w.zone.en").value == "America/Lima"
    assert sidebar.selectbox(key="hito.w.zone.en").label == "Time zone"
    dates = sidebar.date_input(key="hito.w.dates")
    assert dates.value == (date(2025, 12, 1), date(2026, 1, 31))
    assert dates.label == "Dates (America/Lima)"
    assert sidebar.multiselect(key="hito.w.crossing.en").value == ["chacalluta"]
    assert sidebar.multiselect(key="hito.w.category.en").value == ["stranded_group", "detention"]
    assert sidebar.multiselect(key="hito.w.region.en").value == []
    assert sidebar.toggle(key="hito.w.heat").value is False
    assert shown_metrics(app) == expected_metrics(incidents, SHARED_FILTER, "en")
    view: View = app.session_state[VIEW_KEY]
    assert (view.center, view.zoom) == ((-18.31, -70.31), 12)
    assert app.query_params == {**SHARED_URL, "region": "", "side": "", "heat": "0"}


def test_the_kpis_compare_with_the_previous_period(incidents: gpd.GeoDataFrame) -> None:
    app = open_page(SHARED_URL)
    previous = replace(SHARED_FILTER, start=date(2025, 9, 30), end=date(2025, 11, 30))
    now, before = (
        totals(apply_filter(incidents, SHARED_FILTER)),
        totals(apply_filter(incidents, previous)),
    )
    change = now["incidents"] - before["incidents"]
    metric = app.metric[0]
    assert metric.label == "Incidents"
    assert metric.proto.delta == f"{change:+,}"
    assert metric.proto.delta_description == "vs. previous period"
    assert metric.proto.help == (
        "Previous period: 30 Sep 2025 – 30 Nov 2025 (America/Lima). The data begins on "
        "1 Oct 2025, inside the previous period: a partial comparison."
    )


def test_changing_the_crossing_changes_the_kpis_in_one_run(incidents: gpd.GeoDataFrame) -> None:
    app = open_page(SHARED_URL)
    before = shown_metrics(app)
    runs = app.session_state[RUNS_KEY]
    app.sidebar.multiselect(key="hito.w.crossing.en").set_value(["santa-rosa"]).run()
    assert not app.exception
    assert app.session_state[RUNS_KEY] == runs + 1  # no st.rerun(), no second run
    expected = expected_metrics(incidents, replace(SHARED_FILTER, crossings=("santa-rosa",)), "en")
    assert shown_metrics(app) == expected
    assert shown_metrics(app) != before
    assert app.query_params["crossing"] == "santa-rosa"
    assert app.query_params["from"] == "2025-12-01"  # the rest of the view is unchanged


def test_changing_the_zone_renames_the_dates_and_reads_them_there(
    incidents: gpd.GeoDataFrame,
) -> None:
    app = open_page({**SHARED_URL, "crossing": "", "category": ""})
    app.sidebar.selectbox(key="hito.w.zone.en").set_value("UTC").run()
    dates = app.sidebar.date_input(key="hito.w.dates")
    assert dates.label == "Dates (UTC)"
    assert dates.value == (date(2025, 12, 1), date(2026, 1, 31))  # same days, another zone
    lima = Filter(start=date(2025, 12, 1), end=date(2026, 1, 31), zone="America/Lima")
    utc = replace(lima, zone="UTC")
    assert shown_metrics(app) == expected_metrics(incidents, utc, "en")
    assert expected_metrics(incidents, utc, "en") != expected_metrics(incidents, lima, "en")
    assert app.query_params["tz"] == "UTC"


def test_switching_language_keeps_the_filter_and_formats_numbers(
    incidents: gpd.GeoDataFrame,
) -> None:
    app = open_page(SHARED_URL)
    app.sidebar.radio(key="hito.w.lang").set_value("es").run()
    assert not app.exception
    crossings = app.sidebar.multiselect(key="hito.w.crossing.es")
    assert crossings.label == "Pasos fronterizos"
    assert crossings.value == ["chacalluta"]
    assert app.sidebar.date_input(key="hito.w.dates").label == "Fechas (America/Lima)"
    assert shown_metrics(app) == expected_metrics(incidents, SHARED_FILTER, "es")
    assert any("." in value for value in shown_metrics(app).values())  # 1.234 style
    assert app.query_params["lang"] == "es"
    # a change after the switch still lands on the Spanish widget and the KPIs
    crossings.set_value(["santa-rosa", "chacalluta"]).run()
    both = replace(SHARED_FILTER, crossings=("santa-rosa", "chacalluta"))
    assert shown_metrics(app) == expected_metrics(incidents, both, "es")


def test_invalid_params_fall_back_per_field_in_the_page(incidents: gpd.GeoDataFrame) -> None:
    app = open_page(
        {**SHARED_URL, "crossing": "nowhere", "zoom": "abc", "tz": "Mars/Olympus", "lang": "en"}
    )
    assert app.sidebar.multiselect(key="hito.w.crossing.en").value == []  # default: all
    assert app.sidebar.selectbox(key="hito.w.zone.en").value == "America/Santiago"
    assert app.sidebar.multiselect(key="hito.w.category.en").value == [
        "stranded_group",
        "detention",
    ]
    flt = replace(SHARED_FILTER, zone="America/Santiago", crossings=())
    assert shown_metrics(app) == expected_metrics(incidents, flt, "en")
    assert app.query_params["zoom"] == "10"
    assert app.query_params["crossing"] == ""


def test_without_params_the_page_shows_everything_in_spanish(incidents: gpd.GeoDataFrame) -> None:
    app = open_page({})
    assert app.sidebar.radio(key="hito.w.lang").value == "es"
    dates = app.sidebar.date_input(key="hito.w.dates").value
    first = incidents["occurred_at"].min().tz_convert("America/Lima").date()
    last = incidents["occurred_at"].max().tz_convert("UTC").date()
    assert dates == (first, last)
    assert shown_metrics(app)["Incidentes"] == f"{len(incidents):,}".replace(",", ".")
    assert set(app.query_params) >= {"from", "to", "tz", "lang", "zoom"}


def test_a_view_set_elsewhere_moves_the_widgets(incidents: gpd.GeoDataFrame) -> None:
    """A span picked on the timeline (dashboard.state.set_view in a callback) reaches the
    date widget and the KPIs in the same run."""
    app = open_page(SHARED_URL)
    view: View = app.session_state[VIEW_KEY]
    span = replace(view.filter, start=date(2026, 1, 10), end=date(2026, 1, 20))
    app.session_state[VIEW_KEY] = replace(view, filter=span)
    runs = app.session_state[RUNS_KEY]
    app.run()
    assert app.session_state[RUNS_KEY] == runs + 1
    assert app.sidebar.date_input(key="hito.w.dates").value == (
        date(2026, 1, 10),
        date(2026, 1, 20),
    )
    assert shown_metrics(app) == expected_metrics(incidents, span, "en")
    assert (app.query_params["from"], app.query_params["to"]) == ("2026-01-10", "2026-01-20")
