"""A small page for AppTest: the sidebar and the KPIs over the bundled demo data.

Uses geo functions directly (no dashboard.data caches) so it tests dashboard.state,
dashboard.sidebar and dashboard.kpis alone; the real app wires the same calls.
"""

from __future__ import annotations

import streamlit as st

from dashboard.kpis import render_kpis
from dashboard.sidebar import FilterOptions, default_view, render_sidebar
from dashboard.state import current_view, publish_view
from geo.aggregate import kpis
from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.layers import load_layers
from geo.query import prepare
from geo.settings import data_dir

RUNS_KEY = "test.runs"  # how many times this script ran in the session


def main() -> None:
    """Load the demo data, render the sidebar and the KPIs, publish the View to the URL."""
    st.session_state[RUNS_KEY] = st.session_state.get(RUNS_KEY, 0) + 1
    layers = load_layers()
    incidents = prepare(enrich(read_incidents(data_dir() / "demo_incidents.csv").incidents, layers))
    options = FilterOptions.from_data(layers, incidents)
    defaults = default_view(options)
    view = current_view(
        defaults,
        known_crossings=options.crossing_ids,
        known_regions=options.regions,
    )
    view = render_sidebar(view, options)
    render_kpis(kpis(incidents, view.filter), view.lang, view.filter.zone)
    st.caption(view.filter.describe())
    publish_view(view)


main()
