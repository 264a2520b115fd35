"""Injection payloads in every text field never reach a map, snapshot, export or page raw.

The payloads (tests/fixtures/payloads/payloads.json) sit in every text field of an incident
CSV and GeoJSON, in rejected values, in column names and in the uploaded file's name. What
"raw" means in each output context is defined in tests/fixtures/payloads/payload_kit.py.
Each check also asserts that the payloads did reach the output as data (escaped), so a check
that finds nothing proves something.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import runpy
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from payload_fixtures import FILE_NAME, PAYLOAD_DIR, PAYLOADS, kit
from streamlit.testing.v1 import AppTest

from geo.caption import snapshot_caption
from geo.enrich import enrich
from geo.exports import export_bytes
from geo.ingest import IngestResult, read_incidents
from geo.layers import Layers
from geo.map_policy import RenderPolicy
from geo.maps import incident_points, pydeck_hexagons
from geo.maps_folium import folium_map
from geo.query import Filter, prepare
from geo.snapshot_html import standalone_html

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


TEXT_FIELDS = ("incident_id", "source", "source_url", "description")
REJECTED_FIELDS = ("category", "crossing", "nationalities", "people_count", "occurred_at",
                   "verified")  # fmt: skip
MAP_TEXT_COLUMNS = ("category", "crossing", "people", "local_time")
CENTER = (-18.3115, -70.314)  # the payload grid, between Chacalluta and Santa Rosa
DAY = date(2024, 6, 15)
ZONE = "America/Santiago"
STAMP = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)


def _read(name: str, layers: Layers) -> IngestResult:
    return read_incidents(PAYLOAD_DIR / name, layers=layers)


@pytest.fixture(scope="module")
def incidents(layers: Layers) -> gpd.GeoDataFrame:
    """The accepted payload rows of payloads.csv, enriched and prepared as the app does."""
    return prepare(enrich(_read("payloads.csv", layers).incidents, layers))


@pytest.fixture(scope="module")
def injected_points(incidents: gpd.GeoDataFrame) -> pd.DataFrame:
    """Map points with a payload in every text column: what a store not written by our
    validated ingest could hand the map builders (defence in depth)."""
    points = incident_points(incidents, ZONE)
    for row, payload in enumerate(PAYLOADS):
        points.loc[row, ["category", "crossing", "people"]] = payload
        points.loc[row, "local_time"] = f"{payload} ({ZONE})"
    return points


def _folium_page(
    layers: Layers, countries: gpd.GeoDataFrame, points: pd.DataFrame, *, heat: bool
) -> str:
    figure = folium_map(layers, countries, points, lang="es", center=CENTER, zoom=16, heat=heat)
    return str(figure.get_root().render())


# --- the fixtures ---------------------------------------------------------------------------


def test_the_fixture_files_are_what_the_generator_writes() -> None:
    generator = runpy.run_path(str(PAYLOAD_DIR / "make_payloads.py"))
    payloads = generator["load_payloads"]()
    assert tuple(payloads) == PAYLOADS and len(PAYLOADS) == 9
    assert (PAYLOAD_DIR / "payloads.csv").read_text(encoding="utf-8") == generator["csv_text"](
        payloads
    )
    assert (PAYLOAD_DIR / "payloads.geojson").read_text(encoding="utf-8") == generator[
        "geojson_text"
    ](payloads)


@pytest.mark.parametrize("name", ["payloads.csv", "payloads.geojson"])
def test_payloads_are_read_as_data_or_rejected_with_the_value_quoted(
    name: str, layers: Layers
) -> None:
    result = _read(name, layers)
    report = result.report
    assert (report.accepted, report.rejected, report.total) == (45, 54, 99)
    rows = result.incidents
    for payload in PAYLOADS:
        for field in TEXT_FIELDS:
            assert (rows[field].astype(str).str.startswith(payload)).sum() == 5, (payload, field)
    quoted = {(problem.field, problem.value) for problem in report.problems}
    assert quoted == {(field, p) for field in REJECTED_FIELDS for p in PAYLOADS}
    notices = " ".join(notice.message for notice in report.notices)
    assert all(payload in notices for payload in PAYLOADS)  # the extra columns, by name


# --- map builders ---------------------------------------------------------------------------


@pytest.mark.parametrize("heat", [False, True])
def test_the_folium_map_of_payload_rows_shows_nothing_raw(
    incidents: gpd.GeoDataFrame, layers: Layers, countries: gpd.GeoDataFrame, heat: bool
) -> None:
    page = _folium_page(layers, countries, incident_points(incidents, ZONE), heat=heat)
    assert kit.html_raw_findings(page) == []
    assert not any(payload in page for payload in PAYLOADS)  # map columns are allow-listed
    assert page.count("-18.3115") >= 5  # the payload rows are on the map


@pytest.mark.parametrize("heat", [False, True])
def test_payloads_in_every_map_column_stay_inert_text(
    injected_points: pd.DataFrame, layers: Layers, countries: gpd.GeoDataFrame, heat: bool
) -> None:
    page = _folium_page(layers, countries, injected_points, heat=heat)
    assert kit.html_raw_findings(page) == []
    data = _incident_layer_data(page)  # still valid JSON, and it gives back every payload
    shown = [item["label"] for item in data["categories"]]
    assert shown[: len(PAYLOADS)] == list(PAYLOADS)
    assert data["crossings"][: len(PAYLOADS)] == list(PAYLOADS)
    assert data["people"][: len(PAYLOADS)] == list(PAYLOADS)
    assert data["local_time"][: len(PAYLOADS)] == list(PAYLOADS)


def _incident_layer_data(page: str) -> dict[str, Any]:
    """Parse the JSON object the incident layer's script is called with (it must be JSON:
    an escape that also hit JSON's own braces or quotes would break the page's script)."""
    call = re.search(r"\}\)\(incident_clusters_[0-9a-f]+, ", page)
    assert call is not None, "no incident layer in the page"
    data, _ = json.JSONDecoder().raw_decode(page, call.end())
    assert isinstance(data, dict)
    return data


def test_folium_never_evaluates_map_text_as_a_template(
    injected_points: pd.DataFrame, layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    """folium renders every element's script output again as a Jinja2 template: `{{…}}` in
    user text would run on the server (e.g. `{{ lipsum.__globals__.os.getpid() }}`)."""
    page = _folium_page(layers, countries, injected_points, heat=False)
    assert not kit.template_evaluated(page), "{{7*7}} in a map column was evaluated (49)"


def test_the_standalone_html_snapshot_escapes_rows_and_file_names(
    incidents: gpd.GeoDataFrame, layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    figure = folium_map(
        layers, countries, incident_points(incidents, ZONE), lang="es", center=CENTER,
        zoom=16, heat=False,
    )  # fmt: skip
    caption = snapshot_caption(
        incidents, Filter(start=DAY, end=DAY, zone=ZONE), lang="es", generated_at=STAMP,
        source=", ".join([FILE_NAME, *PAYLOADS]),  # as the app names uploaded files
    )  # fmt: skip
    page = standalone_html(figure, caption)
    assert kit.html_raw_findings(page) == []
    assert all(html.escape(payload) in page for payload in PAYLOADS)  # shown, as text


def test_the_standalone_html_refuses_a_map_naming_a_host(
    injected_points: pd.DataFrame, layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    figure = folium_map(
        layers, countries, injected_points, lang="es", center=CENTER, zoom=16, heat=False
    )
    caption = snapshot_caption(
        pd.DataFrame({"people_count": [1]}), Filter(), lang="es", generated_at=STAMP, source="x"
    )
    with pytest.raises(ValueError, match=r"names a host: 'http://example\.org/x\.png"):
        standalone_html(figure, caption)


def test_the_pydeck_hexagons_carry_no_text(
    incidents: gpd.GeoDataFrame, layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    deck, plan = pydeck_hexagons(layers, countries, incidents, "es", zone=ZONE,
                                 policy=RenderPolicy(points_max=10))  # fmt: skip
    page, spec = deck.to_html(as_string=True), deck.to_json()
    assert isinstance(page, str)
    assert plan.mode == "cells"  # 45 rows over a threshold of 10: counts per H3 cell only
    assert kit.html_raw_findings(page) == []
    assert not any(payload in text for payload in PAYLOADS for text in (page, spec))


def test_the_pydeck_points_carry_payloads_as_data_with_plain_text_tooltips(
    incidents: gpd.GeoDataFrame, layers: Layers, countries: gpd.GeoDataFrame
) -> None:
    deck, plan = pydeck_hexagons(layers, countries, incidents, "es", zone=ZONE,
                                 policy=RenderPolicy())  # fmt: skip
    tooltip = deck._tooltip  # what st.pydeck_chart hands deck.gl (not in to_json)
    assert plan.mode == "points"
    assert set(tooltip) == {"text"}  # never "html": deck.gl would parse it as HTML
    assert not [p for p in PAYLOADS if p in json.dumps(tooltip)]
    assert plan.total == len(incidents)


def test_the_csv_export_keeps_payloads_as_exact_cells(incidents: gpd.GeoDataFrame) -> None:
    text = export_bytes(incidents, "csv").decode("utf-8")
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == 45
    assert {row["source"] for row in table} == set(PAYLOADS)  # data, neither cut nor mangled
    assert not [p for p in PAYLOADS if p in "".join(table[0].keys())]  # no payload column
    cells = [cell for row in table for cell in row.values()]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]


def test_the_geojson_export_holds_payloads_as_json_strings_only(
    incidents: gpd.GeoDataFrame,
) -> None:
    document = json.loads(export_bytes(incidents, "geojson"))
    keys, values = _json_keys_and_strings(document)
    assert not [key for key in keys if any(payload in key for payload in PAYLOADS)]
    assert set(PAYLOADS) <= set(values)


def _json_keys_and_strings(node: Any) -> tuple[list[str], list[str]]:
    keys: list[str] = []
    values: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            keys.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            values.append(item)
    return keys, values


# --- the dashboard (AppTest) ----------------------------------------------------------------

DATA_NODES = frozenset({"dataframe", "code", "text"})  # show user text as data, never Markdown
VIEW_PARAMS = {"from": DAY.isoformat(), "to": DAY.isoformat(), "tz": ZONE,
               "lat": str(CENTER[0]), "lon": str(CENTER[1]), "zoom": "16"}  # fmt: skip
UPLOADS = (("payloads.csv", ".csv", "text/csv"),
           ("payloads.geojson", ".geojson", "application/geo+json"))  # fmt: skip
TABS = ("Mapa", "Hexágonos", "Línea de tiempo", "Tabla", "Exportar", "Cargar datos")


def _strings(message: Any) -> Iterator[str]:
    """Every str field of a protobuf message, nested messages included (bytes decoded)."""
    for field, value in message.ListFields():
        for item in value if field.is_repeated else [value]:
            if field.type == field.TYPE_MESSAGE:
                yield from _strings(item)
            elif isinstance(item, bytes):
                yield item.decode("utf-8", "replace")
            elif isinstance(item, str):
                yield item


def _scan(app: AppTest, where: str) -> tuple[list[str], int]:
    """Return the Markdown findings of every non-data element and how many data elements
    hold a payload."""
    findings: list[str] = []
    as_data = 0
    for node in app._tree:
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        texts = list(_strings(proto))
        if node.type in DATA_NODES:
            as_data += any(payload in text for text in texts for payload in PAYLOADS)
            continue
        for text in texts:
            findings += kit.markdown_findings(f"{where}: {node.type}", text)
    return findings, as_data


def test_the_dashboard_shows_payload_uploads_as_data_only() -> None:
    app = AppTest.from_file(str(APP), default_timeout=180)
    for key, value in VIEW_PARAMS.items():
        app.query_params[key] = value
    app.run()
    app.session_state["hito.tab"] = "Cargar datos"
    app.run()
    findings: list[str] = []
    shown_as_data = 0
    for name, suffix, mime in UPLOADS:
        named = FILE_NAME.removesuffix(".csv") + suffix
        upload = (named, (PAYLOAD_DIR / name).read_bytes(), mime)
        app.file_uploader[0].set_value(upload).run()
        assert not app.exception
        found, as_data = _scan(app, f"upload {name}")
        findings += found
        shown_as_data += as_data
    for tab in TABS:
        app.session_state["hito.tab"] = tab
        app.run()
        assert not app.exception, tab
        found, as_data = _scan(app, tab)
        findings += found
        shown_as_data += as_data
    assert findings == []
    assert shown_as_data >= 4  # report tables, kept-files table, incidents table
    incidents = {metric.label: metric.value for metric in app.metric}["Incidentes"]
    assert incidents == "90"  # both uploads on the payload day
