"""Render the filter sidebar (dates in a named zone, zone, crossings, categories, regions,
sides, language, heat map) and return the View its widgets describe.

Each widget has a key; its value is seeded from the View through st.session_state (never
also through a default argument) when the widget first appears, or when the View was
changed by something other than the sidebar (a URL from Back / Forward, a span picked on
the timeline through dashboard.state.set_view). One widget change is one script run: there
is no st.rerun() and no callback that writes the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Final

import pandas as pd
import streamlit as st

from dashboard.state import VIEW_KEY, View
from geo.i18n import (
    LANGS,
    LANGUAGE_NAMES,
    category_label,
    crossing_label,
    region_label,
    side_label,
    text,
    zone_label,
)
from geo.layers import Layers
from geo.query import SIDES, Filter
from geo.schema import CATEGORIES, DISPLAY_ZONES

SYNC_KEY: Final = "hito.sidebar.synced"  # session_state: (filter, lang, heat) the widgets show
LANG_KEY: Final = "hito.w.lang"
DATES_KEY: Final = "hito.w.dates"
HEAT_KEY: Final = "hito.w.heat"
# Widgets whose option labels depend on the language get one key per language
# ("hito.w.zone.es"), so a language switch never maps stale labels back to values.
ZONE_KEY: Final = "hito.w.zone"
CROSSINGS_KEY: Final = "hito.w.crossing"
CATEGORIES_KEY: Final = "hito.w.category"
REGIONS_KEY: Final = "hito.w.region"
SIDES_KEY: Final = "hito.w.side"
PER_LANGUAGE_KEYS: Final = (ZONE_KEY, CROSSINGS_KEY, CATEGORIES_KEY, REGIONS_KEY, SIDES_KEY)
DATE_FORMAT: Final = "YYYY-MM-DD"  # one format for both languages: a format change resets it


@dataclass(frozen=True)
class FilterOptions:
    """What the sidebar offers: the values present in the layers and the data's date span."""

    crossings: tuple[tuple[str, str], ...]  # (id, name from the layer), in layer order
    categories: tuple[str, ...] = CATEGORIES
    regions: tuple[str, ...] = ("CL-AP", "PE-TAC")
    sides: tuple[str, ...] = SIDES
    min_date: date = date(2025, 1, 1)  # earliest local day of any incident in any zone
    max_date: date = date(2025, 12, 31)  # latest local day of any incident in any zone

    def __post_init__(self) -> None:
        if self.min_date > self.max_date:
            raise ValueError(f"FilterOptions: min_date {self.min_date} > max_date {self.max_date}")

    @property
    def crossing_ids(self) -> tuple[str, ...]:
        """Return the crossing ids, in order."""
        return tuple(crossing_id for crossing_id, _ in self.crossings)

    @classmethod
    def from_data(cls, layers: Layers, incidents: pd.DataFrame) -> FilterOptions:
        """Return the options of the layers' crossings and regions and the incidents' span."""
        table = layers.crossings
        crossings = tuple(zip(table["id"].astype(str), table["name"].astype(str), strict=True))
        regions = tuple(str(region) for region in layers.regions["id"])
        first, last = local_date_span(incidents["occurred_at"])
        return cls(crossings=crossings, regions=regions, min_date=first, max_date=last)


def local_date_span(times_utc: pd.Series) -> tuple[date, date]:
    """Return the earliest and latest local day of tz-aware times across DISPLAY_ZONES.

    With no times, both are today's UTC day.
    """
    valid = times_utc.dropna()
    if valid.empty:
        today = pd.Timestamp.now(tz="UTC").date()
        return today, today
    lo, hi = valid.min(), valid.max()
    firsts = [lo.tz_convert(zone).date() for zone in DISPLAY_ZONES]
    lasts = [hi.tz_convert(zone).date() for zone in DISPLAY_ZONES]
    return min(firsts), max(lasts)


def default_view(options: FilterOptions, **changes: Any) -> View:
    """Return the View of a URL without parameters: every date of the data, all values."""
    view = View(filter=Filter(start=options.min_date, end=options.max_date))
    return replace(view, **changes)


