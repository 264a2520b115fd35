"""The static snapshot follows the render policy: points up to policy.points_max in view,
then H3 hexagons at the page's scale, coloured and listed by count class as on the web map."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba

from geo.caption import SnapshotCaption, snapshot_caption
from geo.cell_classes import CELL_PALETTE
from geo.cells import add_cells, cell_column, edge_length_m
from geo.i18n import category_label
from geo.layers import Layers
from geo.map_policy import RenderPolicy, resolution_for_scale
from geo.query import Filter
from geo.schema import CATEGORIES, WGS84
from geo.snapshot import (
    DEFAULT_POLICY,
    ProjectedLayers,
    render_snapshot,
    snapshot_figure,
)

GENERATED = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)


def _incidents(
    lon: list[float] | np.ndarray, lat: list[float] | np.ndarray, categories: list[str] | np.ndarray
) -> gpd.GeoDataFrame:
    count = len(lon)
    return gpd.GeoDataFrame(
        {"category": list(categories), "people_count": pd.array([2] * count, dtype="Int64")},
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    )


def _caption(frame: pd.DataFrame, lang: str = "es") -> SnapshotCaption:
    return snapshot_caption(frame, Filter(), lang=lang, generated_at=GENERATED, source="test")


def _svg_texts(svg: bytes) -> list[str]:
    """Return the text of every <text> element (the caption, legend and labels)."""
    return [unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg.decode())]


def _cloud(count: int) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(5)
    lon = rng.normal(-70.3129, 0.01, count)
    lat = rng.normal(-18.3115, 0.01, count)
    return _incidents(lon, lat, rng.choice(np.array(CATEGORIES), count))


def _clusters() -> gpd.GeoDataFrame:
    """12 incidents at one spot near Chacalluta and 3 at another ~5 km north-east."""
    lon = [-70.3129] * 12 + [-70.27] * 3
    lat = [-18.3115] * 12 + [-18.27] * 3
    return _incidents(lon, lat, ["stranded_group"] * 12 + ["protest"] * 3)


def _cell_collection(ax: Axes) -> PolyCollection:
    """Return the one hexagon collection drawn on the map axes."""
    (cells,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    return cells


SMALL = RenderPolicy(points_max=10)
CLUSTER_BOX = (-70.36, -18.34, -70.24, -18.24)


def test_the_default_policy_is_the_web_maps_default() -> None:
    assert RenderPolicy() == DEFAULT_POLICY  # 2,000 points, then hexagons
    assert DEFAULT_POLICY.points_max == 2_000


def test_points_up_to_the_policy_threshold_then_h3_hexagons(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    cloud = _cloud(11)
    bbox = (-70.45, -18.45, -70.17, -18.17)
    at_limit = cloud.iloc[:10]
    few = snapshot_figure(at_limit, layers, countries, _caption(at_limit), bbox=bbox,
                          projected=projected, policy=SMALL)  # fmt: skip
    assert (few.incidents.mode, few.incidents.shown) == ("points", 10)
    assert not [c for c in few.map_axes.collections if isinstance(c, PolyCollection)]
    many = snapshot_figure(cloud, layers, countries, _caption(cloud), bbox=bbox,
                           projected=projected, policy=SMALL)  # fmt: skip
    drawn = many.incidents
    assert (drawn.mode, drawn.shown) == ("cells", 11)
    xmin, _, xmax, _ = many.view
    assert drawn.resolution == resolution_for_scale((xmax - xmin) / many.layout.map_box.width)
    assert drawn.resolution == 8  # 0.28° on ~1,220 px: ~28 m a pixel, 8 px = 224 m ≤ 531 m
    cells = _cell_collection(many.map_axes)
    assert len(cells.get_paths()) == drawn.cells >= 2
    assert drawn.largest <= 11


def test_hexagons_count_their_incidents_and_take_the_class_colours(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    frame = _clusters()
    drawn = snapshot_figure(frame, layers, countries, _caption(frame), bbox=CLUSTER_BOX,
                            projected=projected, policy=SMALL)  # fmt: skip
    shown = drawn.incidents
    assert (shown.mode, shown.cells, shown.largest) == ("cells", 2, 12)
    cells = _cell_collection(drawn.map_axes)
    x, y = projected.to_metric.transform(-70.3129, -18.3115)
    busy = [i for i, path in enumerate(cells.get_paths()) if path.contains_point((x, y))]
    assert len(busy) == 1
    outline = np.asarray(cells.get_paths()[busy[0]].vertices)
    sides = np.hypot(*np.diff(outline[:7], axis=0).T)
    assert shown.resolution is not None
    edge = edge_length_m(shown.resolution)
    assert np.all(np.abs(sides[:6] - edge) < 0.1 * edge)  # a hexagon of its resolution, metres
    # class_starts(12) = [1, 2, 5, 10]: 12 is the darkest of 4 classes, 3 the second.
    faces = np.asarray(cells.get_facecolor())
    assert tuple(faces[busy[0]]) == pytest.approx(to_rgba(CELL_PALETTE[-1], 0.72))
    other = 1 - busy[0]
    assert tuple(faces[other]) == pytest.approx(to_rgba(CELL_PALETTE[2], 0.72))


def test_the_hexagon_legend_lists_size_and_count_classes_not_categories(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    frame = _clusters()
    drawn = snapshot_figure(frame, layers, countries, _caption(frame), bbox=CLUSTER_BOX,
                            projected=projected, policy=SMALL).incidents  # fmt: skip
    assert drawn.resolution is not None
    edge = f"{round(edge_length_m(drawn.resolution)):,}"
    for lang, header, size in (
        ("en", "Incidents, aggregated", f"Hexagon: edge ≈ {edge} m"),
        ("es", "Incidentes agregados", f"Hexágono: lado ≈ {edge.replace(',', '.')} m"),
    ):
        texts = _svg_texts(render_snapshot(frame, layers, countries, _caption(frame, lang),
                                           fmt="svg", lang=lang, bbox=CLUSTER_BOX,
                                           projected=projected, policy=SMALL))  # fmt: skip
        legend = texts[texts.index(header):]
        assert legend[1:6] == [size, "1", "2–4", "5–9", "10–12"]
        assert category_label("stranded_group", lang) not in texts  # no categories in cells


def test_many_incidents_get_thousands_separators_in_the_class_labels(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    frame = _incidents([-70.3129] * 1_234, [-18.3115] * 1_234, ["other"] * 1_234)
    texts = _svg_texts(render_snapshot(frame, layers, countries, _caption(frame), fmt="svg",
                                       bbox=CLUSTER_BOX, projected=projected,
                                       policy=SMALL))  # fmt: skip
    assert "1.000–1.234" in texts  # es writes 1.234; class_starts(1234) ends with 1,000


def test_hexagons_are_never_finer_than_the_policy_allows(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    frame = _clusters()
    coarse = RenderPolicy(points_max=10, finest_resolution=6)
    drawn = snapshot_figure(frame, layers, countries, _caption(frame), bbox=CLUSTER_BOX,
                            projected=projected, policy=coarse).incidents  # fmt: skip
    assert (drawn.mode, drawn.resolution) == ("cells", 6)


def test_precomputed_cell_columns_give_the_same_hexagons(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    frame = _cloud(400)
    celled = add_cells(frame)
    bbox = (-70.45, -18.45, -70.17, -18.17)
    pages = [snapshot_figure(rows, layers, countries, _caption(frame), bbox=bbox,
                             projected=projected, policy=SMALL)
             for rows in (frame, celled)]  # fmt: skip
    paths = [[np.asarray(p.vertices).tolist() for p in _cell_collection(page.map_axes).get_paths()]
             for page in pages]  # fmt: skip
    assert paths[0] == paths[1] and len(paths[0]) > 5
    # The drawn cells come from the column when there is one: a wrong column shows.
    resolution = pages[0].incidents.resolution
    assert resolution is not None
    wrong = celled.assign(**{cell_column(resolution): celled[cell_column(resolution)].iloc[0]})
    one = snapshot_figure(wrong, layers, countries, _caption(frame), bbox=bbox,
                          projected=projected, policy=SMALL)  # fmt: skip
    assert (one.incidents.cells, one.incidents.largest) == (1, 400)
