"""Show a folium map through streamlit-folium and report where the user moved it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final, TypeGuard

import folium
import streamlit as st
from streamlit_folium import st_folium

# The view written into the map's script. The real view goes in st_folium's center/zoom
# arguments, which move the live map without re-mounting it: the script (and so the
# component's identity) stays the same when only the view changes, so a pan that reruns
# the app does not reload Leaflet and redraw every marker.
SCRIPT_CENTER: Final = (-18.3, -70.3)
SCRIPT_ZOOM: Final = 10
RETURNED_OBJECTS: Final = ["center", "zoom", "bounds"]  # bounds: the snapshot's extent
BOUNDS_KEY: Final = "hito.map.bounds"  # session_state: (bbox, center, zoom) last reported
Bbox = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat
COORDINATE_DECIMALS: Final = 5  # ~1 m: enough for a shareable URL
# Leaflet snaps the centre to whole pixels, so a map that did not move reports its centre
# up to a pixel off; a shift under this many pixels is not a move.
STILL_PIXELS: Final = 2.0


def render_folium_map(
    m: folium.Map, *, key: str, height: int
) -> tuple[tuple[float, float], int] | None:
    """Draw `m` full width; return ((lat, lon), zoom) when the user moved it, else None.

    `m` is consumed: streamlit-folium renames its elements while rendering it.
    """
    center = (float(m.location[0]), float(m.location[1]))
    zoom = int(str(m.options["zoom"]))
    m.location = list(SCRIPT_CENTER)
    m.options["zoom"] = SCRIPT_ZOOM
    returned = st_folium(
        m,
        key=key,
        height=height,
        use_container_width=True,
        returned_objects=RETURNED_OBJECTS,
        center=center,
        zoom=zoom,
    )
    fresh = _is_new_report(returned, key)
    moved = moved_view(returned, center, zoom) if fresh else None
    _remember_bounds(returned, center, zoom, moved)
    return moved


def shown_bounds(center: tuple[float, float], zoom: int) -> Bbox | None:
    """Return the map's last reported bounds if they belong to the view (center, zoom)."""
    remembered = st.session_state.get(BOUNDS_KEY)
    if remembered is None:
        return None
    bbox: Bbox = remembered[0]
    at_center: tuple[float, float] = remembered[1]
    if remembered[2] != zoom or not _within_pixels(at_center, center, zoom, STILL_PIXELS):
        return None
    return bbox


def _remember_bounds(
    returned: Mapping[str, Any] | None,
    center: tuple[float, float],
    zoom: int,
    moved: tuple[tuple[float, float], int] | None,
) -> None:
    """Keep the reported bounds with the view they show: a move's, or the view asked for
    when the report is of it (not the freshly mounted map's fixed script view)."""
    report = _report_key(returned)
    bbox = bounds_of(returned)
    if report is None or bbox is None:
        return
    if moved is not None:
        st.session_state[BOUNDS_KEY] = (bbox, *moved)
    elif report[1] == zoom and _within_pixels(report[0], center, zoom, STILL_PIXELS):
        st.session_state[BOUNDS_KEY] = (bbox, center, zoom)


def bounds_of(returned: Mapping[str, Any] | None) -> Bbox | None:
    """Read st_folium's {"_southWest": {lat, lng}, "_northEast": {…}} as a lon/lat bbox."""
    bounds = returned.get("bounds") if returned else None
    if not isinstance(bounds, Mapping):
        return None
    south_west, north_east = bounds.get("_southWest"), bounds.get("_northEast")
    if not isinstance(south_west, Mapping) or not isinstance(north_east, Mapping):
        return None
    values = (south_west.get("lng"), south_west.get("lat"), north_east.get("lng"),
              north_east.get("lat"))  # fmt: skip
    if not all(_is_number(value) for value in values):
        return None
    west, south, east, north = (float(value) for value in values)  # type: ignore[arg-type]
    if not (west < east and south < north):
        return None
    return west, south, east, north


def _is_new_report(returned: Mapping[str, Any] | None, key: str) -> bool:
    """Tell whether st_folium's report is news: a user's move, not an echo.

    st_folium hands back its last report on every rerun, so a report already acted on is
    stale; and the report of the freshly mounted map is the script's fixed view, not a move.
    Acting on either would send the map back and forth between two views for ever.
    """
    report = _report_key(returned)
    memory = f"_{key}_last_report"
    previous = st.session_state.get(memory)
    st.session_state[memory] = report
    if report is None or report == previous:
        return False
    (lat, lng), reported_zoom = report
    return not (
        reported_zoom == SCRIPT_ZOOM
        and _within_pixels((lat, lng), SCRIPT_CENTER, SCRIPT_ZOOM, STILL_PIXELS)
    )


def _report_key(returned: Mapping[str, Any] | None) -> tuple[tuple[float, float], int] | None:
    if not returned or not isinstance(returned.get("center"), Mapping):
        return None
    lat, lng = returned["center"].get("lat"), returned["center"].get("lng")
    zoom = returned.get("zoom")
    if not (_is_number(lat) and _is_number(lng) and _is_number(zoom)):
        return None
    return (round(float(lat), COORDINATE_DECIMALS), round(float(lng), COORDINATE_DECIMALS)), round(
        float(zoom)
    )


def moved_view(
    returned: Mapping[str, Any] | None, center: tuple[float, float], zoom: int
) -> tuple[tuple[float, float], int] | None:
    """Return the map's reported view when it differs from (center, zoom), else None.

    st_folium reports {"center": {"lat": …, "lng": …}, "zoom": …} once the map has moved;
    before that it reports only the script's zoom, which says nothing about the view.
    """
    if not returned or not isinstance(returned.get("center"), Mapping):
        return None
    reported = returned["center"]
    lat, lng, reported_zoom = reported.get("lat"), reported.get("lng"), returned.get("zoom")
    if not (_is_number(lat) and _is_number(lng) and _is_number(reported_zoom)):
        return None
    new_center = (round(float(lat), COORDINATE_DECIMALS), round(float(lng), COORDINATE_DECIMALS))
    new_zoom = round(float(reported_zoom))
    if new_zoom == zoom and _within_pixels(new_center, center, zoom, STILL_PIXELS):
        return None
    return new_center, new_zoom


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _within_pixels(
    a: tuple[float, float], b: tuple[float, float], zoom: int, pixels: float
) -> bool:
    """Return True when (lat, lon) points a and b are less than `pixels` apart on screen."""
    lon_per_pixel = 360.0 / (256 * 2**zoom)
    lat_per_pixel = lon_per_pixel * math.cos(math.radians(b[0]))
    return abs(a[0] - b[0]) < pixels * lat_per_pixel and abs(a[1] - b[1]) < pixels * lon_per_pixel
