"""Decide whether this session sees the public view or full records, and show the account."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import streamlit as st

from geo.i18n import check_lang
from geo.i18n_labels import LABELS
from geo.privacy import Role
from geo.settings import (
    analyst_claim_from_env,
    analysts_from_env,
    auth_provider_from_env,
    parse_analysts,
    trusted_user_header,
)

PUBLIC: Final[Role] = "public"
ANALYST: Final[Role] = "analyst"

HITO_SECRETS: Final = "hito"  # [hito] in secrets.toml: analysts, analyst_claim, auth_provider
DEFAULT_CLAIM: Final = "email"
SIGN_IN_KEY: Final = "hito.w.sign_in"
SIGN_OUT_KEY: Final = "hito.w.sign_out"

# The lead folds these into geo/i18n_labels.py; key -> {lang: text}, Spanish first.
# The account box's words live in geo.i18n_labels under "auth_<key>".
AUTH_LABELS: Final[dict[str, dict[str, str]]] = {
    key.removeprefix("auth_"): words for key, words in LABELS.items() if key.startswith("auth_")
}


@dataclass(frozen=True)
class AuthConfig:
    """How this deployment recognises analysts (read from the environment and secrets)."""

    oidc: bool  # secrets.toml has an [auth] section: st.login / st.user are live
    header: str | None  # request header set by an authenticating proxy, None = trust none
    analysts: frozenset[str] | None  # case-folded e-mails / user names; None = no list set
    claim: str = DEFAULT_CLAIM  # the st.user claim matched against `analysts`
    provider: str | None = None  # st.login(provider); None = the plain [auth] section


def auth_label(key: str, lang: str) -> str:
    """Return account label `key` in `lang` (ValueError for an unknown language)."""
    check_lang(lang)
    return AUTH_LABELS[key][lang]


def current_role() -> Role:
    """"analyst" for a signed-in analyst (OIDC or trusted proxy header), else "public"."""
    config = auth_config()
    user = _oidc_user(config)
    return decide_role(config, user, _header_values(config))


def render_account(lang: str) -> None:
    """In the sidebar: the role in words, and sign-in / sign-out when OIDC is configured."""
    check_lang(lang)
    config = auth_config()
    user = _oidc_user(config)
    role = decide_role(config, user, _header_values(config))
    with st.sidebar:
        st.subheader(auth_label("account_heading", lang))
        # st.text, never Markdown: user names come from outside.
        st.text(auth_label(f"role_{role}", lang))
        if config.oidc:
            _render_sign_in_out(config, user, lang)


def decide_role(
    config: AuthConfig, user: Mapping[str, Any], header_values: Sequence[str]
) -> Role:
    """The role for one session, from the configuration, st.user and the trusted header."""
    if config.oidc and _is_oidc_analyst(config, user):
        return ANALYST
    if config.header is not None and _is_header_analyst(config, header_values):
        return ANALYST
    return PUBLIC


def auth_config() -> AuthConfig:
    """Read the sign-in configuration: env settings win over the [hito] secrets section."""
    hito = _secrets_section(HITO_SECRETS)
    env_analysts = analysts_from_env()
    claim = analyst_claim_from_env() or _secret_text(hito, "analyst_claim") or DEFAULT_CLAIM
    provider = auth_provider_from_env() or _secret_text(hito, "auth_provider")
    return AuthConfig(
        oidc=_secrets_section("auth") is not None,
        header=trusted_user_header(),
        analysts=env_analysts if env_analysts is not None else analysts_from_secrets(hito),
        claim=claim,
        provider=provider,
    )


def _is_oidc_analyst(config: AuthConfig, user: Mapping[str, Any]) -> bool:
    if user.get("is_logged_in") is not True or not config.analysts:
        return False  # with OIDC anyone with an account can sign in: no list, no analysts
    if config.claim == "email" and user.get("email_verified") is False:
        return False
    value = user.get(config.claim)
    return isinstance(value, str) and value.strip().casefold() in config.analysts


def _is_header_analyst(config: AuthConfig, values: Sequence[str]) -> bool:
    if len(values) != 1:
        return False  # absent, or sent twice: the proxy sets it exactly once
    name = values[0].strip()
    if not name:
        return False
    return config.analysts is None or name.casefold() in config.analysts


def _render_sign_in_out(config: AuthConfig, user: Mapping[str, Any], lang: str) -> None:
    if user.get("is_logged_in") is True:
        shown = user.get(config.claim)
        if isinstance(shown, str) and shown:
            st.text(auth_label("signed_in_as", lang).format(user=shown))
        if st.button(auth_label("sign_out", lang), key=SIGN_OUT_KEY):
            st.logout()  # clears st.user and redirects; the rerun draws nothing as analyst
            st.rerun()
    elif st.button(auth_label("sign_in", lang), key=SIGN_IN_KEY):
        st.login(config.provider)


def _oidc_user(config: AuthConfig) -> Mapping[str, Any]:
    """st.user as a dict, only when OIDC is configured (otherwise it is never consulted)."""
    return dict(st.user.to_dict()) if config.oidc else {}


def _header_values(config: AuthConfig) -> list[str]:
    """Every value of the trusted header in the session's first request; [] when not set up."""
    if config.header is None:
        return []
    return st.context.headers.get_all(config.header)


def _secrets_section(name: str) -> Mapping[str, Any] | None:
    """Secrets section `name`, or None when there is no secrets file or no such section.

    Secrets.load_if_toml_exists() is Streamlit's availability probe (it returns False instead
    of raising when no secrets.toml exists); st.secrets is looked up on each call because
    AppTest swaps it.
    """
    if not st.secrets.load_if_toml_exists() or name not in st.secrets:
        return None
    section = st.secrets[name]
    if not isinstance(section, Mapping):
        raise ValueError(
            f"secrets.toml: [{name}] must be a section (a table), not {type(section).__name__}"
        )
    return section


def _secret_text(section: Mapping[str, Any] | None, key: str) -> str | None:
    if section is None or key not in section:
        return None
    value = section[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(
            f"secrets.toml: [{HITO_SECRETS}] {key} = {value!r} must be a non-empty string"
        )
    return value.strip()


def analysts_from_secrets(section: Mapping[str, Any] | None) -> frozenset[str] | None:
    """[hito] analysts from secrets: a list of strings or one comma-separated string."""
    if section is None or "analysts" not in section:
        return None
    value = section["analysts"]
    source = f"secrets.toml [{HITO_SECRETS}] analysts"
    if isinstance(value, str):
        return parse_analysts(value, source)
    if not isinstance(value, Sequence):
        raise ValueError(f"{source}: value {value!r} must be a list of strings")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip() or "," in item:
            raise ValueError(
                f"{source}[{index}]: value {item!r} must be one non-empty e-mail or user name"
            )
    return frozenset(item.strip().casefold() for item in value)
