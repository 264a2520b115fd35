"""Build pydeck map views of the reference layers and incidents from allow-listed columns."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from typing import Any, Final

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pydeck as pdk

from geo.cell_classes import class_colours, class_of, class_starts
from geo.cells import edge_length_m, with_cells
from geo.i18n import crossing_label, format_int, text
from geo.layers import Layers
from geo.map_legend import category_label
from geo.map_policy import ASSUMED_VIEW_PX, CellView, MapPlan, RenderPolicy, plan_map, view_around
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
# What the deck ships per incident (points mode) and per H3 cell (cells mode), nothing more.
DECK_POINT_COLUMNS: Final[tuple[str, ...]] = (
    "lon", "lat", "category", "crossing", "people", "local_time", "colour"
)
DECK_CELL_COLUMNS: Final[tuple[str, ...]] = ("hex", "incidents", "people", "people_unknown",
                                             "colour")  # fmt: skip
UNKNOWN_COLOUR: Final = (90, 90, 90)
# The deck's initial view: (lat, lon) between the two complexes, zoom and tilt.
DECK_CENTER: Final = (-18.32, -70.3)
DECK_ZOOM: Final = 10.0
DECK_PITCH: Final = 45
COLUMN_HEIGHT_EDGES: Final = 6.0  # the busiest cell's column is this many hexagon edges tall
CELL_ALPHA: Final = 225
# deck.gl lighting of the columns: more ambient light than its default (0.35), so the tops
# keep the palette's colours (pale yellow stays yellow) while the sides stay shaded.
CELL_MATERIAL: Final = {"ambient": 0.7, "diffuse": 0.5, "shininess": 16,
                        "specularColor": [40, 40, 40]}  # fmt: skip
HEX_RGB: Final = re.compile(r"#[0-9a-fA-F]{6}")


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
    layers: Layers,
    countries: gpd.GeoDataFrame,
    filtered: gpd.GeoDataFrame,
    lang: str = "es",
    *,
    zone: str,
    policy: RenderPolicy,
    day_only: bool = False,
) -> tuple[pdk.Deck, MapPlan]:
    """Return a pydeck map of `filtered` and the plan that chose what it draws (the same
    render policy as the folium map and the snapshot, geo.map_policy).

    Up to policy.points_max incidents: one dot each, from incident_points' allow-listed
    columns (`zone` writes local times, `day_only` days only). More: H3 hexagon columns
    counted on the server (geo.cells), at the resolution of the deck's initial zoom (never
    finer than policy.finest_resolution) and at most policy.cells_max of them; only the
    cell ids, counts and colours reach the browser. Tooltips are plain text.
    """
    plan = deck_plan(filtered, policy)
    if plan.cells is not None:
        shown, tooltip = _cell_layer(plan.cells), _cell_tooltip(plan.cells.resolution, lang)
    else:
        points = incident_points(filtered, zone, day_only=day_only)
        shown, tooltip = _point_layer(points, lang), _point_tooltip(lang)
    crossings = _crossings_layers(layers.crossings, lang)
    deck = pdk.Deck(
        layers=[*_base_layers(layers, countries), shown, *crossings],
        initial_view_state=pdk.ViewState(
            latitude=DECK_CENTER[0], longitude=DECK_CENTER[1], zoom=DECK_ZOOM, pitch=DECK_PITCH,
            bearing=0,
        ),
        map_provider=None,
        tooltip={"text": tooltip},
    )  # fmt: skip
    return deck, plan


def deck_plan(filtered: gpd.GeoDataFrame, policy: RenderPolicy) -> MapPlan:
    """Return what the deck draws for its initial view (geo.map_policy.plan_map); rows
    without geo.cells columns get them here when the plan may need cells."""
    view = view_around(DECK_CENTER, DECK_ZOOM, ASSUMED_VIEW_PX)
    celled = with_cells(filtered, needed_above=policy.points_max)
    return plan_map(celled, zoom=DECK_ZOOM, latitude=DECK_CENTER[0], view=view, policy=policy)


def deck_cells(cells: CellView) -> pd.DataFrame:
    """Return the rows the deck's hexagon layer ships (exactly DECK_CELL_COLUMNS): H3 id as
    text, incidents, people (known counts summed), incidents without a people count, and
    the RGB colour of the cell's count class (geo.cell_classes)."""
    counts = cells.counts
    incidents = counts["incidents"].to_numpy(dtype=np.int64)
    starts = class_starts(int(incidents.max()) if len(incidents) else 0)
    palette = np.array([to_rgb_255(colour) for colour in class_colours(starts)], dtype=np.int64)
    rows = pd.DataFrame(
        {
            "hex": [h3.int_to_str(int(cell)) for cell in counts["cell"].to_numpy()],
            "incidents": incidents,
            "people": counts["people"].to_numpy(dtype=np.int64),
            "people_unknown": counts["people_unknown"].to_numpy(dtype=np.int64),
            "colour": palette[class_of(incidents, starts)].tolist(),
        }
    )
    return rows[list(DECK_CELL_COLUMNS)]


