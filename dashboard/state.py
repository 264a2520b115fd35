"""Hold the dashboard's View and round-trip it through the URL query string and session state.

The pure half (View, view_from_params, view_to_params, with_map) knows nothing of Streamlit.
The glue half keeps the View in st.session_state: the first run (or a URL changed from
outside, e.g. the browser's Back button) reads it from st.query_params; publish_view writes
the query string back only when it changed. Writing st.query_params sends the browser a
page-info message (history.pushState / replaceState) and never starts another script run,
so one widget change costs one run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Final

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from geo.i18n import DEFAULT_LANG, LANGS
from geo.maps_folium import MAX_ZOOM, MIN_ZOOM
from geo.query import SIDES, Filter
from geo.schema import CATEGORIES, DISPLAY_ZONES

VIEW_KEY: Final = "hito.view"  # session_state: the current View
URL_KEY: Final = "hito.url"  # session_state: the query params last read or written
URL_KEYS: Final[tuple[str, ...]] = (
    "from", "to", "tz", "crossing", "category", "region", "side", "lat", "lon", "zoom", "lang",
    "heat",
)  # fmt: skip
CENTER_DECIMALS: Final = 5  # ~1 m: map centres are rounded to this many decimals
DEFAULT_CENTER: Final = (-18.25, -70.1)  # lat, lon: between Arica and Tacna
DEFAULT_ZOOM: Final = 10
ID_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]+")  # crossing / region ids travel unescaped
DATE_PATTERN: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
NUMBER_PATTERN: Final = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
TRUE_WORDS: Final = frozenset({"1", "true"})
FALSE_WORDS: Final = frozenset({"0", "false"})

Params = Mapping[str, str | list[str]]


@dataclass(frozen=True)
class View:
    """Everything a shared URL restores: the filter, the language and the map's position."""

    filter: Filter = field(default_factory=Filter)
    lang: str = DEFAULT_LANG  # one of geo.i18n.LANGS
    center: tuple[float, float] = DEFAULT_CENTER  # (lat, lon) of the map centre
    zoom: int = DEFAULT_ZOOM
    heat: bool = False  # heat map instead of clustered points

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"View.lang: {self.lang!r} is not one of {list(LANGS)}")
        if not _is_center(self.center):
            raise ValueError(f"View.center: {self.center!r} is not a finite (lat, lon)")
        if isinstance(self.zoom, bool) or not isinstance(self.zoom, int):
            raise TypeError(f"View.zoom: expected an int, got {self.zoom!r}")
        if not MIN_ZOOM <= self.zoom <= MAX_ZOOM:
            raise ValueError(f"View.zoom: {self.zoom} is outside {MIN_ZOOM}..{MAX_ZOOM}")
        for name, ids in (("crossings", self.filter.crossings), ("regions", self.filter.regions)):
            bad = [value for value in ids if not ID_PATTERN.fullmatch(value)]
            if bad:
                raise ValueError(f"View.filter.{name}: {bad} are not ids (letters, digits, _ -)")


# --- pure: URL <-> View ---------------------------------------------------------------------


def view_from_params(
    params: Params,
    defaults: View,
    *,
    known_crossings: Collection[str] | None = None,
    known_regions: Collection[str] | None = None,
) -> View:
    """Return the View a URL's query params describe; never raises.

    A key that is absent, or whose value is invalid, takes its value from `defaults` (that
    field only). Present but empty means "none / all": `from=` is an open start,
    `crossing=` is every crossing. `known_crossings` / `known_regions`, when given, are the
    ids accepted (others fall back); otherwise any id-shaped value is accepted.
    """
    flt = defaults.filter
    start, end = _dates(params, flt.start, flt.end)
    chosen = Filter(
        start=start,
        end=end,
        zone=_choice(_last(params, "tz"), DISPLAY_ZONES, flt.zone),
        crossings=_ids(_all(params, "crossing"), known_crossings, flt.crossings),
        categories=_ids(_all(params, "category"), CATEGORIES, flt.categories),
        regions=_ids(_all(params, "region"), known_regions, flt.regions),
        sides=_ids(_all(params, "side"), SIDES, flt.sides),
        bbox=flt.bbox,
    )
    return View(
        filter=chosen,
        lang=_choice(_last(params, "lang"), LANGS, defaults.lang),
        center=(
            _coordinate(_last(params, "lat"), 90.0, defaults.center[0]),
            _coordinate(_last(params, "lon"), 180.0, defaults.center[1]),
        ),
        zoom=_zoom(_last(params, "zoom"), defaults.zoom),
        heat=_flag(_last(params, "heat"), defaults.heat),
    )


def view_to_params(view: View) -> dict[str, str]:
    """Return the query params of a View, every key of URL_KEYS ("" = none / all)."""
    flt = view.filter
    return {
        "from": "" if flt.start is None else flt.start.isoformat(),
        "to": "" if flt.end is None else flt.end.isoformat(),
        "tz": flt.zone,
        "crossing": ",".join(flt.crossings),
        "category": ",".join(flt.categories),
        "region": ",".join(flt.regions),
        "side": ",".join(flt.sides),
        "lat": repr(float(view.center[0])),
        "lon": repr(float(view.center[1])),
        "zoom": str(view.zoom),
        "lang": view.lang,
        "heat": "1" if view.heat else "0",
    }


