"""The Export tab: download the current view as a map snapshot (PNG, PDF, SVG, HTML) or data.

Every button's file is made when it is clicked (a deferred download, off the script
thread), from the same filtered rows the page shows; its name is fixed when the tab is
drawn: time + a short hash of the filter, the rows and the snapshot settings, so two
exports never share a name unless they are the same file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import geopandas as gpd
import pandas as pd
import streamlit as st

from dashboard.state import View
from geo.caption import SnapshotCaption, snapshot_caption
from geo.exports import export_bytes, export_name
from geo.i18n import describe_filter, text
from geo.layers import Layers
from geo.maps import incident_points
from geo.maps_folium import folium_map
from geo.snapshot import render_snapshot
from geo.snapshot_html import standalone_html
from geo.snapshot_layers import ProjectedLayers

Bbox = tuple[float, float, float, float]
FINGERPRINT_COLUMNS: Final = (
    "incident_id", "occurred_at", "category", "crossing", "people_count", "synthetic"
)  # fmt: skip
SNAPSHOT_SIZE: Final = (1600, 1200)  # pixels, the CLI's default too
# format -> (MIME type, label key); snapshots first, then data.
MAP_FORMATS: Final = {
    "png": ("image/png", "export_png"),
    "pdf": ("application/pdf", "export_pdf"),
    "svg": ("image/svg+xml", "export_svg"),
    "html": ("text/html", "export_html"),
}
DATA_FORMATS: Final = {
    "csv": ("text/csv", "export_csv"),
    "geojson": ("application/geo+json", "export_geojson"),
    "gpkg": ("application/geopackage+sqlite3", "export_gpkg"),
}


@dataclass(frozen=True)
class ExportScene:
    """What an export shows: the filtered rows, the layers to draw and the view's settings."""

    filtered: gpd.GeoDataFrame
    layers: Layers
    countries: gpd.GeoDataFrame
    projected: ProjectedLayers
    view: View
    bounds: Bbox | None  # the map's current bounds; None: the filtered rows' extent
    source: str  # geo.caption's source: its DEMO_SOURCE, or that and the uploaded files' names


def render_export(scene: ExportScene) -> None:
    """Draw the export panel: what will be exported, then one download button per format."""
    lang = scene.view.lang
    st.caption(describe_filter(scene.view.filter, lang))
    extent_key = "export_extent_map" if scene.bounds is not None else "export_extent_data"
    st.caption(text(extent_key, lang))
    fingerprint = rows_fingerprint(scene.filtered)
    made_at = datetime.now(UTC).replace(microsecond=0)
    st.subheader(text("export_map", lang))
    _buttons(scene, MAP_FORMATS, "map", fingerprint, made_at)
    st.subheader(text("export_data", lang))
    _buttons(scene, DATA_FORMATS, "incidents", fingerprint, made_at)


def rows_fingerprint(filtered: gpd.GeoDataFrame) -> bytes:
    """Return a digest of the rows an export holds: ids, times, places, categories,
    crossings and people counts, in order."""
    present = [column for column in FINGERPRINT_COLUMNS if column in filtered.columns]
    table = pd.DataFrame(filtered[present]).assign(
        lon=filtered.geometry.x.to_numpy(), lat=filtered.geometry.y.to_numpy()
    )
    hashed = pd.util.hash_pandas_object(table, index=False)
    return hashlib.sha256(hashed.to_numpy().tobytes()).digest()


def file_maker(scene: ExportScene, fmt: str) -> Callable[[], bytes]:
    """Return a function making the file of `fmt` for `scene` (run when the button is clicked)."""
    if fmt in DATA_FORMATS:
        return lambda: export_bytes(scene.filtered, fmt)
    if fmt == "html":
        return lambda: _html_snapshot(scene).encode("utf-8")
    return lambda: _static_snapshot(scene, fmt)


def _buttons(
    scene: ExportScene,
    formats: dict[str, tuple[str, str]],
    kind: str,
    fingerprint: bytes,
    made_at: datetime,
) -> None:
    settings = repr((scene.bounds, scene.view.lang, scene.view.heat, SNAPSHOT_SIZE)).encode()
    columns = st.columns(len(formats))
    for column, (fmt, (mime, label_key)) in zip(columns, formats.items(), strict=True):
        recipe = fingerprint + settings + fmt.encode()
        name = export_name(kind, scene.view.filter, recipe, made_at, fmt)
        column.download_button(
            text(label_key, scene.view.lang), data=file_maker(scene, fmt), file_name=name,
            mime=mime, key=f"hito.export.{fmt}", on_click="ignore", width="stretch",
        )  # fmt: skip


def _caption(scene: ExportScene) -> SnapshotCaption:
    """The caption, stamped with the time the file is made."""
    return snapshot_caption(
        scene.filtered, scene.view.filter, lang=scene.view.lang,
        generated_at=datetime.now(UTC), source=scene.source,
    )  # fmt: skip


def _static_snapshot(scene: ExportScene, fmt: str) -> bytes:
    caption = _caption(scene)
    width, height = SNAPSHOT_SIZE
    return render_snapshot(
        scene.filtered, scene.layers, scene.countries, caption, fmt=fmt, bbox=scene.bounds,
        width_px=width, height_px=height, lang=scene.view.lang, projected=scene.projected,
    )  # fmt: skip


def _html_snapshot(scene: ExportScene) -> str:
    view = scene.view
    caption = _caption(scene)
    points = incident_points(scene.filtered, view.filter.zone)
    figure = folium_map(
        scene.layers, scene.countries, points, lang=view.lang, center=view.center,
        zoom=view.zoom, heat=view.heat,
    )  # fmt: skip
    return standalone_html(figure, caption)
