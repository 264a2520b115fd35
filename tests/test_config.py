"""The hardened Streamlit settings in .streamlit/config.toml: each key exists and has its value."""

from __future__ import annotations

import tomllib
from pathlib import Path

import streamlit.config

from dashboard.upload_view import MAX_UPLOAD_MB

CONFIG = Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"
HARDENED = {
    "server.enableXsrfProtection": True,
    "server.enableCORS": True,
    "server.maxUploadSize": 20,
    "server.enableStaticServing": True,
    "server.headless": True,
    "client.showErrorDetails": "none",
    "client.toolbarMode": "minimal",
    "browser.gatherUsageStats": False,
}


def _settings() -> dict[str, object]:
    with CONFIG.open("rb") as handle:
        sections = tomllib.load(handle)
    return {
        f"{section}.{key}": value
        for section, values in sections.items()
        for key, value in values.items()
    }


def test_hardened_values_are_set() -> None:
    assert _settings() == HARDENED


def test_every_key_exists_in_the_installed_streamlit_with_the_right_type() -> None:
    options = streamlit.config.get_config_options()
    for key, value in _settings().items():
        assert key in options, key
        assert isinstance(value, options[key].type), key


def test_show_error_details_value_is_one_streamlit_knows() -> None:
    known = {option.value for option in streamlit.config.ShowErrorDetailsConfigOptions}
    assert "none" in known


def test_the_upload_widget_and_the_server_agree_on_the_limit() -> None:
    assert _settings()["server.maxUploadSize"] == MAX_UPLOAD_MB
