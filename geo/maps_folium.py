"""Build the folium map of the border: reference layers, clustered incidents, heat map, legend."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import partial
from typing import Any, Final
from urllib.parse import urlsplit

import branca.element
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.elements import JSCSSMixin
from folium.plugins import HeatMap

from geo import i18n
from geo.layers import Layers
from geo.map_cells import IncidentCells, cell_heat_layer, cell_legend_items, cells_json
from geo.map_legend import MapLegend, category_label, map_text, safe_html_text, safe_json
from geo.map_points import IncidentClusters, incident_payload
from geo.map_policy import CellView
from geo.maps import CATEGORY_COLOURS, MAP_COLUMNS, UNKNOWN_COLOUR
from geo.settings import check_tiles

DEFAULT_ASSET_BASE: Final = "/app/static/vendor"
# folium 0.20's CDN URLs -> the vendored copy (relative to asset_base); None = not needed.
# The map uses no Bootstrap, jQuery or icon fonts: CircleMarkers, textContent popups and a
# DOM-built legend replace them. An unknown URL raises, so a folium upgrade cannot reach a CDN.
CDN_TO_VENDOR: Final[dict[str, str | None]] = {
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet@1.9.3/leaflet.js",
    "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet@1.9.3/leaflet.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js":
        "leaflet.markercluster@1.1.0/leaflet.markercluster.js",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css":
        "leaflet.markercluster@1.1.0/MarkerCluster.css",
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css":
        "leaflet.markercluster@1.1.0/MarkerCluster.Default.css",
    "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/leaflet_heat.min.js":
        "leaflet.heat@0.2.0-folium0.20.0/leaflet_heat.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": None,
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": None,
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js":
        None,
    "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": None,
    "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": None,
    "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": None,
    "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css":
        None,
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css":
        None,
}  # fmt: skip
ASSET_BASE_PATTERN: Final = re.compile(r"[A-Za-z0-9._~@/-]+")  # a path, never a host
HEAT_PANE: Final = "hito-heat"
MIN_ZOOM: Final = 5
MAX_ZOOM: Final = 18

COUNTRY_STYLE: Final = {"color": "#8c8c8c", "weight": 1, "fillColor": "#f3f1ec", "fillOpacity": 1}
REGION_STYLE: Final[dict[str, dict[str, Any]]] = {
    "CL": {"color": "#1f77b4", "weight": 1, "fillColor": "#1f77b4", "fillOpacity": 0.16},
    "PE": {"color": "#d62728", "weight": 1, "fillColor": "#d62728", "fillOpacity": 0.12},
}
BORDER_STYLE: Final = {"color": "#111111", "weight": 4, "opacity": 0.9}
CORRIDOR_STYLE: Final = {
    "color": "#e07b00", "weight": 1, "fillColor": "#ff9900", "fillOpacity": 0.5,
}  # fmt: skip
DISPUTED_STYLE: Final = {
    "color": "#6a1b9a", "weight": 2, "dashArray": "4 3", "fillColor": "#8e24aa", "fillOpacity": 0.6,
}  # fmt: skip
CROSSING_LABEL_SIDE: Final = {"CL": "below", "PE": "above"}  # Chacalluta is south of Santa Rosa


def folium_map(
    layers: Layers,
    countries: gpd.GeoDataFrame,
    points: pd.DataFrame | CellView,
    *,
    lang: str,
    center: tuple[float, float],
    zoom: int,
    heat: bool,
    asset_base: str = DEFAULT_ASSET_BASE,
    tiles: tuple[str, str] | None = None,
) -> folium.Map:
    """Return a folium map that loads every script and style from `asset_base`, no CDN.

    `points` is geo.maps.incident_points(...) (exactly MAP_COLUMNS), or the H3 cells of
    geo.map_policy.plan_map when there are too many incidents to draw one by one; `center`
    is (lat, lon). Layers: a "no tiles" base of country outlines, regions, corridor,
    disputed triangle, border, crossings, clustered incidents (or cells coloured by count)
    and, when `heat`, a heat map shown instead of them (both stay in the layer control).
    `tiles` (geo.settings.tiles_from_env(): URL template, attribution) adds that tile server
    as a second base layer, off until the viewer picks it; None (the default) adds no tile
    layer at all, so the page names no tile host.
    """
    _check_view(lang=lang, center=center, zoom=zoom, asset_base=asset_base)
    if isinstance(points, pd.DataFrame):
        _check_points(points)
    if tiles is not None:
        tiles = check_tiles(*tiles)
    figure = folium.Map(
        location=[float(center[0]), float(center[1])], zoom_start=int(zoom), tiles=None,
        control_scale=True,
    )  # fmt: skip
    # folium hands min_zoom/max_zoom to its default tiles only; markercluster needs the map's.
    figure.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)
    _add_base_layers(figure, countries, lang, tiles)
    _add_reference_layers(figure, layers, lang)
    _incident_layer(points, layers, lang, heat).add_to(figure)
    if heat:
        # Leaflet stacks canvases under SVG within a pane: the heat map gets its own pane
        # above the (opaque) country outlines and below the markers and labels.
        folium.map.CustomPane(HEAT_PANE, z_index=450, pointer_events=False).add_to(figure)
        _heat_layer(points, lang).add_to(figure)
    folium.LayerControl(collapsed=True).add_to(figure)
    _legend(layers.regions, points, lang).add_to(figure)
    _use_local_assets(figure, asset_base)
    return figure


def _incident_layer(
    shown: pd.DataFrame | CellView, layers: Layers, lang: str, heat: bool
) -> IncidentClusters | IncidentCells:
    """Return the clustered incidents, or the cells coloured by count; hidden under `heat`."""
    if isinstance(shown, CellView):
        number = partial(i18n.format_int, lang=lang)
        return IncidentCells(
            cells_json(shown, lang, number), name=map_text("layer_cells", lang), show=not heat
        )
    payload = incident_payload(shown, _crossing_names(layers.crossings, lang), lang)
    return IncidentClusters(
        safe_json(payload), name=map_text("layer_incidents", lang), show=not heat
    )


def _check_points(points: pd.DataFrame) -> None:
    extra = [column for column in points.columns if column not in MAP_COLUMNS]
    if extra:
        raise ValueError(f"points: columns {extra} are outside the map allow-list {MAP_COLUMNS}")
    missing = [column for column in MAP_COLUMNS if column not in points.columns]
    if missing:
        raise ValueError(f"points: missing columns {missing} (use geo.maps.incident_points)")
    _check_coordinates(points)


def _check_view(*, lang: str, center: tuple[float, float], zoom: int, asset_base: str) -> None:
    i18n.check_lang(lang)
    lat, lon = center
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"center: {center!r} is not a (lat, lon) pair in degrees")
    if isinstance(zoom, bool) or not isinstance(zoom, int) or not MIN_ZOOM <= zoom <= MAX_ZOOM:
        raise ValueError(f"zoom: {zoom!r} is not an integer from {MIN_ZOOM} to {MAX_ZOOM}")
    if not ASSET_BASE_PATTERN.fullmatch(asset_base) or "//" in asset_base:
        raise ValueError(f"asset_base: {asset_base!r} is not a URL path like /app/static/vendor")


def _check_coordinates(points: pd.DataFrame) -> None:
    for field, limit in (("lat", 90.0), ("lon", 180.0)):
        values = pd.to_numeric(points[field], errors="coerce").to_numpy(dtype=float)
        bad = ~(np.isfinite(values) & (np.abs(values) <= limit))
        if bad.any():
            row = points.index[int(np.argmax(bad))]
            value = points.at[row, field]
            value = value.item() if isinstance(value, np.generic) else value
            raise ValueError(f"points row {row}: field {field} value {value!r} is not a coordinate")


def _add_base_layers(
    figure: folium.Map, countries: gpd.GeoDataFrame, lang: str, tiles: tuple[str, str] | None
) -> None:
    outlines = folium.FeatureGroup(name=map_text("layer_no_tiles", lang), overlay=False)
    _geojson(countries, COUNTRY_STYLE, interactive=False).add_to(outlines)
    outlines.add_to(figure)
    if tiles is None:
        return
    url, attribution = tiles
    folium.TileLayer(
        url, attr=safe_html_text(attribution), name=urlsplit(url).hostname, overlay=False,
        show=False, max_zoom=MAX_ZOOM,
    ).add_to(figure)  # fmt: skip


def _add_reference_layers(figure: folium.Map, layers: Layers, lang: str) -> None:
    regions = folium.FeatureGroup(name=map_text("layer_regions", lang))
    for country, style in REGION_STYLE.items():
        _geojson(layers.regions[layers.regions["country"] == country], style).add_to(regions)
    regions.add_to(figure)
    for key, frame, style in (
        ("layer_corridor", layers.corridor, CORRIDOR_STYLE),
        ("layer_disputed", layers.disputed, DISPUTED_STYLE),
        ("layer_border", layers.border, BORDER_STYLE),
    ):
        group = folium.FeatureGroup(name=map_text(key, lang))
        label = safe_html_text(map_text(key, lang))
        tooltip = None if key == "layer_border" else folium.Tooltip(label)
        _geojson(frame, style, tooltip=tooltip).add_to(group)
        group.add_to(figure)
    _crossings_layer(layers.crossings, lang).add_to(figure)


def _geojson(
    frame: gpd.GeoDataFrame,
    style: dict[str, Any],
    *,
    tooltip: folium.Tooltip | None = None,
    interactive: bool = True,
) -> folium.GeoJson:
    """Return a GeoJson of the geometries only: folium embeds every property it is given."""
    data = json.loads(frame[[frame.geometry.name]].to_json(drop_id=True))
    return folium.GeoJson(
        data,
        style_function=lambda _feature: style,
        tooltip=tooltip,
        zoom_on_click=False,
        interactive=interactive,
    )


def _crossings_layer(crossings: gpd.GeoDataFrame, lang: str) -> folium.FeatureGroup:
    """Return the crossings as rings with their names: a hover tooltip, a label for complexes."""
    group = folium.FeatureGroup(name=map_text("layer_crossings", lang))
    names = _crossing_names(crossings, lang)
    for lon, lat, crossing, country, kind in zip(
        crossings.geometry.x, crossings.geometry.y, crossings["id"], crossings["country"],
        crossings["kind"], strict=True,
    ):  # fmt: skip
        location = [float(lat), float(lon)]
        name = names[str(crossing)]
        folium.CircleMarker(
            location=location, radius=6, color="#000000", weight=2, fill=True,
            fill_color="#ffffff", fill_opacity=1.0, tooltip=folium.Tooltip(safe_html_text(name)),
        ).add_to(group)  # fmt: skip
        if kind == "border_complex":
            side = CROSSING_LABEL_SIDE.get(str(country), "below")
            _crossing_label(location, name, side).add_to(group)
    return group


def _crossing_label(location: list[float], name: str, side: str) -> folium.Marker:
    """Return a text label placed by CSS alone (no measuring, so late-loading CSS is fine)."""
    html = f'<div class="hito-crossing-label hito-label-{side}">{safe_html_text(name)}</div>'
    icon = folium.DivIcon(html=html, icon_size=(0, 0), icon_anchor=(0, 0), class_name="hito-label")
    return folium.Marker(location=location, icon=icon, interactive=False)


def _crossing_names(crossings: gpd.GeoDataFrame, lang: str) -> dict[str, str]:
    """Return crossing id -> display name (geo.i18n's label, else the layer's name)."""
    return {
        str(crossing): i18n.crossing_label(str(crossing), lang, fallback=str(name))
        for crossing, name in zip(crossings["id"], crossings["name"], strict=True)
    }


def _heat_layer(points: pd.DataFrame | CellView, lang: str) -> HeatMap:
    """Return a heat map of incident density (each incident weighs 1; a cell its count)."""
    if isinstance(points, CellView):
        return cell_heat_layer(points, lang, HEAT_PANE)
    coordinates = points[["lat", "lon"]].astype(float).to_numpy()
    return HeatMap(
        coordinates, name=map_text("layer_heat", lang), radius=18, blur=15, min_opacity=0.35,
        show=True, pane=HEAT_PANE,
    )  # fmt: skip


def _legend(regions: gpd.GeoDataFrame, points: pd.DataFrame | CellView, lang: str) -> MapLegend:
    incidents = (map_text("layer_cells", lang), _incident_legend(points, lang))
    if not isinstance(points, CellView):
        incidents = (map_text("categories", lang), _incident_legend(points, lang))
    region_items = [
        (i18n.region_label(str(region), lang), str(REGION_STYLE[str(country)]["fillColor"]), "fill")
        for region, country in zip(regions["id"], regions["country"], strict=True)
    ]
    reference = [
        *region_items,
        (map_text("layer_border", lang), str(BORDER_STYLE["color"]), "line"),
        (map_text("layer_corridor", lang), str(CORRIDOR_STYLE["fillColor"]), "fill"),
        (map_text("layer_disputed", lang), str(DISPUTED_STYLE["fillColor"]), "fill"),
        (map_text("layer_crossings", lang), "#000000", "ring"),
    ]
    return MapLegend(
        map_text("map_legend", lang), [incidents, (map_text("legend_layers", lang), reference)]
    )


def _incident_legend(points: pd.DataFrame | CellView, lang: str) -> list[tuple[str, str, str]]:
    """Return the legend rows of the incident layer: count classes, or categories."""
    if isinstance(points, CellView):
        return cell_legend_items(points, partial(i18n.format_int, lang=lang))
    categories = [
        (category_label(name, lang), _hex(colour), "dot")
        for name, colour in CATEGORY_COLOURS.items()
    ]
    if (~points["category"].isin(list(CATEGORY_COLOURS))).any():
        categories.append((map_text("unlisted_category", lang), _hex(UNKNOWN_COLOUR), "dot"))
    return categories


def _use_local_assets(figure: folium.Map, asset_base: str) -> None:
    """Point every element's scripts and styles at the vendored copies under `asset_base`."""
    for element in _walk(figure):
        if isinstance(element, JSCSSMixin):
            element.default_js = _local_links(element.default_js, asset_base)
            element.default_css = _local_links(element.default_css, asset_base)


def _local_links(links: list[tuple[str, str]], asset_base: str) -> list[tuple[str, str]]:
    local = []
    for name, url in links:
        if url not in CDN_TO_VENDOR:
            raise ValueError(
                f"{name}: no vendored copy of {url}; add it under dashboard/static/vendor "
                "and to geo.maps_folium.CDN_TO_VENDOR"
            )
        path = CDN_TO_VENDOR[url]
        if path is not None:
            local.append((name, f"{asset_base.rstrip('/')}/{path}"))
    return local


def _walk(element: branca.element.Element) -> Iterator[branca.element.Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)


def _hex(rgb: tuple[int, ...]) -> str:
    red, green, blue = (int(value) for value in rgb[:3])
    return f"#{red:02x}{green:02x}{blue:02x}"
