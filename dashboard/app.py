"""Streamlit entry point: sidebar filters, KPIs, then the tabs (map, timeline, table, export…)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit.elements.lib.mutable_tab_container import TabContainer

from dashboard import data
from dashboard.auth import current_role, render_account
from dashboard.export_view import ExportScene, render_export
from dashboard.kpis import render_kpis
from dashboard.map_view import render_folium_map, shown_bounds
from dashboard.sidebar import FilterOptions, default_view, render_sidebar
from dashboard.state import VIEW_KEY, View, current_view, publish_view, set_view, with_map
from dashboard.table_view import render_table
from dashboard.timeline_view import render_event_key, render_timeline
from dashboard.upload_store import render_save_to_store
from dashboard.upload_view import (
    render_upload,
    session_upload_digests,
    session_upload_names,
    session_uploads,
)
from geo.aggregate import aggregate, kpis
from geo.caption import DEMO_SOURCE, caption_text
from geo.charts import chart_events, timeline_chart
from geo.events import EventsError
from geo.i18n import LANGS, describe_filter, format_int, text
from geo.ingest import IngestError
from geo.layers import LayerError, Layers
from geo.map_incidents import map_incidents
from geo.map_policy import RenderPolicy, describe_plan, policy_for_role
from geo.maps import pydeck_hexagons
from geo.maps_folium import folium_map
from geo.privacy import Role, policy_from_env
from geo.query import apply_filter
from geo.settings import tiles_from_env, upload_to_store_enabled
from geo.store import StoreError

MAP_HEIGHT = 560
# Constant page style (no user text): a phone-sized title.
PAGE_CSS = "@media (max-width: 640px) { h1 { font-size: 1.5rem !important; } }"


def main() -> None:
    """Render the page for this session's View and role."""
    st.set_page_config(page_title="Hito — Chacalluta / Santa Rosa", layout="wide")
    st.html(f"<style>{PAGE_CSS}</style>")
    role = current_role()
    loaded = _load(role)
    if loaded is None:
        return
    layers, stored, render_policy = loaded
    uploads_before = session_uploads()
    incidents = _with_uploads(stored, uploads_before)
    options = FilterOptions.from_data(layers, incidents)
    view = current_view(
        default_view(options), known_crossings=options.crossing_ids, known_regions=options.regions
    )
    view = render_sidebar(view, options)
    with st.sidebar:
        render_account(view.lang)
    st.title(text("title", view.lang))
    kpi_area = st.container()
    tabs = _tabs(view.lang)
    uploaded = uploads_before
    if tabs[UPLOAD_TAB].open:  # only the open tab runs: a tab switch is one rerun
        with tabs[UPLOAD_TAB]:
            saving = render_save_to_store if upload_to_store_enabled() else None
            uploaded = render_upload(layers, view.lang, offer_save=saving)
            _render_uploads_outside_dates(uploaded, options, view)
    if uploaded is not uploads_before:
        incidents = _with_uploads(stored, uploaded)
        _rerun_if_the_span_moved(layers, incidents, options, view)
    filtered = apply_filter(incidents, view.filter)
    with kpi_area:
        _render_banner(incidents, view.lang)
        _render_privacy_note(role, stored.withheld_share, view.lang)
        render_kpis(kpis(incidents, view.filter), view.lang, view.filter.zone)
        st.caption(describe_filter(view.filter, view.lang))
    origin = Origin(role, stored, uploaded, render_policy)
    view = _render_open_tab(tabs, layers, filtered, view, origin)
    publish_view(view)


def _load(role: Role) -> tuple[Layers, data.StoredView, RenderPolicy] | None:
    """Return the layers, the stored incidents as `role` may see them and the role's map
    render policy (None: an error was shown instead)."""
    try:
        privacy = policy_from_env()
        render_policy = policy_for_role(role, privacy.cell_m)
        return data.bundled_layers(), data.current_incidents(role, privacy), render_policy
    except (LayerError, IngestError, StoreError, OSError, ValueError) as error:
        st.error("No se pudieron cargar los datos / Could not load the data:")
        st.code(str(error), language=None)  # plain text, never Markdown
        return None


def _render_privacy_note(role: Role, withheld: float, lang: str) -> None:
    """Tell the public what the privacy gate did (whole-data share only: never per filter)."""
    if role != "public":
        return
    policy = policy_from_env()
    share = f"{withheld:.0%}".replace("%", " %") if lang == "es" else f"{withheld:.0%}"
    st.info(text("public_view_note", lang, cell=format_int(int(policy.cell_m), lang),
                 k=policy.k, share=share))  # fmt: skip


