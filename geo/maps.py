"""Build pydeck map views of the reference layers and incidents from allow-listed columns."""

from __future__ import annotations

import json
import unicodedata
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk

from geo.i18n import crossing_label, text
from geo.layers import Layers
from geo.schema import CATEGORIES

# One colour per category (RGB), reused by legends.
CATEGORY_COLOURS: Final[dict[str, tuple[int, int, int]]] = {
    "stranded_group": (214, 39, 40),
    "irregular_crossing": (255, 127, 14),
    "detention": (148, 103, 189),
    "expulsion": (140, 86, 75),
    "military_deployment": (44, 62, 80),
    "border_closure": (127, 127, 127),
    "humanitarian_aid": (44, 160, 44),
    "protest": (227, 119, 194),
    "death_or_injury": (0, 0, 0),
    "trafficking": (188, 189, 34),
    "other": (23, 190, 207),
}
REGION_COLOURS: Final[dict[str, list[int]]] = {"CL": [31, 119, 180, 40], "PE": [214, 39, 40, 30]}
# The only incident columns a map layer receives: folium/pydeck embed every property given.
MAP_COLUMNS: Final[tuple[str, ...]] = (
    "lon", "lat", "category", "crossing", "people", "local_time", "red", "green", "blue"
)
UNKNOWN_COLOUR: Final = (90, 90, 90)
HEXAGON_RADIUS_M: Final = 500
INITIAL_VIEW: Final = pdk.ViewState(latitude=-18.25, longitude=-70.1, zoom=8.2)


def incident_points(
    incidents: gpd.GeoDataFrame, zone: str, *, day_only: bool = False
) -> pd.DataFrame:
    """Return the allow-listed, display-ready columns of incidents for a point layer.

    `day_only` writes the local day without a time (the public view's times are days).
    """
    shown = "%Y-%m-%d" if day_only else "%Y-%m-%d %H:%M"
    local = incidents["occurred_at"].dt.tz_convert(zone).dt.strftime(shown)
    people = incidents["people_count"].astype("Int64").astype("string").fillna("?")
    rgb = category_rgb(incidents["category"])
    points = pd.DataFrame(
        {
            "lon": incidents.geometry.x.round(5).to_numpy(),
            "lat": incidents.geometry.y.round(5).to_numpy(),
            "category": incidents["category"].astype("string").fillna("").to_numpy(),
            "crossing": incidents["crossing"].astype("string").fillna("—").to_numpy(),
            "people": people.to_numpy(),
            "local_time": (local + f" ({zone})").to_numpy(),
            "red": rgb[:, 0],
            "green": rgb[:, 1],
            "blue": rgb[:, 2],
        }
    )
    return points[list(MAP_COLUMNS)]


def category_rgb(categories: pd.Series) -> np.ndarray:
    """Return an (n, 3) array of category colours (grey for anything outside the vocabulary)."""
    palette = np.array([*(CATEGORY_COLOURS[name] for name in CATEGORIES), UNKNOWN_COLOUR])
    codes = pd.Categorical(categories.astype("string"), categories=list(CATEGORIES)).codes
    return palette[np.where(codes < 0, len(CATEGORIES), codes)]


def pydeck_hexagons(
    layers: Layers, countries: gpd.GeoDataFrame, incidents: gpd.GeoDataFrame, lang: str = "es"
) -> pdk.Deck:
    """Return a pydeck map of 500 m hexagon columns whose height is the number of incidents.

    Only positions rounded to 3 decimals (~100 m) and people counts reach the browser.
    """
    cells = pd.DataFrame(
        {
            "lon": incidents.geometry.x.round(3).to_numpy(),
            "lat": incidents.geometry.y.round(3).to_numpy(),
        }
    )
    hexagons = pdk.Layer(
        "HexagonLayer",
        data=cells,
        id="hexagons",
        get_position=["lon", "lat"],
        radius=HEXAGON_RADIUS_M,
        elevation_scale=3,
        elevation_range=[0, 2000],
        extruded=True,
        coverage=0.9,
        pickable=True,
    )
    base = [
        _geojson_layer("countries", countries, fill=True, colour=[235, 235, 230, 255]),
        _geojson_layer("regions", layers.regions, fill=True),
        _geojson_layer("border", layers.border, fill=False, colour=[20, 20, 20, 255]),
    ]
    view = pdk.ViewState(latitude=-18.32, longitude=-70.3, zoom=10, pitch=45, bearing=0)
    return pdk.Deck(
        layers=[*base, hexagons, *_crossings_layers(layers.crossings, lang)],
        initial_view_state=view,
        map_provider=None,
        tooltip={"text": text("kpi_incidents", lang) + ": {elevationValue}"},
    )


def category_legend() -> list[tuple[str, str]]:
    """Return (category, hex colour) pairs in vocabulary order."""
    return [(name, "#{:02x}{:02x}{:02x}".format(*CATEGORY_COLOURS[name])) for name in CATEGORIES]


def _geojson_layer(
    layer_id: str, frame: gpd.GeoDataFrame, *, fill: bool, colour: list[int] | None = None
) -> pdk.Layer:
    data: dict[str, Any] = json.loads(frame.to_json(drop_id=True))
    if colour is None and "country" in frame.columns:
        for feature in data["features"]:
            feature["properties"] = {"colour": REGION_COLOURS.get(feature["properties"]["country"])}
        fill_colour: Any = "properties.colour"
    else:
        for feature in data["features"]:
            feature["properties"] = {}
        fill_colour = colour or [0, 0, 0, 0]
    return pdk.Layer(
        "GeoJsonLayer",
        data=data,
        id=layer_id,
        filled=fill,
        stroked=True,
        get_fill_color=fill_colour,
        get_line_color=colour or [60, 60, 60, 200],
        line_width_min_pixels=2 if layer_id == "border" else 1,
        pickable=False,
    )


def _crossings_layers(crossings: gpd.GeoDataFrame, lang: str) -> list[pdk.Layer]:
    is_complex = crossings["kind"] == "border_complex"
    # deck.gl's TextLayer draws ASCII only (pydeck cannot pass it a wider character set).
    names = [_ascii(crossing_label(str(cid), lang, fallback=str(cid))) for cid in crossings["id"]]
    data = pd.DataFrame(
        {
            "lon": crossings.geometry.x,
            "lat": crossings.geometry.y,
            "label": pd.Series(names, index=crossings.index).where(is_complex, ""),
            "offset": [[0, 16] if side == "CL" else [0, -16] for side in crossings["country"]],
        }
    )
    marks = pdk.Layer(
        "ScatterplotLayer",
        data=data,
        id="crossing-marks",
        get_position=["lon", "lat"],
        get_fill_color=[255, 255, 255, 255],
        get_line_color=[0, 0, 0, 255],
        stroked=True,
        line_width_min_pixels=2,
        get_radius=60,
        radius_min_pixels=5,
    )
    labels = pdk.Layer(
        "TextLayer",
        data=data,
        id="crossing-labels",
        get_position=["lon", "lat"],
        get_text="label",
        get_size=14,
        get_color=[0, 0, 0, 255],
        get_pixel_offset="offset",
    )
    return [marks, labels]


def _ascii(label: str) -> str:
    """Return `label` without accents (Perú → Peru), for deck.gl's ASCII-only text layer."""
    return unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
