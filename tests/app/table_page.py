"""AppTest page: the incidents table alone, on the bundled demo incidents or a fixture file.

Session keys read: "page_source" (a CSV path, or "demo"), "page_copies" (the frame repeated
this many times), "page_lang", "page_zone", "page_role" (default "analyst": times of day).
"""

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.table_view import render_table
from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.query import prepare

source = st.session_state.get("page_source", "demo")
if source == "demo":
    incidents, _ = data.bundled_incidents()
else:
    layers = data.bundled_layers()
    incidents = enrich(read_incidents(source, layers=layers).incidents, layers)
copies = int(st.session_state.get("page_copies", 1))
if copies > 1:
    incidents = gpd.GeoDataFrame(
        pd.concat([incidents] * copies, ignore_index=True), crs=incidents.crs
    )
if st.session_state.get("page_prepare", True):
    incidents = prepare(incidents)
render_table(
    incidents,
    lang=st.session_state.get("page_lang", "es"),
    zone=st.session_state.get("page_zone", "America/Santiago"),
    role=st.session_state.get("page_role", "analyst"),
)