TAB_KEYS = ("tab_map", "tab_hexagons", "tab_timeline", "tab_table", "tab_export", "tab_upload")
MAP_TAB, HEXAGON_TAB, TIMELINE_TAB, TABLE_TAB, EXPORT_TAB, UPLOAD_TAB = range(len(TAB_KEYS))
TAB_STATE_KEY = "hito.tab"  # session_state: the open tab's label


def _tabs(lang: str) -> Sequence[TabContainer]:
    """Draw the tabs; only the open one's content is computed (each has `.open`)."""
    labels = [text(key, lang) for key in TAB_KEYS]
    _keep_open_tab_across_languages(labels)
    return st.tabs(labels, key=TAB_STATE_KEY, on_change="rerun")


def _keep_open_tab_across_languages(labels: list[str]) -> None:
    """A language switch renames the tabs: keep the same tab open under its new label."""
    opened = st.session_state.get(TAB_STATE_KEY)
    for other in LANGS:
        other_labels = [text(key, other) for key in TAB_KEYS]
        if opened in other_labels and opened not in labels:
            st.session_state[TAB_STATE_KEY] = labels[other_labels.index(opened)]
            return


def _render_open_tab(
    tabs: Sequence[TabContainer],
    layers: Layers,
    filtered: gpd.GeoDataFrame,
    view: View,
    origin: Origin,
) -> View:
    """Fill the open tab (map, hexagons, timeline or table); return the View the map moved to."""
    if tabs[MAP_TAB].open:
        with tabs[MAP_TAB]:
            view = _render_folium_tab(layers, filtered, view, origin)
    if tabs[HEXAGON_TAB].open:
        with tabs[HEXAGON_TAB]:
            _render_hexagon_tab(layers, filtered, view, origin)
    if tabs[TIMELINE_TAB].open:
        with tabs[TIMELINE_TAB]:
            _render_timeline_tab(filtered, view)
    if tabs[TABLE_TAB].open:
        with tabs[TABLE_TAB]:
            render_table(filtered, lang=view.lang, zone=view.filter.zone, role=origin.role)
    if tabs[EXPORT_TAB].open:
        with tabs[EXPORT_TAB]:
            render_export(_export_scene(layers, filtered, view, origin))
    return view


@dataclass(frozen=True)
class Origin:
    """Who is looking, and where the page's rows come from: the store and the uploads."""

    role: Role
    stored: data.StoredView
    uploaded: gpd.GeoDataFrame | None
    render_policy: RenderPolicy  # how its maps draw incidents (geo.map_policy)

    @property
    def store_is_demo(self) -> bool:
        """Whether every stored row the role sees is synthetic demo data."""
        flags = self.stored.incidents["synthetic"]
        return bool(len(flags)) and bool(flags.fillna(False).all())


def _export_scene(
    layers: Layers, filtered: gpd.GeoDataFrame, view: View, origin: Origin
) -> ExportScene:
    """What the Export tab exports: the filtered rows, in the map's current bounds if known."""
    digests = session_upload_digests()
    return ExportScene(
        filtered=filtered, layers=layers, countries=data.bundled_countries(),
        projected=data.bundled_projected_layers(), view=view,
        bounds=shown_bounds(view.center, view.zoom), source=_source(filtered, origin, view.lang),
        content_key=f"{origin.stored.store_key}|{','.join(digests)}", role=origin.role,
        render_policy=origin.render_policy,
    )  # fmt: skip


def _source(filtered: gpd.GeoDataFrame, origin: Origin, lang: str) -> str:
    """Name where the exported rows come from: the store (or the demo data) and the uploaded
    files, each only when some of the rows come from it."""
    from_uploads = pd.Series(False, index=filtered.index)
    if origin.uploaded is not None and not origin.uploaded.empty:
        from_uploads = filtered["incident_id"].isin(origin.uploaded["incident_id"])
    stored_part = DEMO_SOURCE if origin.store_is_demo else origin.stored.store_name
    if not from_uploads.any():
        return stored_part
    parts = [", ".join(session_upload_names())]
    if not from_uploads.all():
        stored_words = caption_text("demo_source", lang) if origin.store_is_demo else stored_part
        parts.insert(0, stored_words)
    return "; ".join(parts)


