"""Static snapshots: exact PNG size, layer colours, SVG text, bbox, bad input.

Points or H3 hexagons (the render policy): tests/test_render_policy_snapshot.py.
"""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from html import unescape

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image

from geo.caption import SnapshotCaption, caption_text, snapshot_caption
from geo.enrich import enrich
from geo.i18n import category_label, format_date
from geo.ingest import read_incidents
from geo.layers import Layers
from geo.maps import CATEGORY_COLOURS
from geo.query import Filter, apply_filter, prepare
from geo.schema import WGS84
from geo.settings import REPO_DATA_DIR
from geo.snapshot import (
    ProjectedLayers,
    render_snapshot,
    snapshot_extent,
    snapshot_figure,
)

GENERATED = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)
WINTER = Filter(start=date(2025, 12, 1), end=date(2025, 12, 31), zone="America/Lima")
# Inside Arica y Parinacota / Tacna and ≥ 0.3° from either region's edge (checked below).
CL_INSIDE = (-69.6, -18.7)
PE_INSIDE = (-70.5, -17.6)
# The web map's fills (geo.maps_folium.REGION_STYLE, COUNTRY_STYLE) over the country fill:
# 0.16 × #1f77b4 + 0.84 × #f3f1ec and 0.12 × #d62728 + 0.88 × #f3f1ec.
CL_BLEND = (209, 221, 227)
PE_BLEND = (239, 217, 213)


@pytest.fixture(scope="module")
def demo(layers: Layers) -> gpd.GeoDataFrame:
    """Return the bundled synthetic demo incidents, enriched and prepared as the app does."""
    result = read_incidents(REPO_DATA_DIR / "demo_incidents.csv", layers=layers)
    return prepare(enrich(result.incidents, layers))


