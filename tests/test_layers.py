"""Check the committed reference layers in data/ against reference facts and their contracts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from reference_facts import (
    BORDER_LENGTH_KM,
    BORDER_TOLERANCE_M,
    CHACALLUTA,
    DISPUTED_AREA_HA,
    HITO_1,
    MARITIME_START,
    PLACES,
    PUNTO_CONCORDIA,
    SANTA_ROSA,
    Place,
    place,
)
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo.build_layers import ReferenceDataError, collection_text, read_admin1, read_border
from geo.layers import LAYER_FILES, Layers
from geo.schema import METRIC_CRS, WGS84
from geo.settings import data_dir

REGION_ID = {"Arica y Parinacota": "CL-AP", "Tacna": "PE-TAC"}
IN_A_REGION = [item for item in PLACES if item.region in REGION_ID]
OTHER_TOWNS = [item for item in PLACES if item.region == "other" and item.kind in {"town", "city"}]
BOUNDARY_KINDS = {"boundary_point", "rail_crossing"}
ON_THE_LINE = [item for item in PLACES if item.name in BORDER_TOLERANCE_M]
OFF_THE_LINE = [
    item for item in PLACES if item.kind in BOUNDARY_KINDS and item.name not in BORDER_TOLERANCE_M
]
ALL_FILES = [*LAYER_FILES.values(), "countries.geojson"]
SAMPLE_STEP_M = 25.0
# The triangle's east edge crosses CL-AP's simplified coast off the 6-decimal grid: the
# snapped crossing vertex leaves a ~3 m² sliver of the triangle outside CL-AP.
GRID_SLIVER_M2 = 10.0


def metric_point(item: Place) -> BaseGeometry:
    """Return a reference place projected to EPSG:32719."""
    return gpd.GeoSeries([Point(item.lon, item.lat)], crs=WGS84).to_crs(METRIC_CRS).iloc[0]


def region_shape(layers: Layers, region_id: str) -> BaseGeometry:
    """Return one region's geometry, in the CRS of `layers`."""
    regions = layers.regions.set_index("id").geometry
    return regions[region_id]


def border_samples(layers: Layers) -> np.ndarray:
    """Return points every 25 m along the metric border line, both ends included."""
    line = layers.metric.border_line
    return shapely.line_interpolate_point(
        line, np.append(np.arange(0.0, line.length, SAMPLE_STEP_M), line.length)
    )


# ---------------------------------------------------------------- places


@pytest.mark.parametrize("item", IN_A_REGION, ids=lambda item: item.name)
def test_place_falls_in_its_region_and_no_other(layers: Layers, item: Place) -> None:
    point = Point(item.lon, item.lat)
    holders = set(layers.regions.loc[layers.regions.contains(point), "id"])
    assert holders == {REGION_ID[item.region]}


@pytest.mark.parametrize("item", OTHER_TOWNS, ids=lambda item: item.name)
def test_town_outside_both_regions_falls_in_neither(layers: Layers, item: Place) -> None:
    assert not layers.regions.contains(Point(item.lon, item.lat)).any()


@pytest.mark.parametrize("item", ON_THE_LINE, ids=lambda item: item.name)
def test_boundary_point_lies_on_the_line_within_its_uncertainty(
    layers: Layers, item: Place
) -> None:
    distance = metric_point(item).distance(layers.metric.border_line)
    assert distance <= BORDER_TOLERANCE_M[item.name]


@pytest.mark.parametrize("item", OFF_THE_LINE, ids=lambda item: item.name)
def test_boundary_point_off_the_line_is_a_vertex_of_the_disputed_triangle(
    layers: Layers, item: Place
) -> None:
    triangle = layers.metric.disputed.geometry.iloc[0]
    assert metric_point(item).distance(triangle.exterior) < 1.0


def test_chacalluta_lies_in_chile_within_1_km_of_the_line(layers: Layers) -> None:
    chacalluta = metric_point(place(CHACALLUTA))
    assert region_shape(layers.metric, "CL-AP").contains(chacalluta)
    assert chacalluta.distance(layers.metric.border_line) < 1_000


