"""AppTest page: the upload view alone, on the bundled layers, saying how many rows it returns.

Session keys read: "page_lang" ("es" default).
"""

import streamlit as st

from dashboard import data
from dashboard.upload_view import render_upload

rows = render_upload(data.bundled_layers(), st.session_state.get("page_lang", "es"))
st.text(f"returned rows: {0 if rows is None else len(rows)}")