def _incidents(
    lon: list[float] | np.ndarray,
    lat: list[float] | np.ndarray,
    categories: list[str] | np.ndarray,
    *,
    synthetic: bool = False,
) -> gpd.GeoDataFrame:
    count = len(lon)
    return gpd.GeoDataFrame(
        {
            "category": list(categories),
            "people_count": pd.array([2] * count, dtype="Int64"),
            "synthetic": pd.array([synthetic] * count, dtype="boolean"),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=WGS84,
    )


def _caption(frame: pd.DataFrame, lang: str = "es", flt: Filter = WINTER) -> SnapshotCaption:
    return snapshot_caption(frame, flt, lang=lang, generated_at=GENERATED, source="demo")


def _png(data: bytes) -> np.ndarray:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def _svg_texts(svg: bytes) -> list[str]:
    """Return the text of every <text> element (the caption, legend and labels)."""
    return [unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", svg.decode())]


def _pixel(snapshot_axes_point: np.ndarray, image: np.ndarray) -> tuple[int, int]:
    """Return the (row, column) of a display point (origin bottom-left) in the image."""
    x, y = snapshot_axes_point
    return round(float(image.shape[0] - y)), round(float(x))


def _near(colour: np.ndarray, expected: tuple[int, int, int], tolerance: int) -> bool:
    return bool(np.all(np.abs(colour.astype(int) - np.array(expected)) <= tolerance))


# --- size, content, colours -------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "height", "dpi"),
    [(1600, 1200, 100), (1600, 1200, 300), (641, 479, 72), (1000, 700, 600)],
)
def test_png_has_exactly_the_requested_pixels_at_any_dpi(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers,
    width: int, height: int, dpi: int,
) -> None:  # fmt: skip
    frame = _incidents([-70.31], [-18.31], ["stranded_group"])
    data = render_snapshot(frame, layers, countries, _caption(frame), width_px=width,
                           height_px=height, dpi=dpi, projected=projected)  # fmt: skip
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (width, height)


def test_png_is_not_blank_and_shows_the_region_fills_border_and_category_colour(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    for point, region in ((CL_INSIDE, "CL-AP"), (PE_INSIDE, "PE-TAC")):
        outline = layers.regions.set_index("id").geometry[region]
        assert outline.contains(shapely.Point(point))
        assert outline.boundary.distance(shapely.Point(point)) > 0.3
    aid = (-69.8, -18.6)  # one humanitarian_aid incident inside CL-AP
    frame = _incidents([aid[0]], [aid[1]], ["humanitarian_aid"])
    caption = _caption(frame)
    image = _png(render_snapshot(frame, layers, countries, caption, bbox=layers.bounds,
                                 projected=projected))  # fmt: skip
    drawn = snapshot_figure(frame, layers, countries, caption, bbox=layers.bounds,
                            projected=projected)  # fmt: skip
    colours = np.unique(image.reshape(-1, 3) @ np.array([65536, 256, 1]))
    assert len(colours) > 100  # not blank: fills, lines, anti-aliased text
    to_display = drawn.map_axes.transData.transform
    to_metric = projected.to_metric.transform
    for point, blend in ((CL_INSIDE, CL_BLEND), (PE_INSIDE, PE_BLEND)):
        row, column = _pixel(to_display(to_metric(*point)), image)
        assert _near(image[row, column], blend, 3), (point, image[row, column])
    row, column = _pixel(to_display(to_metric(*aid)), image)
    assert _near(image[row, column], CATEGORY_COLOURS["humanitarian_aid"], 2)
    dark_on_border = 0
    for part in projected.border:
        middles = (part[1:] + part[:-1]) / 2
        for middle in to_display(middles):
            row, column = _pixel(middle, image)
            window = image[row - 1 : row + 2, column - 1 : column + 2].reshape(-1, 3)
            dark_on_border += int((window.max(axis=1) < 70).any())
    assert dark_on_border >= 0.9 * sum(len(part) - 1 for part in projected.border)


def test_svg_keeps_caption_legend_and_filter_dates_as_text(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers,
    demo: gpd.GeoDataFrame,
) -> None:  # fmt: skip
    shown = apply_filter(demo, WINTER)
    for lang, dates in (("es", "1 dic 2025 – 31 dic 2025"), ("en", "1 Dec 2025 – 31 Dec 2025")):
        caption = _caption(shown, lang)
        texts = _svg_texts(render_snapshot(shown, layers, countries, caption, fmt="svg",
                                           lang=lang, projected=projected))  # fmt: skip
        first, last = format_date(date(2025, 12, 1), lang), format_date(date(2025, 12, 31), lang)
        assert f"{first} – {last}" == dates  # as geo.i18n.describe_filter writes them
        assert any(text.startswith(f"{dates} (America/Lima)") for text in texts)
        for line in caption.lines():
            assert line in texts, line
        assert caption.title in texts
        present = sorted(set(shown["category"].astype(str)))
        assert len(present) >= 5
        for category in present:
            assert category_label(category, lang) in texts, category
        assert caption_text("points_shown", lang) in texts
        assert ("Límite internacional" if lang == "es" else "International border") in texts
        assert texts.count(caption_text("synthetic", lang)) == 2  # the red band + caption line
        assert "N" in texts  # north arrow
        assert any(re.fullmatch(r"(1|2|5)0* k?m", text) for text in texts)  # scale bar


def test_no_synthetic_warning_anywhere_when_no_row_is_synthetic(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    frame = _incidents([-70.31, -70.312], [-18.31, -18.312], ["protest", "other"])
    caption = _caption(frame, "en")
    assert caption.synthetic is False
    svg = render_snapshot(frame, layers, countries, caption, fmt="svg", lang="en",
                          projected=projected)  # fmt: skip
    assert b"SYNTHETIC" not in svg
    assert "Protest" in _svg_texts(svg)


def test_the_red_synthetic_band_shows_only_for_synthetic_rows(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    red = (0xC6, 0x28, 0x28)
    for synthetic in (True, False):
        frame = _incidents([-70.31], [-18.31], ["other"], synthetic=synthetic)
        image = _png(render_snapshot(frame, layers, countries, _caption(frame),
                                     width_px=800, height_px=600, projected=projected))  # fmt: skip
        band = np.all(image == np.array(red), axis=2).sum()
        assert bool(band > 800 * 10) is synthetic, (synthetic, band)


def test_text_with_dollar_signs_is_printed_literally_not_as_mathtext(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    frame = _incidents([-70.31], [-18.31], ["other"])
    caption = snapshot_caption(frame, WINTER, lang="en", generated_at=GENERATED,
                               source="costs$1$_report.csv")  # fmt: skip
    svg = render_snapshot(frame, layers, countries, caption, fmt="svg", lang="en",
                          projected=projected)  # fmt: skip
    assert any("costs$1$_report.csv" in text for text in _svg_texts(svg))


def test_pdf_is_a_pdf_with_title_and_no_creation_date(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    frame = _incidents([-70.31], [-18.31], ["other"], synthetic=True)
    data = render_snapshot(frame, layers, countries, _caption(frame), fmt="pdf",
                           projected=projected)  # fmt: skip
    assert data.startswith(b"%PDF-")
    assert b"/CreationDate" not in data
    assert b"/Title" in data


def test_svg_is_repeatable_byte_for_byte_even_from_threads(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    frame = _incidents([-70.31, -70.315], [-18.31, -18.313], ["protest", "detention"])

    def render(fmt: str) -> bytes:
        return render_snapshot(frame, layers, countries, _caption(frame), fmt=fmt,
                               width_px=800, height_px=600, projected=projected)  # fmt: skip

    alone = {fmt: render(fmt) for fmt in ("svg", "png")}
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(render, ["svg", "png", "svg", "png"]))
    assert together == [alone["svg"], alone["png"], alone["svg"], alone["png"]]
    assert b"<dc:date>" not in alone["svg"]


# --- view -------------------------------------------------------------------------------


def test_legend_says_how_many_incidents_lie_in_view_when_some_are_outside(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    frame = _incidents([-70.31, -70.312, -69.6], [-18.31, -18.311, -18.7], ["other"] * 3)
    bbox = (-70.4, -18.4, -70.2, -18.2)
    texts = _svg_texts(render_snapshot(frame, layers, countries, _caption(frame), fmt="svg",
                                       bbox=bbox, projected=projected))  # fmt: skip
    assert "2 de 3 en la vista" in texts


# --- extent -------------------------------------------------------------------------------


def test_bbox_sets_the_map_limits_grown_only_to_the_map_aspect(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    bbox = (-70.40, -18.40, -70.20, -18.25)
    frame = _incidents([-70.31], [-18.31], ["other"])
    drawn = snapshot_figure(frame, layers, countries, _caption(frame), bbox=bbox,
                            projected=projected)  # fmt: skip
    xmin, ymin, xmax, ymax = drawn.view
    assert drawn.map_axes.get_xlim() == (xmin, xmax)
    assert drawn.map_axes.get_ylim() == (ymin, ymax)
    want = projected.to_metric.transform_bounds(*bbox, densify_pts=21)
    assert xmin <= want[0] and ymin <= want[1] and xmax >= want[2] and ymax >= want[3]
    tight_x = abs(xmin - want[0]) < 1e-6 and abs(xmax - want[2]) < 1e-6
    tight_y = abs(ymin - want[1]) < 1e-6 and abs(ymax - want[3]) < 1e-6
    assert tight_x or tight_y
    box = drawn.layout.map_box
    assert (xmax - xmin) / (ymax - ymin) == pytest.approx(box.width / box.height)


def test_default_extent_holds_every_row_and_both_complexes(layers: Layers) -> None:
    far = _incidents([-69.2, -70.31], [-18.9, -18.31], ["other", "other"])
    minx, miny, maxx, maxy = snapshot_extent(far, layers, None)
    assert minx < -70.3252 and maxx > -69.2 and miny < -18.9 and maxy > -18.306
    empty = snapshot_extent(far.iloc[:0], layers, None)
    complexes = layers.crossings[layers.crossings["kind"] == "border_complex"].total_bounds
    assert empty[0] < complexes[0] and empty[2] > complexes[2]
    assert empty[2] - empty[0] >= 0.02 and empty[3] - empty[1] >= 0.02  # never degenerate
    assert snapshot_extent(far, layers, (-70.5, -18.5, -70.0, -18.0)) == (-70.5, -18.5, -70.0,
                                                                           -18.0)  # fmt: skip


def test_rows_beyond_the_drawable_area_need_a_bbox(layers: Layers) -> None:
    lisbon = _incidents([-70.31, -9.14], [-18.31, 38.72], ["other", "other"])
    with pytest.raises(ValueError, match=r"rows span lon -70\.3.*\.\.-9\.14.*pass a bbox"):
        snapshot_extent(lisbon, layers, None)
    assert snapshot_extent(lisbon, layers, (-70.5, -18.5, -70.0, -18.0))[0] == -70.5


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"fmt": "jpg"}, "fmt: 'jpg'"),
        ({"width_px": 199}, "width_px: 199"),
        ({"width_px": 10_001}, "width_px: 10001"),
        ({"height_px": True}, "height_px: True"),
        ({"height_px": 600.0}, "height_px: 600.0"),
        ({"dpi": 49}, "dpi: 49"),
        ({"dpi": 601}, "dpi: 601"),
        ({"lang": "fr"}, "lang: 'fr'"),
        ({"bbox": (-70.2, -18.4, -70.4, -18.2)}, "bbox: .* not ordered"),
        ({"bbox": (-18.4, -70.4, -18.2, -70.2)}, "bbox: .* lat/lon instead of lon/lat"),
        ({"bbox": (-70.4, -18.4, float("nan"), -18.2)}, "bbox: .* four finite numbers"),
        ({"bbox": (-70.4, -18.4, -70.2)}, "bbox: .* not \\(minx, miny, maxx, maxy\\)"),
    ],
)
def test_bad_arguments_raise_naming_the_argument_and_value(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers,
    options: dict[str, object], message: str,
) -> None:  # fmt: skip
    frame = _incidents([-70.31], [-18.31], ["other"])
    with pytest.raises(ValueError, match=message):
        render_snapshot(frame, layers, countries, _caption(frame), projected=projected,
                        **options)  # type: ignore[arg-type]  # fmt: skip


def test_bad_incident_rows_raise_naming_row_field_and_value(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    frame = _incidents([-70.31, -70.32], [-18.31, -18.32], ["other", "other"])
    caption = _caption(frame)
    broken = frame.copy()
    broken.index = pd.Index(["r1", "r2"])
    broken.loc["r2", "geometry"] = None
    with pytest.raises(ValueError, match="row 'r2': field geometry value missing"):
        render_snapshot(broken, layers, countries, caption, projected=projected)
    polygon = frame.copy()
    polygon.loc[1, "geometry"] = shapely.box(-70.4, -18.4, -70.3, -18.3)
    with pytest.raises(ValueError, match=r"row 1: field geometry value POLYGON \(\(-70\.3"):
        render_snapshot(polygon, layers, countries, caption, projected=projected)
    swapped = _incidents([-18.31], [-70.31], ["other"])
    swapped.loc[0, "geometry"] = shapely.Point(-70.31, -118.31)
    with pytest.raises(ValueError, match=r"lat -90\.\.90"):
        render_snapshot(swapped, layers, countries, caption, projected=projected)
    with pytest.raises(ValueError, match="CRS is EPSG:32719"):
        render_snapshot(frame.to_crs("EPSG:32719"), layers, countries, caption)
    with pytest.raises(ValueError, match="column 'category' is missing"):
        render_snapshot(frame.drop(columns="category"), layers, countries, caption)
    with pytest.raises(TypeError, match="caption: expected a SnapshotCaption"):
        render_snapshot(frame, layers, countries, caption.lines())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"policy: expected a geo\.map_policy\.RenderPolicy, got 1"):
        render_snapshot(frame, layers, countries, caption, policy=1)  # type: ignore[arg-type]


def test_categories_outside_the_vocabulary_are_drawn_grey_and_named(
    layers: Layers, countries: gpd.GeoDataFrame, projected: ProjectedLayers
) -> None:
    frame = _incidents([-70.31, -70.312], [-18.31, -18.312], ["protest", "mystery"])
    texts = _svg_texts(render_snapshot(frame, layers, countries, _caption(frame, "en"),
                                       fmt="svg", lang="en", projected=projected))  # fmt: skip
    assert "Outside the vocabulary" in texts and "Protest" in texts
