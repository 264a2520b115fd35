"""Declare Hito's tunable settings once, each with its default and meaning."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

REPO_DATA_DIR: Final = Path(__file__).resolve().parent.parent / "data"


def data_dir() -> Path:
    """Return the folder holding reference layers and bundled data (env HITO_DATA_DIR)."""
    return Path(os.environ.get("HITO_DATA_DIR", REPO_DATA_DIR))


UPLOAD_TO_STORE_ENV: Final = "HITO_UPLOAD_TO_STORE"


def upload_to_store_enabled() -> bool:
    """Whether the dashboard offers to save uploads into the store ($HITO_UPLOAD_TO_STORE=1;
    off by default until roles exist: then only analysts may)."""
    return os.environ.get(UPLOAD_TO_STORE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Tunable numbers used by ingest and enrichment."""

    # A report with no crossing gets the nearest complex if it lies within this radius.
    crossing_radius_m: float = 5_000.0
    # Coordinates outside the two regions' bounding box grown by this margin are rejected.
    bbox_margin_deg: float = 0.05


DEFAULT_SETTINGS: Final = Settings()


TRUSTED_USER_HEADER_ENV: Final = "HITO_TRUSTED_USER_HEADER"
ANALYSTS_ENV: Final = "HITO_ANALYSTS"
ANALYST_CLAIM_ENV: Final = "HITO_ANALYST_CLAIM"
AUTH_PROVIDER_ENV: Final = "HITO_AUTH_PROVIDER"
# RFC 9110 "token" characters (a header name); nginx also drops names with "_" by default.
_HEADER_NAME_CHARS: Final = frozenset(
    "!#$%&'*+-.^`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)


def trusted_user_header() -> str | None:
    """The request header an authenticating proxy sets to the signed-in user's name
    ($HITO_TRUSTED_USER_HEADER, e.g. "X-Hito-User"); None (the default) trusts no header.

    Only set it when the app listens on loopback behind that proxy and the proxy overwrites
    the header on every request: anyone who can reach the app directly could send it.
    """
    name = os.environ.get(TRUSTED_USER_HEADER_ENV, "").strip()
    if not name:
        return None
    bad = sorted(set(name) - _HEADER_NAME_CHARS)
    if bad or "_" in name:
        raise ValueError(
            f"setting {TRUSTED_USER_HEADER_ENV}: value {name!r} is not a usable header name "
            f"(characters {bad or ['_']} are not allowed; use letters, digits and '-')"
        )
    return name


def parse_analysts(raw: str, source: str) -> frozenset[str]:
    """Read a comma-separated list of analyst e-mails / user names, case-folded.

    `source` names where the text came from, for the error message. An empty entry
    (",," or a trailing comma) is an error, not silently skipped.
    """
    entries = [entry.strip() for entry in raw.split(",")]
    if raw.strip() and any(not entry for entry in entries):
        raise ValueError(f"{source}: value {raw!r} has an empty entry between commas")
    return frozenset(entry.casefold() for entry in entries if entry)


def analysts_from_env() -> frozenset[str] | None:
    """Analysts named in $HITO_ANALYSTS (comma-separated, case-insensitive); None if unset."""
    raw = os.environ.get(ANALYSTS_ENV)
    if raw is None or not raw.strip():
        return None
    return parse_analysts(raw, f"setting {ANALYSTS_ENV}")


def analyst_claim_from_env() -> str | None:
    """The OIDC claim matched against the analysts list ($HITO_ANALYST_CLAIM); None if unset
    (then the secrets' [hito] analyst_claim, else "email")."""
    claim = os.environ.get(ANALYST_CLAIM_ENV, "").strip()
    return claim or None


def auth_provider_from_env() -> str | None:
    """The provider name st.login() is called with ($HITO_AUTH_PROVIDER, e.g. "google" for an
    [auth.google] secrets section); None if unset (then [hito] auth_provider, else [auth])."""
    provider = os.environ.get(AUTH_PROVIDER_ENV, "").strip()
    return provider or None


TILES_ENV: Final = "HITO_TILES"
TILES_ATTRIBUTION_ENV: Final = "HITO_TILES_ATTRIBUTION"
# A tile URL template: https, a host, a path holding {z}, {x} and {y}; nothing that could end
# the JavaScript string or HTML attribute it is written into.
TILE_URL_PATTERN: Final = re.compile(
    r"https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?/[A-Za-z0-9._~/{}?=&%:@,;+-]*"
)


def tiles_from_env() -> tuple[str, str] | None:
    """Return the map's tile source (URL template, attribution), or None for no tiles at all.

    $HITO_TILES is "none" (the default: only the bundled outlines, so a viewer's address and
    area of interest reach no third party) or a URL template such as
    https://tile.openstreetmap.org/{z}/{x}/{y}.png; $HITO_TILES_ATTRIBUTION then names the
    provider as its licence asks (plain text). Raises ValueError naming the variable and value.
    """
    url = os.environ.get(TILES_ENV, "").strip()
    if url.lower() in {"", "none"}:
        return None
    return check_tiles(url, os.environ.get(TILES_ATTRIBUTION_ENV, ""))


def check_tiles(url: str, attribution: str) -> tuple[str, str]:
    """Return (url, attribution) when the URL is an https tile template and credit is given."""
    if not TILE_URL_PATTERN.fullmatch(url) or not all(
        f"{{{part}}}" in url for part in ("z", "x", "y")
    ):
        raise ValueError(
            f"{TILES_ENV}={url!r} is not 'none' or an https URL template with {{z}}, {{x}} "
            "and {y}, like https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        )
    attribution = attribution.strip()
    if not attribution:
        raise ValueError(
            f"{TILES_ATTRIBUTION_ENV} is empty: with {TILES_ENV}={url!r} it must credit the tile "
            "provider (e.g. '© OpenStreetMap contributors')"
        )
    return url, attribution