def deck_points(points: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the rows the deck's point layer ships (exactly DECK_POINT_COLUMNS) from
    incident_points(...): category and crossing worded in `lang`, one RGB colour list."""
    rows = pd.DataFrame(
        {
            "lon": points["lon"].to_numpy(),
            "lat": points["lat"].to_numpy(),
            "category": _worded(points["category"], lambda name: category_label(name, lang)),
            "crossing": _worded(points["crossing"], lambda name: crossing_label(name, lang)),
            "people": points["people"].to_numpy(),
            "local_time": points["local_time"].to_numpy(),
            "colour": points[["red", "green", "blue"]].to_numpy(dtype=np.int64).tolist(),
        }
    )
    return rows[list(DECK_POINT_COLUMNS)]


def to_rgb_255(colour: str) -> list[int]:
    """Return "#rrggbb" as [r, g, b] in 0..255."""
    if not HEX_RGB.fullmatch(colour):
        raise ValueError(f"colour: {colour!r} is not #rrggbb")
    return [int(colour[index : index + 2], 16) for index in (1, 3, 5)]


def category_legend() -> list[tuple[str, str]]:
    """Return (category, hex colour) pairs in vocabulary order."""
    return [(name, "#{:02x}{:02x}{:02x}".format(*CATEGORY_COLOURS[name])) for name in CATEGORIES]


def _base_layers(layers: Layers, countries: gpd.GeoDataFrame) -> list[pdk.Layer]:
    return [
        _geojson_layer("countries", countries, fill=True, colour=[235, 235, 230, 255]),
        _geojson_layer("regions", layers.regions, fill=True),
        _geojson_layer("border", layers.border, fill=False, colour=[20, 20, 20, 255]),
    ]


def _cell_layer(cells: CellView) -> pdk.Layer:
    """H3 columns: colour by count class, height by count (the busiest COLUMN_HEIGHT_EDGES
    hexagon edges tall)."""
    rows = deck_cells(cells)
    largest = max(int(rows["incidents"].max()), 1) if len(rows) else 1
    tallest_m = COLUMN_HEIGHT_EDGES * edge_length_m(cells.resolution)
    return pdk.Layer(
        "H3HexagonLayer",
        data=rows,
        id="incident-cells",
        get_hexagon="hex",
        get_fill_color="colour",
        get_elevation="incidents",
        elevation_scale=tallest_m / largest,
        extruded=True,
        coverage=0.9,
        opacity=CELL_ALPHA / 255,
        material=CELL_MATERIAL,
        pickable=True,
    )


def _point_layer(points: pd.DataFrame, lang: str) -> pdk.Layer:
    return pdk.Layer(
        "ScatterplotLayer",
        data=deck_points(points, lang),
        id="incident-points",
        get_position=["lon", "lat"],
        get_fill_color="colour",
        get_line_color=[34, 34, 34, 255],
        stroked=True,
        line_width_min_pixels=1,
        get_radius=80,
        radius_min_pixels=4,
        pickable=True,
    )


def _cell_tooltip(resolution: int, lang: str) -> str:
    """Plain-text tooltip of a cell; {field} is filled by the deck from the cell's row."""
    edge = text("cell_size_value", lang, edge=format_int(round(edge_length_m(resolution)), lang))
    return "\n".join([
        f"{text('cell_incidents', lang)}: {{incidents}}",
        f"{text('cell_people', lang)}: {{people}}",
        f"{text('cell_people_unknown', lang)}: {{people_unknown}}",
        f"{text('cell_size', lang)}: {edge}",
    ])  # fmt: skip


def _point_tooltip(lang: str) -> str:
    """Plain-text tooltip of an incident; {field} is filled by the deck from its row."""
    return "\n".join([
        f"{text('field_category', lang)}: {{category}}",
        f"{text('field_time', lang)}: {{local_time}}",
        f"{text('field_crossing', lang)}: {{crossing}}",
        f"{text('field_people', lang)}: {{people}}",
    ])  # fmt: skip


def _worded(values: pd.Series, word: Callable[[str], str]) -> list[str]:
    """Return `word` of each value, computed once per distinct value."""
    texts = values.astype(str)
    table = {value: word(value) for value in texts.unique()}
    return texts.map(table).tolist()


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
        parameters={"depthCompare": "always"},  # drawn over the hexagon columns
    )
    return [marks, labels]


def _ascii(label: str) -> str:
    """Return `label` without accents (Perú → Peru), for deck.gl's ASCII-only text layer."""
    return unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
