"""The Export tab's files: each format made on click from the view's rows, unique names."""

from __future__ import annotations

import io
import json
import struct
from dataclasses import replace
from datetime import date

import geopandas as gpd
import pandas as pd
import pytest

from dashboard.export_view import (
    DATA_FORMATS,
    MAP_FORMATS,
    ExportScene,
    file_maker,
    snapshot_bounds,
)
from dashboard.state import View
from geo.caption import DEMO_SOURCE
from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.layers import Layers
from geo.query import Filter, apply_filter, prepare
from geo.settings import data_dir
from geo.snapshot_layers import project_layers

WEEK = Filter(start=date(2026, 1, 5), end=date(2026, 1, 11), crossings=("chacalluta",))


@pytest.fixture(scope="module")
def scene(layers: Layers) -> ExportScene:
    incidents = prepare(enrich(read_incidents(data_dir() / "demo_incidents.csv").incidents, layers))
    countries = gpd.read_file(data_dir() / "countries.geojson")
    return ExportScene(
        filtered=apply_filter(incidents, WEEK), layers=layers, countries=countries,
        projected=project_layers(layers, countries), view=View(filter=WEEK, lang="en"),
        bounds=(-70.45, -18.40, -70.20, -18.20), source=DEMO_SOURCE, content_key="demo#1",
    )  # fmt: skip


def test_the_png_is_a_1600_by_1200_image(scene: ExportScene) -> None:
    png = file_maker(scene, "png")()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1600, 1200)


def test_the_svg_names_the_filter_and_says_synthetic(scene: ExportScene) -> None:
    svg = file_maker(scene, "svg")().decode("utf-8")
    assert "5 Jan 2026" in svg and "11 Jan 2026" in svg and "Chacalluta" in svg
    assert "SYNTHETIC DATA" in svg


def test_the_pdf_and_html_are_made(scene: ExportScene) -> None:
    assert file_maker(scene, "pdf")().startswith(b"%PDF")
    html = file_maker(scene, "html")().decode("utf-8")
    assert "leaflet" in html.lower() and "SYNTHETIC DATA" in html
    assert "https://cdn" not in html


def test_data_exports_hold_exactly_the_filtered_rows(scene: ExportScene) -> None:
    expected = len(scene.filtered)
    assert expected > 0
    table = pd.read_csv(io.BytesIO(file_maker(scene, "csv")()))
    assert len(table) == expected
    assert set(table["crossing"]) == {"chacalluta"}
    collection = json.loads(file_maker(scene, "geojson")())
    assert len(collection["features"]) == expected
    assert "description" not in collection["features"][0]["properties"]
    assert file_maker(scene, "gpkg")()[:16] == b"SQLite format 3\x00"


def test_every_format_has_a_maker() -> None:
    assert set(MAP_FORMATS) | set(DATA_FORMATS) == {
        "png", "pdf", "svg", "html", "csv", "geojson", "gpkg"
    }  # fmt: skip


def test_a_map_zoomed_out_past_the_drawable_area_is_cut_to_it(scene: ExportScene) -> None:
    assert snapshot_bounds((-70.45, -18.4, -70.2, -18.2)) == (-70.45, -18.4, -70.2, -18.2)
    assert snapshot_bounds((-95.0, -40.0, -45.0, 5.0)) == (-84.0, -40.0, -54.0, 5.0)
    assert snapshot_bounds((-120.0, -40.0, -100.0, 5.0)) is None  # nothing drawable left
    assert snapshot_bounds(None) is None
    wide = replace(scene, bounds=(-95.0, -40.0, -45.0, 5.0))
    assert file_maker(wide, "png")()[:8] == b"\x89PNG\r\n\x1a\n"  # drawn, not refused