def _with_uploads(stored: data.StoredView, uploaded: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """Return the stored rows plus this session's uploaded rows."""
    if uploaded is None or uploaded.empty:
        return stored.incidents
    files = tuple(f"{name}:{digest}" for name, digest in
                  zip(session_upload_names(), session_upload_digests(), strict=True))  # fmt: skip
    return data.stored_with_uploads(stored.store_key, files, stored.incidents, uploaded)


def _rerun_if_the_span_moved(
    layers: Layers, incidents: gpd.GeoDataFrame, options: FilterOptions, view: View
) -> None:
    """Rerun once when this run's upload moved the data's date span, so the date widget and
    every view see the new rows: a filter over every date widens to the new span."""
    widened = FilterOptions.from_data(layers, incidents)
    if (widened.min_date, widened.max_date) == (options.min_date, options.max_date):
        return
    if (view.filter.start, view.filter.end) == (options.min_date, options.max_date):
        widened_filter = replace(view.filter, start=widened.min_date, end=widened.max_date)
        set_view(replace(view, filter=widened_filter))
    st.rerun()


def _render_uploads_outside_dates(
    uploaded: gpd.GeoDataFrame | None, options: FilterOptions, view: View
) -> None:
    """Say how many uploaded rows the date filter hides, with a button to show every date."""
    if uploaded is None or uploaded.empty:
        return
    first, after = view.filter.utc_window()
    times = uploaded["occurred_at"]
    earlier = int((times < first).sum()) if first is not None else 0
    later = int((times >= after).sum()) if after is not None else 0
    hidden = earlier + later
    if hidden == 0:
        return
    zone = view.filter.zone
    st.info(text("upload_outside_dates", view.lang, count=format_int(hidden, view.lang), zone=zone))
    every_date = replace(view.filter, start=options.min_date, end=options.max_date)
    st.button(
        text("show_every_date", view.lang), key="hito.upload.every_date",
        on_click=set_view, args=(replace(view, filter=every_date),),
    )  # fmt: skip


def _render_banner(incidents: gpd.GeoDataFrame, lang: str) -> None:
    if bool(incidents["synthetic"].fillna(False).any()):
        st.warning(text("synthetic_banner", lang))


def _render_folium_tab(
    layers: Layers, filtered: gpd.GeoDataFrame, view: View, origin: Origin
) -> View:
    policy = origin.render_policy
    shown, plan = map_incidents(
        filtered, zone=view.filter.zone, center=view.center, zoom=view.zoom, policy=policy,
        day_only=origin.role == "public",
    )  # fmt: skip
    figure = folium_map(
        layers,
        data.bundled_countries(),
        shown,
        lang=view.lang,
        center=view.center,
        zoom=view.zoom,
        heat=view.heat,
        tiles=tiles_from_env(),
    )
    moved = render_folium_map(figure, key="folium-map", height=MAP_HEIGHT)
    st.caption(describe_plan(plan, policy, view.lang))
    return with_map(view, *moved) if moved else view


def _render_hexagon_tab(
    layers: Layers, filtered: gpd.GeoDataFrame, view: View, origin: Origin
) -> None:
    policy = origin.render_policy
    deck, plan = pydeck_hexagons(
        layers, data.bundled_countries(), filtered, view.lang, zone=view.filter.zone,
        policy=policy, day_only=origin.role == "public",
    )  # fmt: skip
    st.pydeck_chart(deck, height=MAP_HEIGHT)
    st.caption(describe_plan(plan, policy, view.lang, follows_zoom=False))


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
        events = data.bundled_events()
        chart = timeline_chart(
            counts, events, by=by, measure=measure, freq=freq, lang=lang, zone=zone
        )
    except (EventsError, ValueError) as error:
        st.error(text("timeline_error", lang))
        st.code(str(error), language=None)
        return
    # A new key per date window: a chart redrawn for new dates starts without the old brush.
    window = f"{view.filter.start}.{view.filter.end}.{zone}"
    render_timeline(chart, key=f"timeline.{window}", on_span=_apply_span)
    render_event_key(chart_events(counts, events, freq=freq, lang=lang), lang)


def _apply_span(span: tuple[date, date]) -> None:
    """Set the View's dates from a span brushed on the timeline (runs before the rerun)."""
    view: View = st.session_state[VIEW_KEY]
    set_view(replace(view, filter=replace(view.filter, start=span[0], end=span[1])))


main()
