"""Tests for geo.snapshot_html: one self-contained page, vendored files inline, escaped caption."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import pytest
from branca.element import Figure, JavascriptLink
from folium.plugins import Fullscreen

from geo.caption import SnapshotCaption
from geo.layers import Layers
from geo.maps import MAP_COLUMNS
from geo.maps_folium import folium_map
from geo.snapshot_html import DEFAULT_VENDOR_DIR, VENDORED_FILES, caption_panel, standalone_html

INLINED = re.compile(r"<(script|style)>/\* (?P<name>[^ ]+) \*/\n.*?</(script|style)>", re.S)
ANY_SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.S)
HOST = re.compile(r"https?://|//[a-z0-9-]+\.[a-z]{2,}", re.I)
PAYLOAD = "<script>alert(1)</script>"


def _points() -> pd.DataFrame:
    """Three display-ready incidents (geo.maps.incident_points' columns)."""
    return pd.DataFrame(
        {
            "lon": [-70.314, -70.3135, -70.2536],
            "lat": [-18.312, -18.309, -18.0146],
            "category": ["detention", "protest", "stranded_group"],
            "crossing": ["chacalluta", "santa-rosa", "—"],
            "people": ["40", "?", "3"],
            "local_time": ["2025-12-03 11:05 (America/Santiago)"] * 3,
            "red": [148, 227, 214],
            "green": [103, 119, 39],
            "blue": [189, 194, 40],
        }
    )[list(MAP_COLUMNS)]


def _map(layers: Layers, countries: gpd.GeoDataFrame, *, heat: bool = False) -> folium.Map:
    return folium_map(
        layers, countries, _points(), lang="en", center=(-18.3, -70.3), zoom=10, heat=heat,
        asset_base="placeholder/vendor",
    )  # fmt: skip


def _caption(*, synthetic: bool, title: str = "Hito snapshot") -> SnapshotCaption:
    return SnapshotCaption(
        title=title,
        filter_line="2025-12-01 – 2025-12-31 (America/Santiago) · all crossings",
        counts_line="3 incidents · 43 people",
        generated_line="Generated 28 Nov 2026 10:15 UTC",
        source_line=f"Source: {PAYLOAD} & <img src=x onerror=alert(2)>",
        synthetic=synthetic,
        lang="en",
    )


def test_page_inlines_every_vendored_file_and_links_none(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    page = standalone_html(_map(layers, countries), _caption(synthetic=False), DEFAULT_VENDOR_DIR)
    inlined = {match.group("name") for match in INLINED.finditer(page)}
    assert inlined == {
        "leaflet@1.9.3/leaflet.js", "leaflet@1.9.3/leaflet.css",
        "leaflet.markercluster@1.1.0/leaflet.markercluster.js",
        "leaflet.markercluster@1.1.0/MarkerCluster.css",
        "leaflet.markercluster@1.1.0/MarkerCluster.Default.css",
    }  # fmt: skip
    assert not re.search(r"<script[^>]*\bsrc=|<link\b|<img\b|<iframe\b", page)
    assert "placeholder/vendor" not in page
    assert 'url("data:image/png;base64,' in page and "url(images/" not in page


def test_no_host_is_named_outside_the_vendored_libraries(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    page = standalone_html(_map(layers, countries), _caption(synthetic=False), DEFAULT_VENDOR_DIR)
    without_libraries = INLINED.sub("", page)
    assert "L.markerClusterGroup" in without_libraries  # folium's own script is still there
    assert not HOST.search(without_libraries)
    markup = ANY_SCRIPT_OR_STYLE.sub("", page)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)
    assert "tile.openstreetmap.org" not in page  # the tile layer is left out
    assert '.attributionControl.setPrefix("Leaflet")' in page  # no link to leafletjs.com


def test_heat_map_plugin_is_inlined_too(layers: Layers, countries: gpd.GeoDataFrame) -> None:
    page = standalone_html(_map(layers, countries, heat=True), _caption(synthetic=False))
    assert "/* leaflet.heat@0.2.0-folium0.20.0/leaflet_heat.min.js */" in page
    assert not HOST.search(INLINED.sub("", page))


def test_caption_is_escaped_text(layers: Layers, countries: gpd.GeoDataFrame) -> None:
    caption = _caption(synthetic=False, title=f"Map {PAYLOAD}")
    page = standalone_html(_map(layers, countries), caption, DEFAULT_VENDOR_DIR)
    assert PAYLOAD not in page and "onerror=alert(2)>" not in page
    assert "<h1>Map &lt;script&gt;alert(1)&lt;/script&gt;</h1>" in page
    assert "<title>Map &lt;script&gt;alert(1)&lt;/script&gt;</title>" in page
    assert "Source: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;img src=x " in page
    assert "<p>3 incidents · 43 people</p>" in page


def test_synthetic_caption_gets_a_red_banner_first() -> None:
    panel = caption_panel(_caption(synthetic=True))
    assert '<div class="hito-synthetic" role="alert">SYNTHETIC DATA</div>' in panel
    assert panel.index("hito-synthetic") < panel.index("<h1>")
    assert panel.count("SYNTHETIC DATA") == 1
    assert "hito-synthetic" not in caption_panel(_caption(synthetic=False))


def test_missing_vendored_file_is_named(
    layers: Layers, countries: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    vendor = tmp_path / "vendor"
    shutil.copytree(DEFAULT_VENDOR_DIR, vendor)
    (vendor / "leaflet.markercluster@1.1.0" / "leaflet.markercluster.js").unlink()
    with pytest.raises(ValueError, match=r"asset leaflet.markercluster@1.1.0/leaflet.markerclu"):
        standalone_html(_map(layers, countries), _caption(synthetic=False), vendor)


def test_missing_css_image_is_named(
    layers: Layers, countries: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    vendor = tmp_path / "vendor"
    shutil.copytree(DEFAULT_VENDOR_DIR, vendor)
    (vendor / "leaflet@1.9.3" / "images" / "layers.png").unlink()
    with pytest.raises(ValueError, match=r"leaflet.css names 'images/layers.png', missing"):
        standalone_html(_map(layers, countries), _caption(synthetic=False), vendor)


def test_a_link_to_a_cdn_is_refused(layers: Layers, countries: gpd.GeoDataFrame) -> None:
    figure = _map(layers, countries)
    Fullscreen().add_to(figure)  # links its script on a CDN
    with pytest.raises(ValueError, match=r"names a host: 'https://"):
        standalone_html(figure, _caption(synthetic=False), DEFAULT_VENDOR_DIR)


def test_a_local_link_that_is_not_vendored_is_refused(
    layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    figure = _map(layers, countries)
    root = figure.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(JavascriptLink("placeholder/vendor/other@1.0/other.js"))
    with pytest.raises(ValueError, match=r"links 'placeholder/vendor/other@1.0/other.js', wh"):
        standalone_html(figure, _caption(synthetic=False), DEFAULT_VENDOR_DIR)


def test_every_vendored_file_exists() -> None:
    assert VENDORED_FILES  # the list comes from geo.maps_folium.CDN_TO_VENDOR
    missing = [name for name in VENDORED_FILES if not (DEFAULT_VENDOR_DIR / name).is_file()]
    assert missing == []
