"""A tiny page for the sign-in tests: prints the session's role and renders the account box.

The language comes from the `lang` query parameter (default Spanish), as in the app.
"""

from __future__ import annotations

import streamlit as st

from dashboard.auth import current_role, render_account

ROLE_PREFIX = "role="


def main() -> None:
    """Show the role as plain text in the main area, then the sidebar's account box."""
    lang = st.query_params.get("lang", "es")
    st.text(f"{ROLE_PREFIX}{current_role()}")
    render_account(lang)


main()
