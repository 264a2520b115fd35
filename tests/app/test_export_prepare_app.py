"""The Export tab makes large data files only when asked: a "Preparar" button, then the file."""

from __future__ import annotations

import pytest
from roles import dashboard
from streamlit.testing.v1 import AppTest

from dashboard import export_view


def _export_tab(monkeypatch: pytest.MonkeyPatch, eager_rows: int) -> AppTest:
    monkeypatch.setattr(export_view, "EAGER_ROWS", eager_rows)
    app = dashboard(analyst=True)
    app.session_state["hito.tab"] = "Exportar"
    app.run()
    assert not app.exception
    return app


def _labels(app: AppTest, kind: str) -> list[str]:
    return [str(element.proto.label) for element in app.get(kind)]


def test_data_files_over_the_limit_wait_for_a_click(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _export_tab(monkeypatch, eager_rows=100)  # the 5,000 demo rows are "large"
    assert _labels(app, "download_button") == ["PNG", "PDF", "SVG", "HTML interactivo"]
    prepare = [button for button in app.button if "Preparar" in button.label]
    assert [button.label for button in prepare] == [
        "Preparar CSV", "Preparar GeoJSON", "Preparar GeoPackage"
    ]  # fmt: skip
    prepare[0].click().run()
    assert not app.exception
    assert _labels(app, "download_button") == ["PNG", "PDF", "SVG", "HTML interactivo", "CSV"]
    csv = next(e for e in app.get("download_button") if e.proto.label == "CSV")
    assert str(csv.proto.url)  # the file is made and attached to the button


def test_small_data_files_are_ready_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    app = _export_tab(monkeypatch, eager_rows=50_000)
    assert len(app.get("download_button")) == 7
    assert not [button for button in app.button if "Preparar" in button.label]
