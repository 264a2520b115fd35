"""Draw H3 cell counts on the folium map: hexagons coloured by incidents, counts in popups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np
from folium.map import Layer
from folium.plugins import HeatMap
from folium.template import Template

from geo.cell_classes import class_colours, class_labels, class_of, class_starts
from geo.cells import cell_outline, edge_length_m
from geo.map_legend import POPUP_LINE_JS, map_text, safe_json
from geo.map_policy import CellView

OUTLINE_DECIMALS: Final = 5  # ~1 m
# Popup and tooltip words: name used by the browser code -> label key (geo.map_legend).
CELL_FIELDS: Final = {
    "incidents": "cell_incidents", "people": "cell_people", "unknown": "cell_people_unknown",
    "size": "cell_size", "summary": "cell_summary",
}  # fmt: skip


class IncidentCells(Layer):
    """Incident counts per H3 cell as Leaflet polygons, built in the browser from one inert
    JSON object; tooltips and popups are built with textContent (no HTML from data)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup();
        (function (group, data) {
            var text = data.text;
        """
        + POPUP_LINE_JS
        + """
            function details(i) {
                var box = document.createElement("div");
                line(box, text.incidents, data.incidents_text[i]);
                line(box, text.people, data.people_text[i]);
                if (data.unknown[i] > 0) { line(box, text.unknown, data.unknown_text[i]); }
                line(box, text.size, data.size);
                return box;
            }
            function summary(i) {
                var box = document.createElement("div");
                box.textContent = text.summary.replace("{count}", data.incidents_text[i]);
                return box;
            }
            var start = 0;
            for (var i = 0; i < data.corners.length; i++) {
                var ring = [];
                for (var c = 0; c < data.corners[i]; c++) {
                    ring.push([data.lat[start + c], data.lon[start + c]]);
                }
                start += data.corners[i];
                L.polygon(ring, {
                    weight: 0.6, color: "#5a3a1a", opacity: 0.7, fillOpacity: 0.72,
                    fillColor: data.colours[data.class[i]]
                }).bindTooltip(summary.bind(null, i)).bindPopup(details.bind(null, i))
                  .addTo(group);
            }
        })({{ this.get_name() }}, {{ this.payload_json }});
        {% endmacro %}
        """
    )

    def __init__(self, payload_json: str, *, name: str, show: bool) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "IncidentCells"
        self.payload_json = payload_json


def cells_payload(cells: CellView, lang: str, number: Callable[[int], str]) -> dict[str, Any]:
    """Return the columnar data the cell layer ships: outlines as flat corner lists, a class
    per cell, and the counts already worded (`number` formats a count for `lang`)."""
    counts = cells.counts
    incidents = counts["incidents"].to_numpy(dtype=int)
    starts = class_starts(int(incidents.max()) if len(incidents) else 0)
    outlines = [cell_outline(int(cell)) for cell in counts["cell"].to_numpy()]
    corners = np.round(np.concatenate(outlines) if outlines else np.empty((0, 2)), OUTLINE_DECIMALS)
    people = counts["people"].to_numpy(dtype=int)
    unknown = counts["people_unknown"].to_numpy(dtype=int)
    return {
        "text": {name: map_text(key, lang) for name, key in CELL_FIELDS.items()},
        "size": map_text("cell_size_value", lang).format(edge=number(round(cell_edge_m(cells)))),
        "colours": class_colours(starts),
        "corners": [len(outline) for outline in outlines],
        "lat": corners[:, 0].tolist(),
        "lon": corners[:, 1].tolist(),
        "class": class_of(incidents, starts).tolist(),
        "incidents_text": [number(int(value)) for value in incidents],
        "people_text": [number(int(value)) for value in people],
        "unknown": unknown.tolist(),
        "unknown_text": [number(int(value)) for value in unknown],
    }  # fmt: skip


def cell_legend_items(cells: CellView, number: Callable[[int], str]) -> list[tuple[str, str, str]]:
    """Return the legend rows (label, colour, "fill") of the count classes."""
    largest = int(cells.counts["incidents"].max()) if len(cells.counts) else 0
    starts = class_starts(largest)
    labels = class_labels(starts, largest, number)
    return [(label, colour, "fill")
            for label, colour in zip(labels, class_colours(starts), strict=True)]  # fmt: skip


def cell_heat_layer(cells: CellView, lang: str, pane: str) -> HeatMap:
    """Return a heat map of the cells' centres, each weighing its share of the largest count."""
    counts = cells.counts
    largest = max(int(counts["incidents"].max()), 1) if len(counts) else 1
    weights = counts["incidents"].to_numpy(dtype=float) / largest
    data = np.column_stack([counts["lat"].to_numpy(float), counts["lon"].to_numpy(float), weights])
    return HeatMap(
        data.tolist(), name=map_text("layer_heat", lang), radius=18, blur=15,
        min_opacity=0.35, show=True, pane=pane,
    )  # fmt: skip


def cell_edge_m(cells: CellView) -> float:
    """Return the average hexagon edge of the cells' resolution, in metres."""
    return edge_length_m(cells.resolution)


def cells_json(cells: CellView, lang: str, number: Callable[[int], str]) -> str:
    """Return the cell layer's payload as inert JSON (geo.map_legend.safe_json)."""
    return safe_json(cells_payload(cells, lang, number))