def test_santa_rosa_lies_in_peru_within_1_km_of_the_line(layers: Layers) -> None:
    santa_rosa = metric_point(place(SANTA_ROSA))
    assert region_shape(layers.metric, "PE-TAC").contains(santa_rosa)
    assert santa_rosa.distance(layers.metric.border_line) < 1_000


def test_complexes_are_between_300_m_and_1_5_km_apart(layers: Layers) -> None:
    crossings = layers.metric.crossings.set_index("id").geometry
    assert 300 <= crossings["chacalluta"].distance(crossings["santa-rosa"]) <= 1_500


def test_side_of_puts_each_complex_on_its_own_side(layers: Layers) -> None:
    complexes = [place(CHACALLUTA), place(SANTA_ROSA)]
    lon = np.array([item.lon for item in complexes])
    lat = np.array([item.lat for item in complexes])
    assert list(layers.side_of(lon, lat)) == ["CL", "PE"]


def test_side_of_refuses_layers_that_are_not_lon_lat(layers: Layers) -> None:
    with pytest.raises(ValueError, match=r"layers.regions: CRS is EPSG:32719, expected EPSG:4326"):
        layers.metric.side_of(np.array([-70.3]), np.array([-18.4]))


def test_side_of_an_empty_array_is_empty(layers: Layers) -> None:
    assert layers.side_of(np.array([]), np.array([])).shape == (0,)


# ---------------------------------------------------------------- the shared border


def test_regions_overlap_less_than_0_01_km2(layers: Layers) -> None:
    chile = region_shape(layers.metric, "CL-AP")
    peru = region_shape(layers.metric, "PE-TAC")
    assert chile.intersection(peru).area < 0.01 * 1e6


def test_no_gap_wider_than_50_m_along_the_line(layers: Layers) -> None:
    samples = border_samples(layers)
    chile = region_shape(layers.metric, "CL-AP")
    peru = region_shape(layers.metric, "PE-TAC")
    gap = shapely.distance(samples, chile) + shapely.distance(samples, peru)
    assert len(samples) > 6_000
    assert gap.max() <= 50.0


@pytest.mark.parametrize("region_id", ["CL-AP", "PE-TAC"])
def test_every_border_sample_lies_on_the_region_boundary(layers: Layers, region_id: str) -> None:
    edge = region_shape(layers.metric, region_id).boundary
    assert shapely.distance(border_samples(layers), edge).max() <= 50.0


def test_border_length_is_160_to_172_km(layers: Layers) -> None:
    low, high = BORDER_LENGTH_KM
    assert low <= layers.metric.border_line.length / 1_000 <= high


