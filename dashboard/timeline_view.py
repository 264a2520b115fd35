"""Show the timeline chart, return the date span newly brushed on it, and key its events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from geo.charts import SPAN_PARAM, span_to_dates
from geo.i18n import text

Span = tuple[date, date]


def render_timeline(
    chart: alt.LayerChart, *, key: str, on_span: Callable[[Span], None] | None = None
) -> Span | None:
    """Draw `chart` (geo.charts.timeline_chart) and return the span brushed since the last run.

    The span is (first, last) calendar day, both inclusive, in the zone the chart was built
    for. None when nothing is selected, and also when the selection is the one already
    returned on an earlier run: the chart keeps its brush across reruns, so returning it
    again would undo a later change of the date widget.

    With `on_span`, the span is handed to it from the selection callback instead (before the
    rerun, so the sidebar already shows the new dates: one brush, one rerun) and None is
    returned.
    """
    if on_span is not None:
        if _error_key(key) in st.session_state:
            st.code(st.session_state[_error_key(key)], language=None)  # plain text
        st.altair_chart(
            chart,
            on_select=lambda: _hand_over(key, on_span),
            selection_mode=SPAN_PARAM,
            key=key,
            width="stretch",
        )
        return None
    event = st.altair_chart(
        chart, on_select="rerun", selection_mode=SPAN_PARAM, key=key, width="stretch"
    )
    try:
        span = span_to_dates(event.selection.get(SPAN_PARAM))
    except ValueError as error:
        st.error(str(error))  # plain text: st.error does not run HTML
        return None
    memory = f"_{key}_last_span"
    fresh = newly_selected(span, st.session_state.get(memory))
    st.session_state[memory] = span
    return fresh


def render_event_key(marks: pd.DataFrame, lang: str) -> None:
    """List the numbered context events drawn on the chart (geo.charts.chart_events)."""
    if marks.empty:
        return
    key = pd.DataFrame(
        {
            "#": marks["number"].astype("int64"),
            text("freq_day", lang): marks["date"].astype("string"),
            text("timeline_events", lang): marks["title"].astype("string"),
        }
    )
    st.dataframe(key, hide_index=True, width="stretch")


def newly_selected(span: Span | None, previous: Span | None) -> Span | None:
    """Return `span` when it differs from the one seen on the previous run, else None."""
    return span if span is not None and span != previous else None


def _hand_over(key: str, on_span: Callable[[Span], None]) -> None:
    """Selection callback: convert the brushed interval to days and pass them on."""
    selection = st.session_state[key]["selection"]
    try:
        span = span_to_dates(selection.get(SPAN_PARAM))
    except ValueError as error:  # shown as plain text by render_timeline on this rerun
        st.session_state[_error_key(key)] = str(error)
        return
    st.session_state.pop(_error_key(key), None)
    if span is not None:
        on_span(span)


def _error_key(key: str) -> str:
    return f"_{key}_span_error"
