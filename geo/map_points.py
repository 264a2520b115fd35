"""Draw incidents one by one on the folium map: clustered CircleMarkers with escaped popups."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.plugins import MarkerCluster
from folium.template import Template

from geo.map_legend import POPUP_LINE_JS, category_label, map_text

# Popup and tooltip words: name used by the browser code -> geo.i18n label key.
POPUP_FIELDS: Final = {
    "category": "field_category", "local_time": "field_time", "crossing": "field_crossing",
    "people": "field_people", "unknown": "unknown",
}  # fmt: skip


class IncidentClusters(JSCSSMixin, Layer):
    """Incidents as CircleMarkers in a Leaflet.markercluster group, built in the browser.

    The rows travel as one inert JSON object (see safe_json); tooltips and popups are built
    with textContent, so no incident text is ever parsed as HTML or JavaScript.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.markerClusterGroup({
            chunkedLoading: false, showCoverageOnHover: false, maxClusterRadius: 45
        });
        (function (cluster, data) {
            var text = data.text;
        """
        + POPUP_LINE_JS
        + """
            function localTime(i) {
                var zone = data.zones[data.zone[i]];
                return data.local_time[i] + (zone ? " (" + zone + ")" : "");
            }
            function details(i) {
                var box = document.createElement("div");
                line(box, text.category, data.categories[data.category[i]].label);
                line(box, text.local_time, localTime(i));
                line(box, text.crossing, data.crossings[data.crossing[i]]);
                line(box, text.people, data.people[i] === "?" ? text.unknown : data.people[i]);
                return box;
            }
            function summary(i) {
                var box = document.createElement("div");
                box.textContent = data.categories[data.category[i]].label + " · " + localTime(i);
                return box;
            }
            var markers = new Array(data.lat.length);
            for (var i = 0; i < data.lat.length; i++) {
                var marker = L.circleMarker([data.lat[i], data.lon[i]], {
                    radius: 6, weight: 1, color: "#222222", fillOpacity: 0.85,
                    fillColor: data.categories[data.category[i]].colour, incident: i
                });
                marker.bindTooltip(summary.bind(null, i)).bindPopup(details.bind(null, i));
                markers[i] = marker;
            }
            cluster.addLayers(markers);
        })({{ this.get_name() }}, {{ this.payload_json }});
        {% endmacro %}
        """
    )
    # folium's CDN URLs for Leaflet.markercluster, swapped for the vendored files by folium_map.
    default_js: list[tuple[str, str]] = list(MarkerCluster.default_js)  # noqa: RUF012
    default_css: list[tuple[str, str]] = list(MarkerCluster.default_css)  # noqa: RUF012

    def __init__(self, payload_json: str, *, name: str, show: bool) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "IncidentClusters"
        self.payload_json = payload_json


def incident_payload(
    points: pd.DataFrame, crossing_names: dict[str, str], lang: str
) -> dict[str, Any]:
    """Return the columnar data the incident layer ships: categories and crossings as codes."""
    category_codes, categories = pd.factorize(points["category"].astype("string").fillna(""))
    crossing_codes, crossings = pd.factorize(points["crossing"].astype("string").fillna("—"))
    local_time, zone = _split_zone(points["local_time"])
    zone_codes, zones = pd.factorize(zone)
    _, first_rows = np.unique(category_codes, return_index=True)
    rgb = points[["red", "green", "blue"]].to_numpy(dtype=int)[first_rows]
    return {
        "text": {name: map_text(key, lang) for name, key in POPUP_FIELDS.items()},
        "categories": [
            {"label": category_label(str(name), lang), "colour": _hex(tuple(colour))}
            for name, colour in zip(categories, rgb, strict=True)
        ],
        "crossings": [crossing_names.get(str(code), str(code)) for code in crossings],
        "lat": points["lat"].astype(float).round(5).tolist(),
        "lon": points["lon"].astype(float).round(5).tolist(),
        "category": category_codes.tolist(),
        "crossing": crossing_codes.tolist(),
        "people": points["people"].astype("string").fillna("?").tolist(),
        "local_time": local_time.tolist(),
        "zone": zone_codes.tolist(),
        "zones": [str(name) for name in zones],
    }  # fmt: skip


def _split_zone(local_time: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split "2026-03-05 14:20 (America/Lima)" into time and zone, so each zone ships once."""
    text = local_time.astype("string").fillna("")
    parts = text.str.extract(r"^(?P<time>.*) \((?P<zone>[^()]*)\)$")
    return parts["time"].fillna(text), parts["zone"].fillna("")


def _hex(rgb: tuple[int, ...]) -> str:
    red, green, blue = (int(value) for value in rgb[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"