def test_border_runs_from_hito_1_to_the_tripoint(layers: Layers) -> None:
    line = layers.border.geometry.iloc[0]
    assert isinstance(line, LineString)
    start = gpd.GeoSeries([Point(line.coords[0])], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    assert start.distance(metric_point(place(HITO_1))) <= BORDER_TOLERANCE_M[HITO_1]


# ---------------------------------------------------------------- contracts


def test_layers_hold_the_expected_feature_counts(layers: Layers) -> None:
    counts = {name: len(getattr(layers, name)) for name in LAYER_FILES}
    assert counts == {"border": 1, "crossings": 3, "regions": 2, "corridor": 1, "disputed": 1}


@pytest.mark.parametrize("filename", ALL_FILES)
def test_layer_is_epsg_4326_with_valid_geometries(filename: str) -> None:
    frame = gpd.read_file(data_dir() / filename)
    assert frame.crs.to_epsg() == 4326
    assert frame.geometry.is_valid.all()
    assert not frame.geometry.is_empty.any()


def test_crossings_have_the_contract_properties(layers: Layers) -> None:
    crossings = layers.crossings.set_index("id")
    expected = {
        "chacalluta": ("CL", "santa-rosa", "border_complex"),
        "santa-rosa": ("PE", "chacalluta", "border_complex"),
        "arica-tacna-railway": ("CL-PE", None, "rail_crossing"),
    }
    found = {slug: (row.country, row.paired_with, row.kind) for slug, row in crossings.iterrows()}
    assert found == expected
    assert crossings["name"].str.len().gt(0).all()
    assert crossings["source"].str.contains("points.json").all()


def test_crossings_are_marked_unconfirmed_estimates(layers: Layers) -> None:
    assert layers.crossings["confirmed"].tolist() == [False, False, False]


def test_complex_positions_match_the_reference_points(layers: Layers) -> None:
    crossings = layers.metric.crossings.set_index("id").geometry
    assert crossings["chacalluta"].distance(metric_point(place(CHACALLUTA))) < 1.0
    assert crossings["santa-rosa"].distance(metric_point(place(SANTA_ROSA))) < 1.0


def test_regions_have_the_contract_properties(layers: Layers) -> None:
    rows = layers.regions[["id", "name", "country", "zone"]].to_dict("records")
    assert sorted(rows, key=lambda row: row["id"]) == [
        {"id": "CL-AP", "name": "Arica y Parinacota", "country": "CL", "zone": "America/Santiago"},
        {"id": "PE-TAC", "name": "Tacna", "country": "PE", "zone": "America/Lima"},
    ]
    assert layers.regions["source"].str.len().gt(0).all()
    assert set(layers.regions.geom_type) <= {"Polygon", "MultiPolygon"}


# ---------------------------------------------------------------- corridor and disputed triangle


def _corridor_axis(layers: Layers) -> tuple[np.ndarray, np.ndarray]:
    crossings = layers.metric.crossings.set_index("id").geometry
    start = np.array(crossings["chacalluta"].coords[0])
    end = np.array(crossings["santa-rosa"].coords[0])
    return start, end


def test_corridor_contains_the_midpoint_of_the_complexes(layers: Layers) -> None:
    start, end = _corridor_axis(layers)
    corridor = layers.metric.corridor.geometry.iloc[0]
    assert corridor.contains(Point((start + end) / 2))


def test_corridor_straddles_the_border(layers: Layers) -> None:
    corridor = layers.metric.corridor.geometry.iloc[0]
    for region_id in ("CL-AP", "PE-TAC"):
        assert corridor.intersection(region_shape(layers.metric, region_id)).area > 0.1 * 1e6


def test_corridor_is_500_m_wide_and_ends_at_the_complexes(layers: Layers) -> None:
    start, end = _corridor_axis(layers)
    corridor = layers.metric.corridor.geometry.iloc[0]
    length = float(np.hypot(*(end - start)))
    assert corridor.area == pytest.approx(500.0 * length, rel=0.02)
    step = (end - start) / length * 100.0  # 100 m along the road
    assert not corridor.contains(Point(start - step))
    assert not corridor.contains(Point(end + step))


def test_disputed_triangle_area_is_3_to_4_5_ha(layers: Layers) -> None:
    low, high = DISPUTED_AREA_HA
    assert low <= layers.metric.disputed.geometry.iloc[0].area / 1e4 <= high


@pytest.mark.parametrize("name", [HITO_1, PUNTO_CONCORDIA])
def test_disputed_triangle_touches_its_named_corner(layers: Layers, name: str) -> None:
    triangle = layers.metric.disputed.geometry.iloc[0]
    assert metric_point(place(name)).distance(triangle) < 1.0


def _reference_triangle() -> Polygon:
    """Return the triangle Hito 1 – Punto Concordia – maritime start from the reference facts."""
    corners = [place(name) for name in (HITO_1, PUNTO_CONCORDIA, MARITIME_START)]
    return Polygon([(item.lon, item.lat) for item in corners])


def test_disputed_triangle_centroid_falls_in_cl_ap_and_not_in_pe_tac(layers: Layers) -> None:
    centroid = _reference_triangle().centroid
    holders = set(layers.regions.loc[layers.regions.contains(centroid), "id"])
    assert holders == {"CL-AP"}
    assert list(layers.side_of(np.array([centroid.x]), np.array([centroid.y]))) == ["CL"]


def test_disputed_triangle_lies_within_cl_ap_up_to_the_grid_sliver(layers: Layers) -> None:
    triangle = layers.metric.disputed.geometry.iloc[0]
    outside = triangle.difference(region_shape(layers.metric, "CL-AP"))
    assert triangle.area > 30_000.0
    assert outside.area < GRID_SLIVER_M2
    assert triangle.intersection(region_shape(layers.metric, "PE-TAC")).area == 0.0


def test_cl_ap_says_it_includes_the_disputed_triangle(layers: Layers) -> None:
    notes = layers.regions.set_index("id")["note"]
    assert "includes the disputed triángulo terrestre" in notes["CL-AP"]
    assert "disputed.geojson" in notes["CL-AP"]
    assert "excludes the disputed triángulo terrestre" in notes["PE-TAC"]


def test_disputed_triangle_is_marked_disputed(layers: Layers) -> None:
    row = layers.disputed.iloc[0]
    assert (row["id"], row["status"]) == ("triangulo-terrestre", "disputed")
    assert "Hito 1" in row["note"] and "Punto Concordia" in row["note"]


# ---------------------------------------------------------------- build input checks


def _write_geojson(path: Path, features: list[dict[str, Any]]) -> Path:
    path.write_text(collection_text(features), encoding="utf-8")
    return path


def _line_feature(coordinates: list[list[float]]) -> dict[str, Any]:
    geometry = {"type": "LineString", "coordinates": coordinates}
    return {"type": "Feature", "properties": {"name": "b", "source": "s"}, "geometry": geometry}


def test_read_border_rejects_a_line_running_east_to_west(tmp_path: Path) -> None:
    line = [[-69.47, -17.50], [-70.35, -18.32], [-70.38, -18.35]]
    path = _write_geojson(tmp_path / "border.geojson", [_line_feature(line)])
    expected = re.escape(f"{path}: feature 0: starts at lon -69.47")
    with pytest.raises(ReferenceDataError, match=expected):
        read_border(path)


def test_read_admin1_names_the_missing_region(tmp_path: Path) -> None:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    features = [{"type": "Feature", "properties": {"name": "Tacna"}, "geometry": square}]
    path = _write_geojson(tmp_path / "admin1.geojson", features)
    expected = re.escape(f"{path}: field 'name' value 'Arica y Parinacota': 0 features")
    with pytest.raises(ReferenceDataError, match=expected):
        read_admin1(path)


# ---------------------------------------------------------------- files and countries


def _coordinates(node: object) -> list[float]:
    if isinstance(node, float | int):
        return [float(node)]
    if isinstance(node, list):
        return [value for item in node for value in _coordinates(item)]
    return []


@pytest.mark.parametrize("filename", ALL_FILES)
def test_committed_file_is_in_canonical_form_with_6_decimals(filename: str) -> None:
    text = (data_dir() / filename).read_text(encoding="utf-8")
    features = json.loads(text)["features"]
    assert collection_text(features) == text
    values = np.array(
        [v for item in features for v in _coordinates(item["geometry"]["coordinates"])]
    )
    assert values.size > 0
    assert np.array_equal(values, np.round(values, 6))


def test_countries_are_chile_peru_bolivia_inside_the_box() -> None:
    path = data_dir() / "countries.geojson"
    countries = gpd.read_file(path)
    assert sorted(countries["name"]) == ["Bolivia", "Chile", "Peru"]
    minx, miny, maxx, maxy = countries.total_bounds
    assert (minx, miny) >= (-72.5, -21.5) and (maxx, maxy) <= (-67.5, -15.5)
    assert path.stat().st_size < 150 * 1024
