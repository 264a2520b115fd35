"""AppTest helpers: open the dashboard as an analyst (OIDC user listed) or as the public."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from streamlit.testing.v1 import AppTest

APP: Final = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
ANALYST_EMAIL: Final = "ana.analista@example.org"
# A complete [auth] section with Streamlit's documented keys; the provider is never contacted.
AUTH_SECRETS: Final[dict[str, str]] = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret-not-used",
    "client_id": "hito-test",
    "client_secret": "not-a-secret",
    "server_metadata_url": "https://idp.invalid/.well-known/openid-configuration",
}
ANALYST_USER: Final[dict[str, Any]] = {
    "is_logged_in": True, "email": ANALYST_EMAIL, "email_verified": True
}  # fmt: skip


def dashboard(*, analyst: bool, params: dict[str, str] | None = None) -> AppTest:
    """The dashboard's AppTest, signed in as a listed analyst or left public (not run yet)."""
    app = AppTest.from_file(str(APP), default_timeout=120)
    if analyst:
        app.secrets["auth"] = AUTH_SECRETS
        app.secrets["hito"] = {"analysts": [ANALYST_EMAIL]}
        app.user = ANALYST_USER
    for key, value in (params or {}).items():
        app.query_params[key] = value
    return app