def with_map(view: View, center: tuple[float, float], zoom: float) -> View:
    """Return `view` moved to a map position (centre rounded to ~1 m, zoom to an int in range)."""
    lat, lon = (round(float(value), CENTER_DECIMALS) for value in center)
    if not _is_center((lat, lon)) or not math.isfinite(zoom):
        raise ValueError(f"with_map: ({center!r}, {zoom!r}) is not a map position")
    level = min(MAX_ZOOM, max(MIN_ZOOM, round(zoom)))
    return replace(view, center=(lat, lon), zoom=level)


# --- Streamlit glue -------------------------------------------------------------------------


def current_view(
    defaults: View,
    *,
    known_crossings: Collection[str] | None = None,
    known_regions: Collection[str] | None = None,
) -> View:
    """Return this session's View: from the URL on the first run and after the browser's
    Back / Forward moved to another URL; otherwise from session state.

    Only those runs read the URL: a widget rerun can carry the address from before the last
    publish_view reached the browser, and must not undo the newer View.
    """
    state = st.session_state
    url = url_params()
    if VIEW_KEY not in state or (_is_history_navigation() and url != state.get(URL_KEY)):
        state[VIEW_KEY] = view_from_params(
            url, defaults, known_crossings=known_crossings, known_regions=known_regions
        )
        state[URL_KEY] = url
    view: View = state[VIEW_KEY]
    return view


def publish_view(view: View) -> None:
    """Keep `view` as this session's View and write the URL query string if it changed.

    Never calls st.rerun(): assigning st.query_params only updates the browser's address.
    """
    state = st.session_state
    state[VIEW_KEY] = view
    params = view_to_params(view)
    if params != url_params():
        st.query_params.from_dict(params)  # one page-info message, no rerun
    state[URL_KEY] = params


def set_view(view: View) -> None:
    """Replace this session's View (e.g. from a chart selection callback); the sidebar's
    widgets follow it on their next render."""
    st.session_state[VIEW_KEY] = view


def url_params() -> dict[str, str | list[str]]:
    """Return the current query params: one value as str, a repeated key as a list."""
    params: dict[str, str | list[str]] = {}
    for key in st.query_params:
        values = st.query_params.get_all(key)
        params[key] = values[0] if len(values) == 1 else values
    return params


def _is_history_navigation() -> bool:
    """Whether this run was started by the browser's Back / Forward (False if unknown)."""
    ctx = get_script_run_ctx()
    return bool(getattr(ctx, "is_history_navigation", False))


# --- parsing helpers: each returns the fallback on anything invalid ---------------------------


def _all(params: Params, key: str) -> list[str] | None:
    """Every value of `key` (a repeated key or a comma list), None when the key is absent."""
    if key not in params:
        return None
    raw = params[key]
    values = [raw] if isinstance(raw, str) else list(raw)
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _last(params: Params, key: str) -> str | None:
    if key not in params:
        return None
    raw = params[key]
    if isinstance(raw, str):
        return raw.strip()
    return raw[-1].strip() if raw else ""


def _dates(params: Params, start: date | None, end: date | None) -> tuple[date | None, date | None]:
    """The from / to days; the default pair when they are out of order."""
    first = _day(_last(params, "from"), start)
    last = _day(_last(params, "to"), end)
    if first is not None and last is not None and first > last:
        return start, end
    return first, last


def _day(value: str | None, fallback: date | None) -> date | None:
    if value is None:
        return fallback
    if value == "":
        return None
    if not DATE_PATTERN.fullmatch(value):
        return fallback
    try:
        return date.fromisoformat(value)
    except ValueError:
        return fallback


def _choice(value: str | None, allowed: Collection[str], fallback: str) -> str:
    return value if value is not None and value in allowed else fallback


def _ids(
    values: list[str] | None, known: Collection[str] | None, fallback: tuple[str, ...]
) -> tuple[str, ...]:
    if values is None:
        return fallback
    unique = tuple(dict.fromkeys(values))
    if not all(ID_PATTERN.fullmatch(value) for value in unique):
        return fallback
    if known is not None and not set(unique) <= set(known):
        return fallback
    return unique


def _coordinate(value: str | None, limit: float, fallback: float) -> float:
    if not value or not NUMBER_PATTERN.fullmatch(value):
        return fallback
    try:
        number = float(value)
    except ValueError:
        return fallback
    return number if math.isfinite(number) and -limit <= number <= limit else fallback


def _zoom(value: str | None, fallback: int) -> int:
    if not value or not value.isascii() or not value.isdigit():
        return fallback
    level = int(value)
    return level if MIN_ZOOM <= level <= MAX_ZOOM else fallback


def _flag(value: str | None, fallback: bool) -> bool:
    if value is None:
        return fallback
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return fallback


def _is_center(center: object) -> bool:
    if not isinstance(center, tuple) or len(center) != 2:
        return False
    lat, lon = center
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
        return False
    return math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90 and abs(lon) <= 180
