"""The dashboard over a store: an empty store renders, and with the setting on an upload is
saved into the store and then shown from it (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from roles import dashboard
from streamlit.testing.v1 import AppTest

from geo.store import open_store

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
UPLOAD = Path(__file__).resolve().parents[1] / "fixtures" / "upload" / "some_rejected.csv"


def _incidents(app: AppTest) -> int:
    shown = {metric.label: metric.value for metric in app.metric}
    return int(shown["Incidentes"].replace(".", ""))


def _open_upload_tab(app: AppTest) -> AppTest:
    app.session_state["hito.tab"] = "Cargar datos"
    return app.run()


@pytest.fixture
def empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store the user named (HITO_STORE): created empty, never seeded."""
    path = tmp_path / "named.gpkg"
    monkeypatch.setenv("HITO_STORE", str(path))
    return path


def test_an_empty_named_store_renders_with_no_incidents_and_no_banner(empty_store: Path) -> None:
    app = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not app.exception
    assert _incidents(app) == 0
    assert not any("DATOS SINTÉTICOS" in warning.value for warning in app.warning)


def test_without_the_setting_an_upload_cannot_be_saved(empty_store: Path) -> None:
    app = _open_upload_tab(AppTest.from_file(str(APP), default_timeout=120).run())
    app.file_uploader[0].set_value((UPLOAD.name, UPLOAD.read_bytes(), "text/csv")).run()
    assert not app.exception
    assert not [button for button in app.button if "almacén" in button.label]


def test_with_the_setting_an_upload_is_saved_and_then_comes_from_the_store(
    empty_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HITO_UPLOAD_TO_STORE", "1")
    app = _open_upload_tab(AppTest.from_file(str(APP), default_timeout=120).run())
    app.file_uploader[0].set_value((UPLOAD.name, UPLOAD.read_bytes(), "text/csv")).run()
    save = next(button for button in app.button if "almacén" in button.label)
    assert save.label == "Guardar las 2 filas aceptadas en el almacén"
    save.click().run()
    assert not app.exception
    assert [element.value for element in app.success] == [
        "Guardado: 2 nuevas, 0 ya estaban, 0 en conflicto (no cambiadas; use "
        "`hito ingest --update` para reemplazarlas)."
    ]
    store = open_store(empty_store)
    try:
        assert store.count() == 2
        assert [record.file_name for record in store.ingests()] == [UPLOAD.name]
    finally:
        store.close()
    fresh = dashboard(analyst=True).run()  # another session, an analyst's
    assert _incidents(fresh) == 2  # the saved rows now come from the store
    public = dashboard(analyst=False).run()
    assert _incidents(public) == 0  # 2 reports: a group under k = 5, withheld from the public
