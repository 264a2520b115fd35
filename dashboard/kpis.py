"""Show the headline figures (incidents, people, between complexes) with their change."""

from __future__ import annotations

from datetime import date

import streamlit as st

from geo.aggregate import Kpis
from geo.i18n import format_date, format_delta, format_int, text


def render_kpis(kpi: Kpis, lang: str, zone: str | None = None) -> None:
    """Draw one st.metric per figure, formatted for `lang`, with the change against the
    previous period of equal length: none when the filter has no start or end, "no earlier
    data" when the data begins on or after the filter's start.

    `zone`, when given, is named in the help text beside the previous period's dates.
    """
    figures = (
        ("kpi_incidents", kpi["incidents"], kpi["delta_incidents"]),
        ("kpi_people", kpi["people"], kpi["delta_people"]),
        ("kpi_between", kpi["between_complexes"], kpi["delta_between_complexes"]),
    )
    help_text = _previous_help(kpi, lang, zone)
    no_earlier = kpi["previous_coverage"] == "none"
    for column, (label_key, value, delta) in zip(st.columns(3), figures, strict=True):
        shown = text("no_earlier_data", lang) if no_earlier else _delta_text(delta, lang)
        column.metric(
            text(label_key, lang),
            format_int(value, lang),
            delta=shown,
            delta_color="off",  # more reports is neither good nor bad in itself
            delta_arrow="off" if no_earlier or not delta else "auto",
            delta_description=None if shown is None or no_earlier else text("vs_previous", lang),
            help=help_text,
        )


def _delta_text(delta: int | None, lang: str) -> str | None:
    return None if delta is None else format_delta(delta, lang)


def _previous_help(kpi: Kpis, lang: str, zone: str | None) -> str:
    """Name the previous period's days (and zone), or say why there is none."""
    start, end = kpi["previous_start"], kpi["previous_end"]
    if start is None or end is None:
        return text("no_previous", lang)
    first = kpi["first_day"]
    if kpi["previous_coverage"] == "none":
        return text("no_earlier_help", lang, first=_day(first, lang))
    shown = text(
        "previous_period", lang, start=format_date(start, lang), end=format_date(end, lang)
    )
    if zone is not None:
        shown = f"{shown} ({zone})"
    if kpi["previous_coverage"] == "partial":
        shown = f"{shown}. {text('partial_previous', lang, first=_day(first, lang))}"
    return shown


def _day(day: date | None, lang: str) -> str:
    return "—" if day is None else format_date(day, lang)
