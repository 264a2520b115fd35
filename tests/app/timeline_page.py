"""A page with only the timeline on the bundled demo data, run by AppTest (and a browser)."""

from __future__ import annotations

from typing import Literal, cast

import geopandas as gpd
import streamlit as st

from dashboard.timeline_view import render_timeline
from geo.aggregate import aggregate
from geo.charts import timeline_chart
from geo.enrich import enrich
from geo.events import load_events
from geo.ingest import read_incidents
from geo.layers import load_layers
from geo.query import prepare
from geo.settings import data_dir


@st.cache_resource(show_spinner=False)
def _prepared_demo() -> gpd.GeoDataFrame:
    """The demo incidents, read, enriched and prepared once per process."""
    layers = load_layers()
    result = read_incidents(data_dir() / "demo_incidents.csv", layers=layers)
    return prepare(enrich(result.incidents, layers))


def _param(name: str, default: str) -> str:
    return str(st.query_params.get(name, default))


lang = _param("lang", "es")
zone = _param("tz", "America/Santiago")
by = cast(Literal["category", "crossing"], _param("by", "category"))
measure = cast(Literal["incidents", "people"], _param("measure", "incidents"))
freq = cast(Literal["day", "week"], _param("freq", "day"))

counts = aggregate(_prepared_demo(), freq=freq, by=by, zone=zone)
chart = timeline_chart(
    counts, load_events(), by=by, measure=measure, freq=freq, lang=lang, zone=zone
)
span = render_timeline(chart, key="timeline")
st.text(f"span: {span[0].isoformat()} {span[1].isoformat()}" if span else "span: none")
