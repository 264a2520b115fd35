"""The Export tab: download the current view as a map snapshot (PNG, PDF, SVG, HTML) or data.

Every button's file is made when the tab is drawn (only while it is open), from the same
filtered rows the page shows — except data files of more than EAGER_ROWS rows, which are
made when asked for (a "prepare" button), so opening the tab on a million rows stays quick.
A file's name is time + a short hash of the filter, the rows' origin (the store's change
token and this session's uploads) and the snapshot settings, so two exports never share a
name unless they are the same file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

import geopandas as gpd
import streamlit as st

from dashboard import data
from dashboard.state import View
from geo.caption import SnapshotCaption, snapshot_caption
from geo.exports import export_bytes, export_name
from geo.i18n import describe_filter, text
from geo.layers import Layers
from geo.map_incidents import map_incidents
from geo.map_policy import RenderPolicy
from geo.maps_folium import folium_map
from geo.settings import tiles_from_env
from geo.snapshot import drawable_part, render_snapshot
from geo.snapshot_html import standalone_html
from geo.snapshot_layers import ProjectedLayers

Bbox = tuple[float, float, float, float]
SNAPSHOT_SIZE: Final = (1600, 1200)  # pixels, the CLI's default too
# Data files of more rows than this are made on request, not whenever the tab is drawn.
EAGER_ROWS: Final = 50_000
READY_KEY: Final = "hito.export.ready"  # session_state: recipes the user asked to prepare
DEFAULT_RENDER_POLICY: Final = RenderPolicy()
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
    source: str  # geo.caption's source: its DEMO_SOURCE, or the store's and uploads' names
    content_key: str  # identifies the rows behind the view: store change token + uploads
    role: str = "public"  # who downloads: the public's rows passed geo.privacy.gate
    render_policy: RenderPolicy = DEFAULT_RENDER_POLICY  # points or cells (geo.map_policy)


def render_export(scene: ExportScene) -> None:
    """Draw the export panel: what will be exported, then one download button per format."""
    lang = scene.view.lang
    st.caption(describe_filter(scene.view.filter, lang))
    st.caption(text(_extent_key(scene), lang))
    made_at = datetime.now(UTC).replace(microsecond=0)
    st.subheader(text("export_map", lang))
    _buttons(scene, MAP_FORMATS, "map", made_at)
    st.subheader(text("export_data", lang))
    _buttons(scene, DATA_FORMATS, "incidents", made_at)


def snapshot_bounds(map_bounds: Bbox | None) -> Bbox | None:
    """Return the map's bounds a snapshot can draw: clipped to geo.snapshot's drawable
    area (a map zoomed far out reaches beyond it); None when nothing is left."""
    return None if map_bounds is None else drawable_part(map_bounds)


def _extent_key(scene: ExportScene) -> str:
    drawn = snapshot_bounds(scene.bounds)
    if drawn is None:
        return "export_extent_data"
    return "export_extent_map" if drawn == scene.bounds else "export_extent_clipped"


def file_maker(scene: ExportScene, fmt: str) -> Callable[[], bytes]:
    """Return a function making the file of `fmt` for `scene` (run when the button is clicked)."""
    if fmt in DATA_FORMATS:
        return lambda: export_bytes(scene.filtered, fmt, role=scene.role)
    if fmt == "html":
        return lambda: _html_snapshot(scene).encode("utf-8")
    return lambda: _static_snapshot(scene, fmt)


def _buttons(
    scene: ExportScene,
    formats: dict[str, tuple[str, str]],
    kind: str,
    made_at: datetime,
) -> None:
    """One download button per format; a file's name hashes the filter, the rows' origin
    (content_key), the source and the snapshot settings."""
    settings = (scene.content_key, scene.role, scene.source, scene.bounds, scene.view.lang,
                scene.view.heat, SNAPSHOT_SIZE)  # fmt: skip
    columns = st.columns(len(formats))
    for column, (fmt, (mime, label_key)) in zip(columns, formats.items(), strict=True):
        recipe = repr((scene.view.filter, scene.view.center, scene.view.zoom, *settings, fmt))
        name = export_name(kind, scene.view.filter, recipe.encode("utf-8"), made_at, fmt)
        # Bytes, not the deferred callable: Streamlit 1.67 leaves a deferred file unreferenced
        # and another session's finished run can delete it before the browser fetches it
        # (404 under load, seen with 20 sessions). Made once per recipe (dashboard.data), and
        # only while the Export tab is open.
        if not _made_now(scene, fmt, recipe):
            column.button(
                text("export_prepare", scene.view.lang, label=text(label_key, scene.view.lang)),
                key=f"hito.export.prepare.{fmt}", on_click=_ask_for, args=(recipe,),
                width="stretch",
            )  # fmt: skip
            continue
        content = data.export_file(recipe, file_maker(scene, fmt))
        column.download_button(
            text(label_key, scene.view.lang), data=content, file_name=name,
            mime=mime, key=f"hito.export.{fmt}", on_click="ignore", width="stretch",
        )  # fmt: skip


def _made_now(scene: ExportScene, fmt: str, recipe: str) -> bool:
    """Whether the file of `fmt` is made as the tab is drawn: snapshots (their size does
    not grow with the rows) and small data files always; a large data file once asked for."""
    if fmt not in DATA_FORMATS or len(scene.filtered) <= EAGER_ROWS:
        return True
    return recipe in st.session_state.get(READY_KEY, ())


def _ask_for(recipe: str) -> None:
    """Remember that this session asked for the file of `recipe` (before the rerun)."""
    st.session_state[READY_KEY] = (*st.session_state.get(READY_KEY, ())[-15:], recipe)


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
        scene.filtered, scene.layers, scene.countries, caption, fmt=fmt,
        bbox=snapshot_bounds(scene.bounds), policy=scene.render_policy,
        width_px=width, height_px=height, lang=scene.view.lang, projected=scene.projected,
    )  # fmt: skip


def _html_snapshot(scene: ExportScene) -> str:
    view = scene.view
    caption = _caption(scene)
    shown, _ = map_incidents(
        scene.filtered, zone=view.filter.zone, center=view.center, zoom=view.zoom,
        policy=scene.render_policy, day_only=scene.role == "public",
    )  # fmt: skip
    figure = folium_map(
        scene.layers, scene.countries, shown, lang=view.lang, center=view.center,
        zoom=view.zoom, heat=view.heat, tiles=tiles_from_env(),
    )  # fmt: skip
    return standalone_html(figure, caption)
