"""Streamlit entry point: sidebar filters, KPIs, then map, hexagons, timeline, table, upload."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Literal

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.kpis import render_kpis
from dashboard.map_view import render_folium_map
from dashboard.sidebar import FilterOptions, default_view, render_sidebar
from dashboard.state import VIEW_KEY, View, current_view, publish_view, set_view, with_map
from dashboard.table_view import render_table
from dashboard.timeline_view import render_timeline
from dashboard.upload_view import render_upload
from geo.aggregate import aggregate, kpis
from geo.charts import timeline_chart
from geo.events import EventsError
from geo.i18n import describe_filter, text
from geo.ingest import IngestError
from geo.layers import LayerError, Layers
from geo.maps import HEXAGON_RADIUS_M, incident_points, pydeck_hexagons
from geo.maps_folium import folium_map
from geo.query import apply_filter, prepare

MAP_HEIGHT = 560


def main() -> None:
    """Render the page for this session's View."""
    st.set_page_config(page_title="Hito — Chacalluta / Santa Rosa", layout="wide")
    try:
        layers = data.bundled_layers()
        bundled, _ = data.bundled_incidents()
    except (LayerError, IngestError, OSError) as error:
        st.error("No se pudieron cargar los datos / Could not load the bundled data:")
        st.code(str(error), language=None)  # plain text, never Markdown
        return
    options = FilterOptions.from_data(layers, bundled)
    view = current_view(
        default_view(options), known_crossings=options.crossing_ids, known_regions=options.regions
    )
    view = render_sidebar(view, options)
    st.title(text("title", view.lang))
    kpi_area = st.container()
    tabs = st.tabs([text(key, view.lang) for key in TAB_KEYS])
    with tabs[4]:
        uploaded = render_upload(layers, view.lang)
    incidents = _with_uploads(bundled, uploaded)
    filtered = apply_filter(incidents, view.filter)
    with kpi_area:
        _render_banner(incidents, view.lang)
        render_kpis(kpis(incidents, view.filter), view.lang, view.filter.zone)
        st.caption(describe_filter(view.filter, view.lang))
    with tabs[0]:
        view = _render_folium_tab(layers, filtered, view)
    with tabs[1]:
        hexagons = pydeck_hexagons(layers, data.bundled_countries(), filtered, view.lang)
        st.pydeck_chart(hexagons, height=MAP_HEIGHT)
        st.caption(text("hexagon_caption", view.lang, radius=HEXAGON_RADIUS_M))
    with tabs[2]:
        _render_timeline_tab(filtered, view)
    with tabs[3]:
        render_table(filtered, lang=view.lang, zone=view.filter.zone)
    publish_view(view)


TAB_KEYS = ("tab_map", "tab_hexagons", "tab_timeline", "tab_table", "tab_upload")


def _with_uploads(bundled: gpd.GeoDataFrame, uploaded: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """Return the bundled rows plus this session's uploaded rows (never shared)."""
    if uploaded is None or uploaded.empty:
        return bundled
    combined = pd.concat([bundled.astype({c: "string" for c in _categoricals(bundled)}), uploaded])
    return prepare(gpd.GeoDataFrame(combined.reset_index(drop=True), crs=bundled.crs))


def _categoricals(frame: pd.DataFrame) -> list[str]:
    return [name for name in frame.columns if isinstance(frame[name].dtype, pd.CategoricalDtype)]


def _render_banner(incidents: gpd.GeoDataFrame, lang: str) -> None:
    if bool(incidents["synthetic"].fillna(False).any()):
        st.warning(text("synthetic_banner", lang))


def _render_folium_tab(layers: Layers, filtered: gpd.GeoDataFrame, view: View) -> View:
    points = incident_points(filtered, view.filter.zone)
    figure = folium_map(
        layers,
        data.bundled_countries(),
        points,
        lang=view.lang,
        center=view.center,
        zoom=view.zoom,
        heat=view.heat,
    )
    moved = render_folium_map(figure, key="folium-map", height=MAP_HEIGHT)
    return with_map(view, *moved) if moved else view


def _render_timeline_tab(filtered: gpd.GeoDataFrame, view: View) -> None:
    lang, zone = view.lang, view.filter.zone
    left, middle, right = st.columns(3)
    by: Literal["category", "crossing"] = left.radio(
        text("timeline_stack", lang), ("category", "crossing"), horizontal=True,
        format_func=lambda value: text(f"stack_{value}", lang), key=f"hito.t.by.{lang}",
    )  # fmt: skip
    measure: Literal["incidents", "people"] = middle.radio(
        text("timeline_measure", lang), ("incidents", "people"), horizontal=True,
        format_func=lambda value: text(f"kpi_{value}", lang), key=f"hito.t.measure.{lang}",
    )  # fmt: skip
    freq: Literal["day", "week"] = right.radio(
        text("timeline_freq", lang), ("day", "week"), horizontal=True,
        format_func=lambda value: text(f"freq_{value}", lang), key=f"hito.t.freq.{lang}",
    )  # fmt: skip
    counts = aggregate(
        filtered, freq=freq, by=by, zone=zone, start=view.filter.start, end=view.filter.end
    )
    try:
        chart = timeline_chart(
            counts, data.bundled_events(), by=by, measure=measure, freq=freq, lang=lang, zone=zone
        )
    except (EventsError, ValueError) as error:
        st.error(text("timeline_error", lang))
        st.code(str(error), language=None)
        return
    render_timeline(chart, key="timeline", on_span=_apply_span)


def _apply_span(span: tuple[date, date]) -> None:
    """Set the View's dates from a span brushed on the timeline (runs before the rerun)."""
    view: View = st.session_state[VIEW_KEY]
    set_view(replace(view, filter=replace(view.filter, start=span[0], end=span[1])))


main()
