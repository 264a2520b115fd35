"""Snapshot parts: round lengths, caption wrapping, page layout, polygon holes, true north."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch

from geo.layers import Layers
from geo.settings import REPO_DATA_DIR
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
