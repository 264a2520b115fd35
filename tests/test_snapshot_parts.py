"""Snapshot parts: round lengths, caption wrapping, layout, polygon holes, north, hexagons."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import h3
import numpy as np
import pytest
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch

from geo import snapshot_incidents
from geo.cells import add_cells
from geo.layers import Layers
from geo.schema import WGS84
from geo.settings import REPO_DATA_DIR
from geo.snapshot_incidents import (
    IncidentsInView,
    SnapshotIncidents,
    cells_of,
    cells_on_page,
    hexagon_outlines,
)
from geo.snapshot_layers import ProjectedLayers, polygons_path, project_layers
from geo.snapshot_layout import page_layout, wrap_line
from geo.snapshot_marks import format_length, nice_ceil, nice_length, true_north


@pytest.fixture(scope="module")
def projected(layers: Layers) -> ProjectedLayers:
    """Return the reference layers and bundled country outlines projected to EPSG:32719."""
    return project_layers(layers, gpd.read_file(REPO_DATA_DIR / "countries.geojson"))


def test_round_lengths_for_scale_bar_and_grid_cells() -> None:
    assert [nice_length(v) for v in (0.9, 1, 4.99, 7300, 49_999)] == [0.5, 1, 2, 5000, 20_000]
    assert [nice_ceil(v) for v in (0.9, 1, 1.01, 2.5, 7300)] == [1, 1, 2, 5, 10_000]
    assert [format_length(v) for v in (50, 500, 1000, 2500, 20_000)] == [
        "50 m", "500 m", "1 km", "2.5 km", "20 km",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="limit 0"):
        nice_length(0)


def test_caption_lines_wrap_at_separators_first_and_lose_no_words() -> None:
    line = "1 dic 2025 – 31 ene 2026 (America/Lima) · Chacalluta (Chile), Santa Rosa (Perú) · " + (
        "Grupo varado, Detención, Protesta, Ayuda humanitaria"
    )
    wrapped = wrap_line(line, width_px=360, font_px=10)  # 60 characters a line
    assert wrapped[0] == "1 dic 2025 – 31 ene 2026 (America/Lima) ·"
    assert all(len(piece) <= 60 for piece in wrapped)
    assert " ".join(wrapped).replace("· ·", "·").split() == line.split()
    assert wrap_line("short", width_px=1000, font_px=10) == ["short"]


def test_a_long_caption_never_squeezes_the_map_below_its_share() -> None:
    lines = ["word " * 400] * 6
    layout = page_layout(800, 600, 100, lines, synthetic=True)
    assert layout.map_box.height >= 0.4 * 600
    assert layout.caption_box.top + layout.caption_box.height <= 600 + 1e-9


def test_polygon_paths_keep_holes_as_holes() -> None:
    ring = shapely.box(0, 0, 10, 10)
    holed = shapely.Polygon(ring.exterior.coords, [shapely.box(4, 4, 6, 6).exterior.coords])
    figure = Figure(figsize=(2, 1), dpi=100)
    canvas = FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 20)
    ax.set_ylim(0, 10)
    path = polygons_path([holed, shapely.box(15, 0, 20, 5)])
    ax.add_patch(PathPatch(path, facecolor="#ff0000", edgecolor="none"))
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[:, :, :3]  # rows top-down, 10 px per unit
    assert tuple(pixels[80, 20]) == (255, 0, 0)  # (2, 2): in the ring
    assert tuple(pixels[50, 50]) == (255, 255, 255)  # (5, 5): in the hole
    assert tuple(pixels[80, 170]) == (255, 0, 0)  # (17, 2): the second polygon
    with pytest.raises(ValueError, match="expected polygons"):
        polygons_path([shapely.Point(0, 0)])


def test_north_arrow_points_to_true_north_a_fraction_of_a_degree_off_grid_north(
    projected: ProjectedLayers,
) -> None:
    x, y = projected.to_metric.transform(-70.31, -18.31)
    dx, dy = true_north((x - 1000, y - 1000, x + 1000, y + 1000), projected.to_lonlat,
                        projected.to_metric)  # fmt: skip
    assert dx**2 + dy**2 == pytest.approx(1)
    angle = np.degrees(np.arctan2(dx, dy))
    assert 0.2 < abs(angle) < 1.0  # 1.3° west of UTM 19S's meridian at 18.3° S


# --- hexagons -------------------------------------------------------------------------------


def _near_chacalluta(count: int) -> SnapshotIncidents:
    """`count` incidents scattered ~3 km around Chacalluta, all inside a 30 km view."""
    rng = np.random.default_rng(3)
    lon, lat = -70.3129 + rng.normal(0, 0.03, count), -18.3115 + rng.normal(0, 0.03, count)
    frame = gpd.GeoDataFrame({"category": ["other"] * count},
                             geometry=gpd.points_from_xy(lon, lat), crs=WGS84)  # fmt: skip
    empty = IncidentsInView(np.empty(0), np.empty(0), np.empty(0, dtype=np.int64))
    return SnapshotIncidents(frame, lon, lat, empty)


def _view_around_chacalluta(
    projected: ProjectedLayers, half_m: float
) -> tuple[float, float, float, float]:
    x, y = projected.to_metric.transform(-70.3129, -18.3115)
    return (x - half_m, y - half_m, x + half_m, y + half_m)


def test_hexagon_outlines_are_the_h3_cells_in_metres(projected: ProjectedLayers) -> None:
    cell = h3.latlng_to_cell(-18.3115, -70.3129, 7)
    (ring,) = hexagon_outlines(np.array([h3.str_to_int(cell)], dtype=np.uint64), projected)
    assert ring.shape == (6, 2)
    area = shapely.Polygon(ring).area
    assert area == pytest.approx(h3.cell_area(cell, unit="m^2"), rel=0.01)  # UTM: ~0.1 % off
    assert hexagon_outlines(np.empty(0, dtype=np.uint64), projected) == []


def test_cells_come_from_the_frame_s_columns_or_from_lon_lat_alike(
    projected: ProjectedLayers,
) -> None:
    incidents = _near_chacalluta(200)
    rows = np.arange(0, 200, 3)
    celled = replace(incidents, frame=add_cells(incidents.frame))
    for resolution in (5, 7, 9):
        computed = cells_of(incidents, rows, resolution)
        assert computed.dtype == np.uint64
        assert computed.tolist() == cells_of(celled, rows, resolution).tolist()


def test_too_many_hexagons_for_a_page_go_one_resolution_coarser(
    projected: ProjectedLayers, monkeypatch: pytest.MonkeyPatch
) -> None:
    incidents = _near_chacalluta(3_000)
    view = _view_around_chacalluta(projected, 15_000)
    fine = cells_on_page(incidents, view, projected, 9)
    assert fine.resolution == 9 and len(fine.cells) > 1_000
    assert int(fine.counts.sum()) == 3_000  # every incident lies within the view
    monkeypatch.setattr(snapshot_incidents, "PAGE_CELLS_MAX", 1_000)
    coarse = cells_on_page(incidents, view, projected, 9)
    assert coarse.resolution < 9 and len(coarse.cells) <= 1_000
    assert int(coarse.counts.sum()) == 3_000


def test_only_hexagons_reaching_into_the_view_are_drawn_but_they_count_every_incident(
    projected: ProjectedLayers,
) -> None:
    incidents = _near_chacalluta(3_000)
    view = _view_around_chacalluta(projected, 2_000)  # a 4 km box: many incidents outside
    page = cells_on_page(incidents, view, projected, 7)
    box = shapely.box(*view)
    assert all(shapely.Polygon(ring).intersects(box) for ring in page.outlines)
    whole = cells_of(incidents, np.arange(3_000), 7)
    for cell, count in zip(page.cells.tolist(), page.counts.tolist(), strict=True):
        assert count == int((whole == cell).sum())  # also the incidents outside the view
