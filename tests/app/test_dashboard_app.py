"""The whole dashboard in AppTest: banner, KPIs, tabs, URL restore, filters and upload paths."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from geo.aggregate import totals
from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.layers import Layers
from geo.query import Filter, apply_filter, prepare
from geo.settings import data_dir

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
UPLOAD_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "upload" / "some_rejected.csv"


@pytest.fixture(scope="module")
def incidents(layers: Layers) -> gpd.GeoDataFrame:
    """The bundled demo incidents, enriched and prepared as the app does it."""
    return prepare(enrich(read_incidents(data_dir() / "demo_incidents.csv").incidents, layers))


def _run(params: dict[str, str] | None = None) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=120)
    for key, value in (params or {}).items():
        app.query_params[key] = value
    return app.run()


def _incident_count(app: AppTest, label: str) -> int:
    shown = {metric.label: metric.value for metric in app.metric}
    return int(shown[label].replace(".", "").replace(",", ""))


def test_default_page_shows_banner_kpis_and_five_tabs(incidents: gpd.GeoDataFrame) -> None:
    app = _run()
    assert not app.exception
    assert any("DATOS SINTÉTICOS" in warning.value for warning in app.warning)
    assert _incident_count(app, "Incidentes") == len(incidents)
    assert [tab.label for tab in app.tabs] == [
        "Mapa", "Hexágonos", "Línea de tiempo", "Tabla", "Cargar datos"
    ]  # fmt: skip
    assert len(app.get("deck_gl_json_chart")) == 1
    assert len(app.get("vega_lite_chart")) == 1


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
    app = _run()
    upload = (UPLOAD_FIXTURE.name, UPLOAD_FIXTURE.read_bytes(), "text/csv")
    app.file_uploader[0].set_value(upload).run()
    assert not app.exception
    reasons = " ".join(table.value.to_csv() for table in app.dataframe)
    assert "unknown category" in reasons
