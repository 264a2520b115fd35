"""The whole dashboard in AppTest: banner, KPIs, tabs, URL restore, filters and upload paths."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
from roles import dashboard
from streamlit.testing.v1 import AppTest

from geo.aggregate import totals
from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.layers import Layers
from geo.privacy import DEFAULT_POLICY, gate
from geo.query import Filter, apply_filter, prepare
from geo.settings import data_dir

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
UPLOAD_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "upload" / "some_rejected.csv"


@pytest.fixture(scope="module")
def incidents(layers: Layers) -> gpd.GeoDataFrame:
    """The bundled demo incidents, enriched and prepared as the app does it."""
    return prepare(enrich(read_incidents(data_dir() / "demo_incidents.csv").incidents, layers))


def _run(params: dict[str, str] | None = None, *, analyst: bool = True) -> AppTest:
    """The dashboard as an analyst (full records) unless `analyst` is False (the public)."""
    return dashboard(analyst=analyst, params=params).run()


def _incident_count(app: AppTest, label: str) -> int:
    shown = {metric.label: metric.value for metric in app.metric}
    return int(shown[label].replace(".", "").replace(",", ""))


def test_default_page_shows_banner_kpis_and_six_tabs(incidents: gpd.GeoDataFrame) -> None:
    app = _run()
    assert not app.exception
    assert any("DATOS SINTÉTICOS" in warning.value for warning in app.warning)
    assert _incident_count(app, "Incidentes") == len(incidents)
    assert [tab.label for tab in app.tabs] == [
        "Mapa", "Hexágonos", "Línea de tiempo", "Tabla", "Exportar", "Cargar datos"
    ]  # fmt: skip
    # tabs run lazily: only the open one's content is built
    assert app.session_state["hito.tab"] == "Mapa"
    assert len(app.get("deck_gl_json_chart")) == 0
    assert len(app.get("vega_lite_chart")) == 0
    _open_tab(app, "Hexágonos")
    assert (len(app.get("deck_gl_json_chart")), len(app.get("vega_lite_chart"))) == (1, 0)
    _open_tab(app, "Línea de tiempo")
    assert (len(app.get("deck_gl_json_chart")), len(app.get("vega_lite_chart"))) == (0, 1)
    _open_tab(app, "Tabla")
    assert len(app.dataframe) == 1
    assert not app.file_uploader
    _open_tab(app, "Exportar")
    assert len(app.get("download_button")) == 7
    _open_tab(app, "Cargar datos")
    assert len(app.file_uploader) == 1


def test_a_language_switch_keeps_the_open_tab() -> None:
    app = _run()
    _open_tab(app, "Tabla")
    app.radio(key="hito.w.lang").set_value("en").run()
    assert not app.exception
    assert app.session_state["hito.tab"] == "Table"
    assert len(app.dataframe) == 1


def _open_tab(app: AppTest, label: str) -> AppTest:
    app.session_state["hito.tab"] = label
    app.run()
    assert not app.exception
    return app


def test_url_restores_filter_and_language(incidents: gpd.GeoDataFrame) -> None:
    params = {"from": "2025-12-01", "to": "2026-01-31", "tz": "America/Lima",
              "crossing": "santa-rosa", "lang": "en"}  # fmt: skip
    app = _run(params)
    assert not app.exception
    flt = Filter(
        start=date(2025, 12, 1), end=date(2026, 1, 31), zone="America/Lima",
        crossings=("santa-rosa",),
    )  # fmt: skip
    expected = apply_filter(incidents, flt)
    assert _incident_count(app, "Incidents") == totals(expected)["incidents"]
    assert any("SYNTHETIC DATA" in warning.value for warning in app.warning)
    assert app.tabs[0].label == "Map"
    assert "(America/Lima)" in " ".join(caption.value for caption in app.caption)


def test_changing_the_crossing_changes_the_kpis(incidents: gpd.GeoDataFrame) -> None:
    app = _run()
    before = _incident_count(app, "Incidentes")
    crossing = next(box for box in app.multiselect if box.key.startswith("hito.w.crossing"))
    crossing.set_value(["chacalluta"]).run()
    assert not app.exception
    after = _incident_count(app, "Incidentes")
    expected = totals(apply_filter(incidents, Filter(crossings=("chacalluta",))))["incidents"]
    assert after == expected
    assert after < before


def test_an_upload_with_rejected_rows_shows_its_report() -> None:
    app = _open_tab(_run(), "Cargar datos")
    upload = (UPLOAD_FIXTURE.name, UPLOAD_FIXTURE.read_bytes(), "text/csv")
    app.file_uploader[0].set_value(upload).run()
    assert not app.exception
    reasons = " ".join(table.value.to_csv() for table in app.dataframe)
    assert "categoría desconocida" in reasons  # the Spanish UI gives Spanish reasons


OLDER_FIXTURE = UPLOAD_FIXTURE.with_name("older_dates.csv")  # 2 rows from March 2024


def _upload(app: AppTest, path: Path) -> AppTest:
    _open_tab(app, "Cargar datos")
    return app.file_uploader[0].set_value((path.name, path.read_bytes(), "text/csv")).run()


def test_uploaded_rows_before_the_bundled_span_join_a_view_of_every_date(
    incidents: gpd.GeoDataFrame,
) -> None:
    app = _upload(_run(), OLDER_FIXTURE)
    assert not app.exception
    assert _incident_count(app, "Incidentes") == len(incidents) + 2
    dates = app.date_input(key="hito.w.dates")
    assert dates.value[0] == date(2024, 3, 10)  # widened from the bundled first day
    assert not app.info  # nothing hidden by the date filter


def test_uploaded_rows_outside_a_chosen_span_are_counted_and_one_click_shows_them(
    incidents: gpd.GeoDataFrame,
) -> None:
    app = _upload(_run({"from": "2026-01-01", "to": "2026-01-31"}), OLDER_FIXTURE)
    assert not app.exception
    january = Filter(start=date(2026, 1, 1), end=date(2026, 1, 31))
    assert _incident_count(app, "Incidentes") == len(apply_filter(incidents, january))
    assert "2 filas cargadas quedan fuera" in " ".join(info.value for info in app.info)
    app.button(key="hito.upload.every_date").click().run()
    assert not app.exception
    assert _incident_count(app, "Incidentes") == len(incidents) + 2
    assert not app.info


def test_a_filter_from_the_first_day_says_there_is_no_earlier_data() -> None:
    app = _run()
    incidents_metric = next(metric for metric in app.metric if metric.label == "Incidentes")
    assert incidents_metric.delta == "sin datos anteriores"
    later = _run({"from": "2026-01-01", "to": "2026-01-31"})
    later_metric = next(metric for metric in later.metric if metric.label == "Incidentes")
    assert later_metric.delta not in (None, "sin datos anteriores")


def test_the_public_sees_only_what_passed_the_privacy_gate(
    incidents: gpd.GeoDataFrame,
) -> None:
    public = gate(incidents, "public", DEFAULT_POLICY)
    app = _run(analyst=False)
    assert not app.exception
    assert 0 < _incident_count(app, "Incidentes") == len(public) < len(incidents)
    assert any("Vista pública: ubicaciones en celdas de 1.000 m" in info.value for info in app.info)
    tree = _tree_text(app)  # every element's content
    for tab in ("Tabla", "Exportar", "Línea de tiempo", "Hexágonos"):
        tree += _tree_text(_open_tab(app, tab))
    points = zip(incidents.geometry.x.head(300), incidents.geometry.y.head(300), strict=True)
    assert not [point for point in points if _pair_shown(tree, *point)]  # no input point
    assert not any(identifier in tree for identifier in incidents["incident_id"].head(200))
    descriptions = incidents["description"].dropna().astype(str).head(50)
    assert not any(text in tree for text in descriptions if len(text) > 12)
    analyst = _tree_text(_open_tab(_run(), "Tabla"))  # the control: analysts see exact rows
    assert any(identifier in analyst for identifier in incidents["incident_id"].head(200))


def _tree_text(app: AppTest) -> str:
    """The text of every element on the page: protos, and the tables' data."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app._tree)
    parts.extend(table.value.to_csv() for table in app.dataframe)
    return " ".join(parts)


def _pair_shown(text: str, lon: float, lat: float) -> bool:
    """Whether a lon/lat pair appears (5 or 6 decimals, within a few characters of each
    other) in `text`; a lone value may be a reference layer's vertex."""
    for decimals in (5, 6):
        lon_text, lat_text = f"{lon:.{decimals}f}", f"{lat:.{decimals}f}"
        start = text.find(lon_text)
        while start != -1:
            if lat_text in text[max(0, start - 60) : start + 60]:
                return True
            start = text.find(lon_text, start + 1)
    return False
