"""The folium map: its layers and legend, no CDN, escaped text, allow-listed properties only."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from dashboard.map_view import moved_view
from geo.i18n import CATEGORY_LABELS
from geo.layers import Layers
from geo.map_legend import safe_html_text, safe_json
from geo.map_points import IncidentClusters, incident_payload
from geo.maps import CATEGORY_COLOURS, MAP_COLUMNS, incident_points
from geo.maps_folium import CDN_TO_VENDOR, folium_map
from geo.schema import CATEGORIES, WGS84
from geo.settings import tiles_from_env

REPO = Path(__file__).resolve().parents[1]
VENDOR = REPO / "dashboard" / "static" / "vendor"
ASSET_BASE = "/app/static/vendor"
CDN_MARKERS = ("cdn", "unpkg", "jsdelivr", "cloudflare", "jquery.com", "bootstrapcdn")
# Script-injection payloads for each context folium writes text into (HTML, JS string,
# JS template literal, a <script> block).
PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    "${alert(1)}",
    "`+alert(1)+`",
    "</script><script>alert(1)</script>",
)
SECRETS = ("SECRET-ID-7", "SECRET description of a family", "https://secret.example/report")
# The page names no URL by default: no tile layer at all (HITO_TILES unset or "none").
ALLOWED_URLS: set[str] = set()
TILES = ("https://tiles.example.org/{z}/{x}/{y}.png?key=k&style=s", "© <b>Example</b> & co")


def _incidents(categories: list[str] | None = None) -> gpd.GeoDataFrame:
    categories = categories or ["stranded_group", "detention", "stranded_group"]
    count = len(categories)
    return gpd.GeoDataFrame(
        {
            "incident_id": [SECRETS[0], *(f"x-{i}" for i in range(1, count))],
            "occurred_at": pd.date_range("2026-01-05T15:00:00Z", periods=count, freq="7h"),
            "category": categories,
            "crossing": ["chacalluta", None, *(["santa-rosa"] * (count - 2))],
            "people_count": pd.array([12, None, *([3] * (count - 2))], dtype="Int64"),
            "description": [SECRETS[1], *(["y"] * (count - 1))],
            "source_url": [SECRETS[2], *([None] * (count - 1))],
        },
        geometry=[Point(-70.3141 + i * 0.01, -18.3101 + i * 0.01) for i in range(count)],
        crs=WGS84,
    )


def _points(zone: str = "America/Santiago") -> pd.DataFrame:
    return incident_points(_incidents(), zone)


def _html(
    layers: Layers, countries: gpd.GeoDataFrame, points: pd.DataFrame, **options: object
) -> str:
    settings: dict[str, object] = {
        "lang": "es", "center": (-18.3, -70.3), "zoom": 10, "heat": False, "asset_base": ASSET_BASE,
    }  # fmt: skip
    settings.update(options)
    figure = folium_map(layers, countries, points, **settings)  # type: ignore[arg-type]
    return str(figure.get_root().render())


def _payload_points() -> pd.DataFrame:
    points = incident_points(_incidents(["other"] * len(PAYLOADS)), "America/Lima")
    for row, payload in enumerate(PAYLOADS):
        points.loc[row, ["category", "crossing"]] = payload
        points.loc[row, "local_time"] = f"{payload} (America/Lima)"
    return points


def _payload_layers(layers: Layers) -> Layers:
    crossings = layers.crossings.copy()  # ids unknown to geo.i18n: the names are shown
    crossings["id"] = [f"crossing-{i}" for i in range(len(crossings))]
    crossings["name"] = [PAYLOADS[i % len(PAYLOADS)] for i in range(len(crossings))]
    regions = layers.regions.copy()  # ids unknown to geo.i18n: the ids are shown
    regions["id"] = PAYLOADS[: len(regions)]
    return replace(layers, crossings=crossings, regions=regions)


def test_every_layer_sits_in_the_layer_control(layers: Layers, countries: gpd.GeoDataFrame) -> None:
    html = _html(layers, countries, _points())
    control = re.search(r"base_layers : \{(.*?)\},\s*overlays :  \{(.*?)\},", html, re.S)
    assert control is not None
    base_names = [json.loads(name) for name in re.findall(r'("[^"]+") :', control.group(1))]
    overlay_names = [json.loads(name) for name in re.findall(r'("[^"]+") :', control.group(2))]
    assert base_names == ["Sin teselas (contornos)"]
    assert overlay_names == [
        "Regiones", "Corredor entre complejos", "Triángulo terrestre", "Límite internacional",
        "Pasos fronterizos", "Incidentes",
    ]  # fmt: skip
    assert "L.markerClusterGroup(" in html and "L.heatLayer(" not in html


def _tile_layers(figure: folium.Map) -> list[folium.TileLayer]:
    return [child for child in figure._children.values() if isinstance(child, folium.TileLayer)]


def test_no_tile_layer_and_no_tile_host_by_default(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    figure = folium_map(
        layers, countries, _points(), lang="en", center=(-18.3, -70.3), zoom=9, heat=False,
        asset_base=ASSET_BASE,
    )  # fmt: skip
    assert _tile_layers(figure) == []
    html = figure.get_root().render()
    assert "L.tileLayer(" not in html and "openstreetmap" not in html.lower()


def test_configured_tiles_are_offered_but_off(layers: Layers, countries: gpd.GeoDataFrame) -> None:
    figure = folium_map(
        layers, countries, _points(), lang="en", center=(-18.3, -70.3), zoom=9, heat=False,
        asset_base=ASSET_BASE, tiles=TILES,
    )  # fmt: skip
    assert [(tile.layer_name, tile.show) for tile in _tile_layers(figure)] == [
        ("tiles.example.org", False)
    ]
    html = figure.get_root().render()
    assert html.count("L.tileLayer(") == 1
    assert '"https://tiles.example.org/{z}/{x}/{y}.png?key=k\\u0026style=s"' in html
    # Leaflet writes the attribution as HTML: the configured text arrives escaped.
    assert "<b>Example" not in html
    assert '"attribution": "\\u00a9 \\u0026lt;b\\u0026gt;Example' in html


@pytest.mark.parametrize(
    ("url", "attribution", "message"),
    [
        ("http://tiles.example.org/{z}/{x}/{y}.png", "x", "is not 'none' or an https URL"),
        ("https://tiles.example.org/{z}/{x}.png", "x", "with {z}, {x} and {y}"),
        ('https://t.example.org/{z}/{x}/{y}.png"-alert(1)-"', "x", "is not 'none' or an https"),
        ("https://t.example.org/{z}/{x}/{y}.png", " ", "HITO_TILES_ATTRIBUTION is empty"),
    ],
)
def test_bad_tile_options_are_refused(
    layers: Layers, countries: gpd.GeoDataFrame, url: str, attribution: str, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        _html(layers, countries, _points(), tiles=(url, attribution))


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, None),
        ({"HITO_TILES": "none"}, None),
        ({"HITO_TILES": " None "}, None),
        (
            {"HITO_TILES": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
             "HITO_TILES_ATTRIBUTION": "© OpenStreetMap contributors"},
            ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap contributors"),
        ),
    ],
)  # fmt: skip
def test_tiles_from_env(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], expected: tuple[str, str] | None
) -> None:
    monkeypatch.delenv("HITO_TILES", raising=False)
    monkeypatch.delenv("HITO_TILES_ATTRIBUTION", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert tiles_from_env() == expected


def test_tiles_from_env_names_the_variable_and_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HITO_TILES", "osm")
    with pytest.raises(ValueError, match=r"^HITO_TILES='osm' is not 'none' or an https URL"):
        tiles_from_env()
    monkeypatch.setenv("HITO_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    monkeypatch.delenv("HITO_TILES_ATTRIBUTION", raising=False)
    with pytest.raises(ValueError, match=r"^HITO_TILES_ATTRIBUTION is empty: with HITO_TILES="):
        tiles_from_env()


def test_heat_replaces_the_clusters_on_screen(layers: Layers, countries: gpd.GeoDataFrame) -> None:
    figure = folium_map(
        layers, countries, _points(), lang="es", center=(-18.3, -70.3), zoom=10, heat=True,
        asset_base=ASSET_BASE,
    )  # fmt: skip
    children = list(figure._children.values())
    clusters = [child for child in children if isinstance(child, IncidentClusters)]
    heat = [child for child in children if isinstance(child, folium.plugins.HeatMap)]
    assert [layer.show for layer in clusters] == [False]
    assert [layer.show for layer in heat] == [True]
    assert heat[0].options["pane"] == "hito-heat"  # above the opaque country outlines
    html = figure.get_root().render()
    assert "L.heatLayer(" in html and 'createPane(\n                "hito-heat")' in html


def test_legend_lists_every_category_in_the_chosen_language(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    for lang, title in (("es", "Leyenda"), ("en", "Legend")):
        html = _html(layers, countries, _points(), lang=lang)
        spec = json.loads(re.search(r"\}\)\(map_\w+, (\{.*\})\);", html).group(1))  # type: ignore[union-attr]
        assert spec["title"] == title
        labels = [item["label"] for item in spec["sections"][0]["items"]]
        assert labels == [CATEGORY_LABELS[name][lang] for name in CATEGORIES]
        colours = [item["colour"] for item in spec["sections"][0]["items"]]
        assert colours[0] == "#{:02x}{:02x}{:02x}".format(*CATEGORY_COLOURS[CATEGORIES[0]])
        reference = [item["label"] for item in spec["sections"][1]["items"]]
        assert "Arica y Parinacota (Chile)" in reference
        assert 'class="hito-legend' not in html  # built with DOM calls, not HTML strings


def test_no_cdn_and_every_asset_is_vendored(layers: Layers, countries: gpd.GeoDataFrame) -> None:
    html = _html(layers, countries, _points(), heat=True)
    lowered = html.lower()
    assert [marker for marker in CDN_MARKERS if marker in lowered] == []
    assert set(re.findall(r"https?://[^\s\"'<>\\]+", html)) <= ALLOWED_URLS
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(links) == 6  # leaflet js+css, markercluster js+2 css, heat js
    for link in links:
        assert link.startswith(f"{ASSET_BASE}/")
        assert (VENDOR / link.removeprefix(f"{ASSET_BASE}/")).is_file(), link


def test_page_needs_no_jquery_bootstrap_or_icon_fonts(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    html = _html(layers, countries, _points(), heat=True)
    assert "$(" not in html and "jQuery" not in html  # folium's Popup would call $(...)
    for dropped in ("jquery", "bootstrap", "awesome", "fontawesome", "glyphicon"):
        assert dropped not in html.lower()


def test_folium_defaults_all_have_a_vendored_copy_or_are_dropped() -> None:
    defaults = [
        *folium.Map.default_js, *folium.Map.default_css,
        *folium.plugins.MarkerCluster.default_js, *folium.plugins.MarkerCluster.default_css,
        *folium.plugins.HeatMap.default_js,
    ]  # fmt: skip
    assert {url for _, url in defaults} == set(CDN_TO_VENDOR)
    for path in filter(None, CDN_TO_VENDOR.values()):
        assert (VENDOR / path).is_file(), path


def test_each_vendored_package_keeps_its_licence_and_is_listed() -> None:
    listing = (VENDOR / "VENDOR.md").read_text(encoding="utf-8")
    folders = sorted(path for path in VENDOR.iterdir() if path.is_dir())
    assert [folder.name for folder in folders] == [
        "leaflet.heat@0.2.0-folium0.20.0", "leaflet.markercluster@1.1.0", "leaflet@1.9.3",
    ]  # fmt: skip
    for folder in folders:
        assert (folder / "LICENSE").is_file(), folder
        assert f"`{folder.name}/`" in listing


def test_payloads_never_appear_raw(layers: Layers, countries: gpd.GeoDataFrame) -> None:
    html = _html(_payload_layers(layers), countries, _payload_points(), heat=True)
    for payload in PAYLOADS:
        assert payload not in html
    assert "${" not in html
    assert "<img" not in html and "alert(1)</script>" not in html
    assert html.count("</script>") == html.count("<script")  # no script was closed early


def test_payloads_reach_the_browser_intact_as_data(layers: Layers) -> None:
    names = {"santa-rosa": PAYLOADS[3]}
    payload = incident_payload(_payload_points(), names, "en")
    decoded = json.loads(safe_json(payload))
    assert [entry["label"] for entry in decoded["categories"]] == list(PAYLOADS)
    assert decoded["crossings"] == list(PAYLOADS)
    assert decoded["local_time"] == list(PAYLOADS)
    assert decoded["zones"] == ["America/Lima"]


def test_crossing_names_are_escaped_for_the_tooltip_template(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    html = _html(_payload_layers(layers), countries, _points())
    assert "&#96;+alert(1)+&#96;" in html  # a backtick can no longer close the JS template
    assert "&#36;&#123;alert(1)&#125;" in html  # braces too: never a Jinja template
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_only_allow_listed_properties_are_embedded(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    html = _html(layers, countries, _points(), heat=True)
    for secret in SECRETS:
        assert secret not in html
    layer_texts = [
        str(value)
        for frame in (layers.border, layers.crossings, layers.regions, layers.corridor,
                      layers.disputed, countries)
        for column in ("source", "note", "method", "status", "paired_with", "uncertainty_m")
        if column in frame.columns
        for value in frame[column].dropna()
    ]  # fmt: skip
    assert len(layer_texts) > 5
    for text in layer_texts:
        assert json.dumps(text)[1:-1] not in html, text[:60]
    assert re.findall(r'"properties": \{[^}]', html) == []  # every feature: "properties": {}


def test_points_outside_the_allow_list_are_refused(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    points = _points().assign(description=SECRETS[1])
    with pytest.raises(ValueError, match=r"\['description'\] are outside the map allow-list"):
        _html(layers, countries, points)
    with pytest.raises(ValueError, match=r"missing columns \['people'\]"):
        _html(layers, countries, _points().drop(columns="people"))


def test_bad_coordinates_name_row_field_and_value(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    points = _points()
    points.loc[1, "lat"] = float("nan")
    with pytest.raises(ValueError, match=r"points row 1: field lat value nan"):
        _html(layers, countries, points)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("lang", "fr", "language 'fr' is not one of"),
        ("zoom", 30, "zoom: 30 is not an integer from 5 to 18"),
        ("zoom", 9.5, "zoom: 9.5 is not an integer"),
        ("center", (-95.0, -70.3), r"center: \(-95.0, -70.3\) is not a \(lat, lon\) pair"),
        ("asset_base", "https://cdn.example/vendor", "asset_base: 'https://cdn.example/vendor'"),
        ("asset_base", "/x\"><script>", "asset_base"),
    ],
)
def test_bad_options_are_refused(
    layers: Layers, countries: gpd.GeoDataFrame, option: str, value: object, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        _html(layers, countries, _points(), **{option: value})


def test_incident_payload_ships_codes_and_each_text_once() -> None:
    names = {"chacalluta": "Complejo Fronterizo Chacalluta"}
    payload = incident_payload(_points(), names, "es")
    assert payload["categories"] == [
        {"label": "Grupo varado", "colour": "#d62728"},
        {"label": "Detención", "colour": "#9467bd"},
    ]
    assert payload["category"] == [0, 1, 0]
    assert payload["crossings"] == ["Complejo Fronterizo Chacalluta", "—", "santa-rosa"]
    assert payload["people"] == ["12", "?", "3"]
    assert payload["local_time"] == ["2026-01-05 12:00", "2026-01-05 19:00", "2026-01-06 02:00"]
    assert payload["zones"] == ["America/Santiago"] and payload["zone"] == [0, 0, 0]
    assert set(MAP_COLUMNS) - {"red", "green", "blue"} <= set(payload) | {"local_time"}


def test_safe_html_text_neutralises_every_context() -> None:
    escaped = safe_html_text("<b a='1'>`${x}`\\</b>")
    assert escaped == "&lt;b a=&#x27;1&#x27;&gt;&#96;&#36;&#123;x&#125;&#96;&#92;&lt;/b&gt;"
    assert "{" not in safe_html_text("{{7*7}}") and "}" not in safe_html_text("{%x%}")


def test_safe_json_round_trips_and_hides_markup() -> None:
    value = {"text": "</script>`${a}`&'<!--", "n": [1, 2.5]}
    encoded = safe_json(value)
    assert json.loads(encoded) == value
    assert not set("<>&'`$") & set(encoded)
    template = safe_json({"text": "{{7*7}} {% if 1 %}x{% endif %} {# c #}"})
    assert not any(mark in template for mark in ("{{", "{%", "{#", "}}", "%}", "#}"))


@pytest.mark.parametrize(
    ("returned", "expected"),
    [
        (None, None),
        ({"zoom": 10}, None),  # before any move st_folium reports the script's zoom only
        ({"zoom": 10, "center": {"lat": -18.29977, "lng": -70.30014}}, None),  # pixel snap
        ({"zoom": 11, "center": {"lat": -18.3, "lng": -70.3}}, ((-18.3, -70.3), 11)),
        ({"zoom": 10, "center": {"lat": -18.2123456, "lng": -70.3}}, ((-18.21235, -70.3), 10)),
        ({"zoom": 10, "center": {"lat": None, "lng": -70.3}}, None),
    ],
)
def test_moved_view_reports_only_real_moves(
    returned: dict[str, object] | None, expected: tuple[tuple[float, float], int] | None
) -> None:
    assert moved_view(returned, (-18.3, -70.3), 10) == expected


def test_an_empty_selection_still_draws_the_map(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    points = _points().iloc[0:0]
    html = _html(layers, countries, points, heat=True)
    payload = json.loads(re.search(r"\}\)\(incident_clusters_\w+, (\{.*\})\);", html).group(1))  # type: ignore[union-attr]
    assert payload["lat"] == [] and payload["categories"] == []
    assert "L.heatLayer(\n                []," in html