def render_sidebar(view: View, options: FilterOptions) -> View:
    """Draw the filter widgets in st.sidebar and return `view` with their values.

    Call it before anything that reads the language or the filter: a widget changed in this
    run is only known once this returns. The View returned is also kept as this session's
    View (dashboard.state), so a run stopped early keeps it.
    """
    state = st.session_state
    resync = _synced_part(view) != state.get(SYNC_KEY)
    with st.sidebar:
        lang = _language(view, resync)
        st.header(text("filters", lang))
        zone = _zone(view, lang, resync)
        start, end = _dates(view, options, zone, lang, resync)
        chosen = Filter(
            start=start,
            end=end,
            zone=zone,
            crossings=_crossings(view, options, lang, resync),
            categories=_pick(
                CATEGORIES_KEY, "categories", view.filter.categories, options.categories,
                lambda value: category_label(value, lang), lang, resync,
            ),
            regions=_pick(
                REGIONS_KEY, "regions", view.filter.regions, options.regions,
                lambda value: region_label(value, lang), lang, resync,
            ),
            sides=_pick(
                SIDES_KEY, "sides", view.filter.sides, options.sides,
                lambda value: side_label(value, lang), lang, resync,
            ),
            bbox=view.filter.bbox,
        )  # fmt: skip
        heat = _heat(view, lang, resync)
    result = replace(view, filter=chosen, lang=lang, heat=heat)
    state[SYNC_KEY] = _synced_part(result)
    state[VIEW_KEY] = result
    return result


# --- one widget each ------------------------------------------------------------------------


def _language(view: View, resync: bool) -> str:
    _seed(LANG_KEY, view.lang, resync)
    lang = st.radio(
        f"{text('language', 'es')} / {text('language', 'en')}",
        LANGS,
        format_func=LANGUAGE_NAMES.__getitem__,
        key=LANG_KEY,
        horizontal=True,
    )
    return str(lang)


def _zone(view: View, lang: str, resync: bool) -> str:
    key = _language_key(ZONE_KEY, lang)
    _seed(key, view.filter.zone, resync)
    zone = st.selectbox(
        text("zone", lang),
        DISPLAY_ZONES,
        format_func=lambda value: zone_label(value, lang),
        key=key,
    )
    return str(zone)


def _dates(
    view: View, options: FilterOptions, zone: str, lang: str, resync: bool
) -> tuple[date | None, date | None]:
    start, end = view.filter.start, view.filter.end
    _seed(DATES_KEY, _date_widget_value(start, end, options.min_date), resync)
    picked = st.date_input(
        text("dates_in_zone", lang, zone=zone),
        min_value=min(day for day in (options.min_date, start, end) if day is not None),
        max_value=max(day for day in (options.max_date, start, end) if day is not None),
        key=DATES_KEY,
        format=DATE_FORMAT,
        help=text("dates_help", lang),
    )
    return _date_range(picked)


def _date_widget_value(start: date | None, end: date | None, first: date) -> tuple[date, ...]:
    """The range widget's value; it cannot leave the start open, so an open start with an
    end shows (and becomes) the data's first day, which selects the same incidents."""
    if end is None:
        return () if start is None else (start,)
    return (start if start is not None else min(first, end), end)


def _date_range(picked: object) -> tuple[date | None, date | None]:
    """A full range as is; a half-picked range (start only) runs from that day on."""
    if isinstance(picked, date):
        return picked, picked
    days = [day for day in picked if day is not None] if isinstance(picked, Sequence) else []
    if len(days) >= 2:
        return days[0], days[1]
    if len(days) == 1:
        return days[0], None
    return None, None


def _crossings(view: View, options: FilterOptions, lang: str, resync: bool) -> tuple[str, ...]:
    names = dict(options.crossings)
    return _pick(
        CROSSINGS_KEY,
        "crossings",
        view.filter.crossings,
        options.crossing_ids,
        lambda value: crossing_label(value, lang, fallback=names.get(value)),
        lang,
        resync,
    )


def _pick(
    base_key: str,
    label_key: str,
    chosen: tuple[str, ...],
    offered: Sequence[str],
    label: Callable[[str], str],
    lang: str,
    resync: bool,
) -> tuple[str, ...]:
    key = _language_key(base_key, lang)
    _seed(key, [value for value in chosen if value in offered], resync)
    picked = st.multiselect(
        text(label_key, lang),
        list(offered),
        format_func=label,
        key=key,
        placeholder=text("all_placeholder", lang),
    )
    return tuple(str(value) for value in picked)


def _heat(view: View, lang: str, resync: bool) -> bool:
    _seed(HEAT_KEY, view.heat, resync)
    return bool(st.toggle(text("heat_map", lang), key=HEAT_KEY))


# --- helpers --------------------------------------------------------------------------------


def _seed(key: str, value: object, resync: bool) -> None:
    """Give widget `key` the View's value when it first appears or the View moved on."""
    if resync or key not in st.session_state:
        st.session_state[key] = value


def _language_key(base_key: str, lang: str) -> str:
    """The key of a per-language widget; the other languages' keys are dropped."""
    for other in LANGS:
        if other != lang:
            st.session_state.pop(f"{base_key}.{other}", None)
    return f"{base_key}.{lang}"


def _synced_part(view: View) -> tuple[Filter, str, bool]:
    return view.filter, view.lang, view.heat
