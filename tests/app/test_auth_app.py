"""The role matrix in AppTest: public by default, analyst only for a listed OIDC user or a
listed user named by a configured trusted proxy header.

Streamlit 1.67's AppTest seeds st.user from `at.user` and st.secrets from `at.secrets`
(streamlit/testing/v1/app_test.py), but it cannot seed st.context.headers ("headers,
cookies, and ip_address come from the session's client instead"), so the header tests
replace the `headers` property of st.context's class for the test's duration.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from roles import AUTH_SECRETS
from streamlit.runtime.context import StreamlitHeaders
from streamlit.testing.v1 import AppTest

from dashboard.auth import (
    AUTH_LABELS,
    SIGN_IN_KEY,
    SIGN_OUT_KEY,
    AuthConfig,
    analysts_from_secrets,
    auth_label,
    decide_role,
)
from geo.settings import parse_analysts, trusted_user_header

PAGE = Path(__file__).resolve().parent / "auth_page.py"
HEADER = "X-Hito-User"
ANALYST: dict[str, Any] = {
    "is_logged_in": True, "email": "ana.analista@example.org", "email_verified": True
}
OUTSIDER: dict[str, Any] = {
    "is_logged_in": True, "email": "someone@example.org", "email_verified": True
}
ENV_NAMES = (
    "HITO_TRUSTED_USER_HEADER",
    "HITO_ANALYSTS",
    "HITO_ANALYST_CLAIM",
    "HITO_AUTH_PROVIDER",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test with no sign-in settings in the environment."""
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def send_headers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Return a function that makes st.context.headers answer with the given pairs."""

    def install(pairs: list[tuple[str, str]]) -> None:
        headers = StreamlitHeaders(pairs)
        monkeypatch.setattr(type(st.context), "headers", property(lambda _self: headers))

    yield install


def _run(
    user: dict[str, Any] | None = None,
    secrets: dict[str, Any] | None = None,
    lang: str = "es",
) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    if user is not None:
        at.user = user
    if secrets:
        for key, value in secrets.items():
            at.secrets[key] = value
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [item.value for item in at.exception]
    return at


def _role(at: AppTest) -> str:
    shown = [item.value for item in at.main.text if item.value.startswith("role=")]
    assert len(shown) == 1, shown
    return shown[0].removeprefix("role=")


def _sidebar_texts(at: AppTest) -> list[str]:
    return [item.value for item in at.sidebar.text]


def _oidc(analysts: list[str] | None = None, **hito: str) -> dict[str, Any]:
    section: dict[str, Any] = dict(hito)
    if analysts is not None:
        section["analysts"] = analysts
    return {"auth": AUTH_SECRETS, "hito": section} if section else {"auth": AUTH_SECRETS}


# --- no sign-in configured ---------------------------------------------------------------


def test_no_auth_configured_is_public_with_no_sign_in_button() -> None:
    at = _run()
    assert _role(at) == "public"
    assert AUTH_LABELS["role_public"]["es"] in _sidebar_texts(at)
    assert [button.key for button in at.sidebar.button] == []


def test_logged_in_user_is_ignored_without_an_auth_section(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HITO_ANALYSTS", ANALYST["email"])
    at = _run(user=ANALYST)  # st.user says logged in, but no [auth]: never trusted
    assert _role(at) == "public"


# --- OIDC (st.login / st.user) -----------------------------------------------------------


def test_oidc_listed_analyst_is_analyst_and_sees_sign_out() -> None:
    at = _run(user=ANALYST, secrets=_oidc(analysts=["Ana.Analista@Example.org"]))
    assert _role(at) == "analyst"
    assert AUTH_LABELS["role_analyst"]["es"] in _sidebar_texts(at)
    assert "Sesión iniciada: ana.analista@example.org" in _sidebar_texts(at)
    assert [button.key for button in at.sidebar.button] == [SIGN_OUT_KEY]


def test_oidc_signed_in_non_analyst_is_public() -> None:
    at = _run(user=OUTSIDER, secrets=_oidc(analysts=[ANALYST["email"]]))
    assert _role(at) == "public"
    assert AUTH_LABELS["role_public"]["es"] in _sidebar_texts(at)


def test_oidc_logged_out_is_public_and_offers_sign_in_in_english() -> None:
    at = _run(user={"is_logged_in": False}, secrets=_oidc(analysts=[ANALYST["email"]]), lang="en")
    assert _role(at) == "public"
    assert AUTH_LABELS["role_public"]["en"] in _sidebar_texts(at)
    assert [button.key for button in at.sidebar.button] == [SIGN_IN_KEY]
    assert at.sidebar.button[0].label == "Sign in (analysts)"


def test_oidc_without_an_analysts_list_makes_nobody_analyst() -> None:
    at = _run(user=ANALYST, secrets=_oidc())
    assert _role(at) == "public"


def test_oidc_unverified_email_is_public() -> None:
    unverified = {**ANALYST, "email_verified": False}
    at = _run(user=unverified, secrets=_oidc(analysts=[ANALYST["email"]]))
    assert _role(at) == "public"


def test_oidc_claim_named_in_settings_is_matched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HITO_ANALYST_CLAIM", "preferred_username")
    user = {"is_logged_in": True, "email": "x@example.org", "preferred_username": "ana"}
    assert _role(_run(user=user, secrets=_oidc(analysts=["ANA"]))) == "analyst"
    assert _role(_run(user=user, secrets=_oidc(analysts=["x@example.org"]))) == "public"


def test_oidc_claim_from_secrets_section() -> None:
    user = {"is_logged_in": True, "email": "x@example.org", "groups_name": "hito-analysts"}
    secrets = _oidc(analysts=["hito-analysts"], analyst_claim="groups_name")
    assert _role(_run(user=user, secrets=secrets)) == "analyst"


def test_env_analysts_win_over_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HITO_ANALYSTS", "other@example.org, someone@example.org")
    at = _run(user=OUTSIDER, secrets=_oidc(analysts=[ANALYST["email"]]))
    assert _role(at) == "analyst"


def test_sign_out_returns_to_public() -> None:
    at = _run(user=dict(ANALYST), secrets=_oidc(analysts=[ANALYST["email"]]))
    assert _role(at) == "analyst"
    at.sidebar.button(key=SIGN_OUT_KEY).click().run()
    assert _role(at) == "public"
    assert [button.key for button in at.sidebar.button] == [SIGN_IN_KEY]


# --- trusted proxy header ----------------------------------------------------------------


def test_configured_header_with_listed_user_is_analyst(
    monkeypatch: pytest.MonkeyPatch, send_headers: Any
) -> None:
    monkeypatch.setenv("HITO_TRUSTED_USER_HEADER", HEADER)
    monkeypatch.setenv("HITO_ANALYSTS", "ana, beto")
    send_headers([("Host", "127.0.0.1"), ("x-hito-user", "Beto")])
    at = _run()
    assert _role(at) == "analyst"
    assert AUTH_LABELS["role_analyst"]["es"] in _sidebar_texts(at)
    assert [button.key for button in at.sidebar.button] == []  # the proxy signs out, not us


def test_configured_header_with_unlisted_user_is_public(
    monkeypatch: pytest.MonkeyPatch, send_headers: Any
) -> None:
    monkeypatch.setenv("HITO_TRUSTED_USER_HEADER", HEADER)
    monkeypatch.setenv("HITO_ANALYSTS", "ana, beto")
    send_headers([(HEADER, "intruder")])
    assert _role(_run()) == "public"


def test_configured_header_without_a_list_trusts_any_proxy_user(
    monkeypatch: pytest.MonkeyPatch, send_headers: Any
) -> None:
    monkeypatch.setenv("HITO_TRUSTED_USER_HEADER", HEADER)
    send_headers([(HEADER, "whoever-the-proxy-let-in")])
    assert _role(_run()) == "analyst"


def test_configured_header_absent_empty_or_repeated_is_public(
    monkeypatch: pytest.MonkeyPatch, send_headers: Any
) -> None:
    monkeypatch.setenv("HITO_TRUSTED_USER_HEADER", HEADER)
    send_headers([("Host", "127.0.0.1")])
    assert _role(_run()) == "public"
    send_headers([(HEADER, "  ")])
    assert _role(_run()) == "public"
    send_headers([(HEADER, "ana"), (HEADER, "ana")])
    assert _role(_run()) == "public"


def test_header_present_but_not_configured_is_public(
    monkeypatch: pytest.MonkeyPatch, send_headers: Any
) -> None:
    monkeypatch.setenv("HITO_ANALYSTS", "ana")
    send_headers([(HEADER, "ana"), ("Remote-User", "ana"), ("X-Forwarded-User", "ana")])
    assert _role(_run()) == "public"


# --- bad configuration: a clear error, never a silent public/analyst ----------------------


def test_bad_header_setting_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HITO_TRUSTED_USER_HEADER", "X_Hito_User")
    with pytest.raises(ValueError, match=r"HITO_TRUSTED_USER_HEADER: value 'X_Hito_User'"):
        trusted_user_header()
    _assert_fails_closed(AppTest.from_file(str(PAGE), default_timeout=30).run())


def test_analysts_of_the_wrong_type_in_secrets_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"\[hito\] analysts: value 42 must be a list of str"):
        analysts_from_secrets({"analysts": 42})
    with pytest.raises(ValueError, match=r"analysts\[1\]: value '' must be one non-empty"):
        analysts_from_secrets({"analysts": ["ana", ""]})
    with pytest.raises(ValueError, match=r"analysts: value 'ana,' has an empty entry"):
        analysts_from_secrets({"analysts": "ana,"})
    assert analysts_from_secrets({"analysts": ["Ana", "b@x.org"]}) == {"ana", "b@x.org"}
    assert analysts_from_secrets({"analysts": "Ana, b@x.org"}) == {"ana", "b@x.org"}
    assert analysts_from_secrets({}) is None
    at = AppTest.from_file(str(PAGE), default_timeout=30)
    at.secrets["auth"] = AUTH_SECRETS
    at.secrets["hito"] = {"analysts": 42}
    _assert_fails_closed(at.run())


def _assert_fails_closed(at: AppTest) -> None:
    """A configuration error stops the page before anything is shown (details go to the log:
    .streamlit/config.toml sets showErrorDetails = "none")."""
    assert len(at.exception) == 1
    assert [item.value for item in at.text] == []


def test_parse_analysts_folds_case_and_rejects_empty_entries() -> None:
    assert parse_analysts(" Ana@Example.org ,beto", "T") == {"ana@example.org", "beto"}
    assert parse_analysts("", "T") == frozenset()
    with pytest.raises(ValueError, match=r"^T: value 'ana,,beto' has an empty entry"):
        parse_analysts("ana,,beto", "T")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language 'fr'"):
        auth_label("role_public", "fr")


def test_every_label_has_spanish_and_english() -> None:
    assert all(set(texts) == {"es", "en"} for texts in AUTH_LABELS.values())


def test_decide_role_needs_oidc_configured_to_trust_st_user() -> None:
    analysts = frozenset({"ana@example.org"})
    user = {"is_logged_in": True, "email": "ana@example.org"}
    trusted = AuthConfig(oidc=True, header=None, analysts=analysts)
    untrusted = AuthConfig(oidc=False, header=None, analysts=analysts)
    assert decide_role(trusted, user, []) == "analyst"
    assert decide_role(untrusted, user, []) == "public"
    assert decide_role(untrusted, {}, ["ana@example.org"]) == "public"  # header not configured
