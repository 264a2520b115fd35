"""The overview page runs in Streamlit's AppTest: banner, counts and map, no exception."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from geo.ingest import read_incidents
from geo.settings import data_dir

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def test_overview_shows_synthetic_banner_counts_and_map() -> None:
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not app.exception
    assert any("SYNTHETIC DATA" in warning.value for warning in app.warning)
    expected = read_incidents(data_dir() / "demo_incidents.csv").report.accepted
    shown = {metric.label: metric.value for metric in app.metric}
    assert int(shown["Incidentes"].replace(".", "")) == expected
    assert len(app.get("deck_gl_json_chart")) == 1
