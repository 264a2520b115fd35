"""Tests for geo.enrich: region, side, nearest complex, distances, corridor and crossing fill."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from reference_facts import HITO_1, place
from shapely.geometry import LineString, Point, Polygon, box

from geo.enrich import enrich, nearest_complex
from geo.layers import Layers
from geo.schema import DERIVED_DTYPES, METRIC_CRS
from geo.settings import Settings, data_dir

GEOD = Geod(ellps="WGS84")

# Toy layers near the real complexes (lon, lat). The border runs along lat -18.31
# between lon -70.35 and -70.25, so distances to it are easy to check.
BORDER = [(-70.40, -18.34), (-70.35, -18.31), (-70.25, -18.31), (-70.20, -18.25)]
CHACALLUTA = (-70.315, -18.316)  # south of the toy line (CL)
SANTA_ROSA = (-70.313, -18.307)  # north of the toy line (PE)
RAILWAY = (-70.28, -18.30)


@pytest.fixture(scope="module")
def toy_layers() -> Layers:
    """Two regions sharing the toy border, two complexes, a rail crossing and a corridor."""
    chile = Polygon([*BORDER, (-70.20, -18.60), (-70.40, -18.60)])
    peru = Polygon([*BORDER, (-70.20, -18.00), (-70.40, -18.00)])
    return Layers(
        border=_frame({"name": ["toy border"]}, [LineString(BORDER)]),
        crossings=_frame(
            {
                "id": ["chacalluta", "santa-rosa", "arica-tacna-railway"],
                "name": ["Chacalluta", "Santa Rosa", "Railway"],
                "country": ["CL", "PE", "CL"],
                "kind": ["border_complex", "border_complex", "rail_crossing"],
            },
            [Point(CHACALLUTA), Point(SANTA_ROSA), Point(RAILWAY)],
        ),
        regions=_frame(
            {"id": ["CL-AP", "PE-TAC"], "name": ["Arica", "Tacna"], "country": ["CL", "PE"]},
            [chile, peru],
        ),
        corridor=_frame({"name": ["corridor"]}, [box(-70.318, -18.317, -70.310, -18.306)]),
        disputed=_frame({"name": ["triangle"]}, [box(-70.40, -18.35, -70.39, -18.34)]),
    )


def _frame(columns: dict[str, list[str]], geometry: list[shapely.Geometry]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(columns, geometry=geometry, crs="EPSG:4326")


def incidents(
    points: list[tuple[float, float]],
    crossings: list[str | None] | None = None,
    index: list[int] | None = None,
) -> gpd.GeoDataFrame:
    """Minimal canonical-looking incidents at (lon, lat) points."""
    n = len(points)
    return gpd.GeoDataFrame(
        {
            "incident_id": pd.array([f"i{k}" for k in range(n)], dtype="string"),
            "category": pd.array(["other"] * n, dtype="string"),
            "crossing": pd.array(crossings or [None] * n, dtype="string"),
        },
        geometry=[Point(p) for p in points],
        crs="EPSG:4326",
        index=index,
    )


def offset(origin: tuple[float, float], azimuth: float, metres: float) -> tuple[float, float]:
    """The point `metres` from `origin` along `azimuth` (degrees from north), on the ellipsoid."""
    lon, lat, _ = GEOD.fwd(origin[0], origin[1], azimuth, metres)
    return lon, lat


# --- toy layers ---------------------------------------------------------------------------


def test_adds_every_derived_column_with_its_dtype_keeping_index_and_order(
    toy_layers: Layers,
) -> None:
    given = incidents([(-70.30, -18.45), (-70.30, -18.10), (-70.32, -18.50)], index=[30, 10, 20])
    out = enrich(given, toy_layers)
    assert list(out.index) == [30, 10, 20]
    assert list(out.columns) == [*given.columns, *DERIVED_DTYPES]
    assert {name: str(out[name].dtype) for name in DERIVED_DTYPES} == DERIVED_DTYPES
    assert DERIVED_DTYPES["crossing_assigned"] == "bool"
    assert list(out["region"]) == ["CL-AP", "PE-TAC", "CL-AP"]
    assert list(out["country"]) == ["CL", "PE", "CL"]
    assert list(out["side"]) == ["CL", "PE", "CL"]


def test_point_outside_both_regions_has_no_region_and_takes_nearest_side(
    toy_layers: Layers,
) -> None:
    out = enrich(incidents([(-70.50, -18.25), (-70.50, -18.50)]), toy_layers)
    assert out["region"].isna().all()
    assert out["country"].isna().all()
    assert list(out["side"]) == ["PE", "CL"]


def test_a_point_on_the_shared_line_lies_in_the_region_whose_id_sorts_first(
    toy_layers: Layers,
) -> None:
    on_vertex = BORDER[1]  # a vertex both toy polygons share exactly
    peru_first = dataclasses.replace(toy_layers, regions=toy_layers.regions.iloc[::-1])
    for layers in (toy_layers, peru_first):
        out = enrich(incidents([on_vertex]), layers)
        assert (out["region"].iloc[0], out["side"].iloc[0]) == ("CL-AP", "CL")
        assert list(layers.side_of(np.array([on_vertex[0]]), np.array([on_vertex[1]]))) == ["CL"]
    assert out["dist_border_m"].iloc[0] == 0.0


def test_distances_match_shapely_in_epsg_32719(toy_layers: Layers) -> None:
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(-70.6, -70.0, 500), rng.uniform(-18.7, -17.9, 500)
    given = incidents(list(zip(lon, lat, strict=True)))
    out = enrich(given, toy_layers)
    metric = given.to_crs(METRIC_CRS).geometry
    expected_border = metric.distance(toy_layers.metric.border.geometry.iloc[0])
    complexes = toy_layers.metric.crossings.iloc[:2]
    expected_crossing = np.min([metric.distance(g) for g in complexes.geometry], axis=0)
    np.testing.assert_allclose(out["dist_border_m"], expected_border, atol=1e-6)
    np.testing.assert_allclose(out["dist_crossing_m"], expected_crossing, atol=1e-6)


def test_distance_to_crossing_is_metres_checked_against_the_geodesic(toy_layers: Layers) -> None:
    south = offset(CHACALLUTA, 180, 1_000)
    east = offset(SANTA_ROSA, 90, 3_000)
    out = enrich(incidents([south, east]), toy_layers)
    assert list(out["nearest_crossing"]) == ["chacalluta", "santa-rosa"]
    geodesic = [GEOD.inv(*CHACALLUTA, *south)[2], GEOD.inv(*SANTA_ROSA, *east)[2]]
    np.testing.assert_allclose(out["dist_crossing_m"], geodesic, rtol=0.01)
    np.testing.assert_allclose(out["dist_crossing_m"], [1_000, 3_000], rtol=0.01)


def test_distance_to_border_is_metres_checked_against_the_geodesic(toy_layers: Layers) -> None:
    on_line = (-70.30, -18.31)
    points = [offset(on_line, 180, 1_000), offset(on_line, 0, 2_500)]
    out = enrich(incidents(points), toy_layers)
    np.testing.assert_allclose(out["dist_border_m"], [1_000, 2_500], rtol=0.01)


def test_nearest_crossing_ignores_the_rail_crossing(toy_layers: Layers) -> None:
    out = enrich(incidents([RAILWAY]), toy_layers)
    assert out["nearest_crossing"].iloc[0] in {"chacalluta", "santa-rosa"}
    assert out["dist_crossing_m"].iloc[0] > 1_000


def test_between_complexes_inside_the_corridor_only(toy_layers: Layers) -> None:
    midway = ((CHACALLUTA[0] + SANTA_ROSA[0]) / 2, (CHACALLUTA[1] + SANTA_ROSA[1]) / 2)
    out = enrich(incidents([midway, offset(midway, 90, 2_000)]), toy_layers)
    assert list(out["between_complexes"]) == [True, False]


def test_crossing_filled_from_nearest_complex_within_radius_only(toy_layers: Layers) -> None:
    near = offset(CHACALLUTA, 180, 3_000)
    far = offset(CHACALLUTA, 180, 8_000)
    out = enrich(incidents([near, far]), toy_layers)
    assert out["crossing"].iloc[0] == "chacalluta"
    assert pd.isna(out["crossing"].iloc[1])
    assert str(out["crossing"].dtype) == "string"


def test_crossing_radius_comes_from_settings(toy_layers: Layers) -> None:
    near = offset(CHACALLUTA, 180, 3_000)
    out = enrich(incidents([near]), toy_layers, Settings(crossing_radius_m=2_000))
    assert pd.isna(out["crossing"].iloc[0])
    assert out["nearest_crossing"].iloc[0] == "chacalluta"


def test_given_crossing_is_never_overwritten(toy_layers: Layers) -> None:
    at_chacalluta = offset(CHACALLUTA, 180, 10)
    out = enrich(incidents([at_chacalluta], crossings=["santa-rosa"]), toy_layers)
    assert out["crossing"].iloc[0] == "santa-rosa"
    assert out["nearest_crossing"].iloc[0] == "chacalluta"


def test_crossing_assigned_marks_only_the_crossings_enrich_filled(toy_layers: Layers) -> None:
    near, far = offset(CHACALLUTA, 180, 3_000), offset(CHACALLUTA, 180, 8_000)
    given = incidents([near, near, far], crossings=[None, "santa-rosa", None])
    out = enrich(given, toy_layers)
    assert out["crossing"].tolist() == ["chacalluta", "santa-rosa", pd.NA]
    assert out["crossing_assigned"].tolist() == [True, False, False]
    assert out["crossing_assigned"].dtype == bool


def test_re_enriching_undoes_its_own_assignment_first(toy_layers: Layers) -> None:
    near = offset(CHACALLUTA, 180, 3_000)
    once = enrich(incidents([near, near], crossings=[None, "chacalluta"]), toy_layers)
    narrower = enrich(once, toy_layers, Settings(crossing_radius_m=2_000))
    assert narrower["crossing"].tolist() == [pd.NA, "chacalluta"]  # the report's one stays
    assert narrower["crossing_assigned"].tolist() == [False, False]
    pd.testing.assert_frame_equal(enrich(narrower, toy_layers), once)


def test_rejects_a_crossing_assigned_column_that_is_not_boolean(toy_layers: Layers) -> None:
    given = incidents([(-70.30, -18.45)]).assign(crossing_assigned=["true"])
    with pytest.raises(ValueError, match=r"field 'crossing_assigned' must be true/false"):
        enrich(given, toy_layers)


def test_nearest_complex_gives_enrichs_ids_and_metres(toy_layers: Layers) -> None:
    points = [offset(CHACALLUTA, 180, 1_000), offset(SANTA_ROSA, 90, 3_000), RAILWAY]
    lon, lat = np.array(points).T
    ids, metres = nearest_complex(lon, lat, toy_layers)
    out = enrich(incidents(points), toy_layers)
    assert ids.tolist() == out["nearest_crossing"].tolist()
    np.testing.assert_array_equal(metres, out["dist_crossing_m"].to_numpy())
    np.testing.assert_allclose(metres[:2], [1_000, 3_000], rtol=0.01)


def test_does_not_mutate_the_input(toy_layers: Layers) -> None:
    given = incidents([offset(CHACALLUTA, 180, 100), (-70.30, -18.10)])
    before = given.copy()
    enrich(given, toy_layers)
    pd.testing.assert_frame_equal(given, before)
    assert list(given.columns) == ["incident_id", "category", "crossing", "geometry"]


def test_enriching_twice_gives_the_same_frame(toy_layers: Layers) -> None:
    once = enrich(incidents([offset(CHACALLUTA, 0, 50), (-70.30, -18.10)]), toy_layers)
    twice = enrich(once, toy_layers)
    pd.testing.assert_frame_equal(once, twice)


def test_empty_input_gives_empty_output_with_derived_columns(toy_layers: Layers) -> None:
    out = enrich(incidents([]), toy_layers)
    assert len(out) == 0
    assert set(DERIVED_DTYPES) <= set(out.columns)


def test_rejects_a_projected_crs(toy_layers: Layers) -> None:
    given = incidents([(-70.30, -18.45)]).to_crs(METRIC_CRS)
    with pytest.raises(ValueError, match=r"CRS is EPSG:32719, expected EPSG:4326"):
        enrich(given, toy_layers)


def test_rejects_a_missing_crs(toy_layers: Layers) -> None:
    given = incidents([(-70.30, -18.45)]).set_crs(None, allow_override=True)
    with pytest.raises(ValueError, match=r"CRS is missing"):
        enrich(given, toy_layers)


@pytest.mark.parametrize(
    ("geometry", "reason"),
    [
        (LineString([(-70.3, -18.4), (-70.2, -18.4)]), "is not a Point"),
        (None, "is not a Point"),
        (Point(), "is an empty Point"),
        (Point(np.nan, -18.4), "non-finite coordinate"),
    ],
)
def test_rejects_bad_geometry_naming_the_row(
    toy_layers: Layers, geometry: shapely.Geometry | None, reason: str
) -> None:
    given = incidents([(-70.30, -18.45), (-70.30, -18.10)], index=[4, 9])
    given.loc[9, "geometry"] = geometry
    with pytest.raises(ValueError, match=reason) as error:
        enrich(given, toy_layers)
    assert "row 9 (incident_id 'i1')" in str(error.value)
    assert "field 'geometry'" in str(error.value)


def test_rejects_a_negative_radius(toy_layers: Layers) -> None:
    with pytest.raises(ValueError, match="crossing_radius_m"):
        enrich(incidents([(-70.30, -18.45)]), toy_layers, Settings(crossing_radius_m=-1.0))


def test_rejects_layers_without_border_complexes(toy_layers: Layers) -> None:
    crossings = toy_layers.crossings.assign(kind="rail_crossing")
    no_complex = dataclasses.replace(toy_layers, crossings=crossings)
    with pytest.raises(ValueError, match="border_complex"):
        enrich(incidents([(-70.30, -18.45)]), no_complex)


# --- bundled layers (data/*.geojson) ------------------------------------------------------

# Places (lat, lon) from the project brief: Arica city centre and Tacna city centre.
ARICA = (-70.3006, -18.4755)
TACNA = (-70.2536, -18.0147)


def test_bundled_layers_put_arica_in_chile_and_tacna_in_peru(layers: Layers) -> None:
    out = enrich(incidents([ARICA, TACNA]), layers)
    assert list(out["region"]) == ["CL-AP", "PE-TAC"]
    assert list(out["country"]) == ["CL", "PE"]
    assert list(out["side"]) == ["CL", "PE"]
    assert list(out["nearest_crossing"]) == ["chacalluta", "santa-rosa"]  # Santa Rosa is north
    assert 15_000 < out["dist_crossing_m"].iloc[0] < 25_000  # Chacalluta is ~20 km north of Arica
    assert pd.isna(out["crossing"].iloc[0])  # beyond the default 5 km radius


def test_bundled_layers_midway_between_complexes_is_in_the_corridor(layers: Layers) -> None:
    xy = {row.id: (row.geometry.x, row.geometry.y) for row in layers.crossings.itertuples()}
    (ax, ay), (bx, by) = xy["chacalluta"], xy["santa-rosa"]
    out = enrich(incidents([((ax + bx) / 2, (ay + by) / 2), ARICA]), layers)
    assert list(out["between_complexes"]) == [True, False]
    assert out["dist_border_m"].iloc[0] < 1_000
    assert out["crossing"].iloc[0] in {"chacalluta", "santa-rosa"}


def test_bundled_layers_complexes_are_their_own_nearest(layers: Layers) -> None:
    complexes = layers.crossings[layers.crossings["kind"] == "border_complex"]
    points = [(g.x, g.y) for g in complexes.geometry]
    out = enrich(incidents(points), layers)
    assert list(out["nearest_crossing"]) == list(complexes["id"])
    np.testing.assert_allclose(out["dist_crossing_m"], 0.0, atol=1e-6)
    assert list(out["side"]) == list(complexes["country"])


def test_bundled_layers_sea_points_take_the_nearest_side(layers: Layers) -> None:
    west_of_arica, west_of_tacna = (-70.45, -18.45), (-71.10, -17.95)
    out = enrich(incidents([west_of_arica, west_of_tacna]), layers)
    assert out["region"].isna().all()
    assert out["country"].isna().all()
    assert list(out["side"]) == ["CL", "PE"]


def test_bundled_layers_never_pick_the_railway(layers: Layers) -> None:
    rng = np.random.default_rng(11)
    lon, lat = rng.uniform(-70.6, -69.4, 5000), rng.uniform(-18.6, -17.2, 5000)
    out = enrich(incidents(list(zip(lon, lat, strict=True))), layers)
    assert set(out["nearest_crossing"]) == {"chacalluta", "santa-rosa"}
    assert set(out["region"].dropna()) == {"CL-AP", "PE-TAC"}


# --- the boundary rule (geo.sides), seen through enrich and Layers.side_of -----------------

# Hito 1 (lon, lat): tests/reference_facts.py (2014 PE–CL technical work, IDE Chile vertex).
HITO_1_LONLAT = (place(HITO_1).lon, place(HITO_1).lat)
# Visviri (Chile) from tests/reference_facts.py; the Bolivian side lies a few km east of it.
VISVIRI = place("Visviri")
LA_PAZ = place("La Paz")


def sides_everywhere(layers: Layers, points: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    """Enrich `points` and check Layers.side_of gives the very same sides."""
    out = enrich(incidents(points), layers)
    lon, lat = np.array(points).T
    assert list(layers.side_of(lon, lat)) == list(out["side"])
    return out


def metric_to_lonlat(x: float, y: float) -> tuple[float, float]:
    """Return EPSG:32719 metres as (lon, lat)."""
    point = gpd.GeoSeries([Point(x, y)], crs=METRIC_CRS).to_crs("EPSG:4326").iloc[0]
    return point.x, point.y


def test_a_vertex_of_the_border_line_is_in_cl_ap_by_the_tie_rule(layers: Layers) -> None:
    line = layers.border.geometry.iloc[0]
    vertex = line.coords[10]  # shared exactly by both regions (data/README.md)
    regions = layers.regions.set_index("id").geometry
    assert all(shapely.intersects_xy(regions[rid], *vertex) for rid in ("CL-AP", "PE-TAC"))
    out = sides_everywhere(layers, [vertex])
    assert (out["region"].iloc[0], out["country"].iloc[0], out["side"].iloc[0]) == (
        "CL-AP",
        "CL",
        "CL",
    )
    assert out["dist_border_m"].iloc[0] < 1e-6


def test_one_metre_either_side_of_the_line_takes_that_side(layers: Layers) -> None:
    # The GeoJSON line joins its vertices straight in lon/lat; membership is tested there.
    lonlat = shapely.get_coordinates(layers.border_line)
    metric = shapely.get_coordinates(layers.metric.border_line)
    lengths = np.hypot(*np.diff(metric, axis=0).T)
    k = int(lengths.argmax())  # the longest segment (15 km): its midpoint is far from vertices
    (ax, ay), (bx, by) = metric[k], metric[k + 1]
    assert bx > ax  # the line runs west → east, so its left is north: Peru
    nx, ny = -(by - ay) / lengths[k], (bx - ax) / lengths[k]
    midpoint = gpd.GeoSeries([Point((lonlat[k] + lonlat[k + 1]) / 2)], crs="EPSG:4326")
    mx, my = shapely.get_coordinates(midpoint.to_crs(METRIC_CRS).array)[0]
    north, south = metric_to_lonlat(mx + nx, my + ny), metric_to_lonlat(mx - nx, my - ny)
    out = sides_everywhere(layers, [north, south])
    assert list(out["region"]) == ["PE-TAC", "CL-AP"]
    assert list(out["side"]) == ["PE", "CL"]
    # dist_border_m joins the vertices straight in EPSG:32719 instead: mid-segment the two
    # lines part by 1.63 m here, so the points measure 1.63 m ± 1 m from it.
    assert sorted(out["dist_border_m"].round(2)) == [0.63, 2.63]


def test_at_sea_2_km_west_of_hito_1_takes_the_nearer_coast_peru(layers: Layers) -> None:
    at_sea = offset(HITO_1_LONLAT, 270, 2_000)
    out = sides_everywhere(layers, [at_sea])
    assert pd.isna(out["region"].iloc[0])
    # Peru's coast bends west north of Hito 1: PE-TAC is ~1.09 km away, CL-AP ~1.68 km.
    metric = gpd.GeoSeries([Point(at_sea)], crs="EPSG:4326").to_crs(METRIC_CRS).iloc[0]
    regions = layers.metric.regions.set_index("id").geometry
    assert metric.distance(regions["PE-TAC"]) + 500 < metric.distance(regions["CL-AP"])
    assert out["side"].iloc[0] == "PE"


def test_points_in_bolivia_take_the_nearest_region(layers: Layers) -> None:
    east_of_visviri = offset((VISVIRI.lon, VISVIRI.lat), 90, 5_000)
    la_paz = (LA_PAZ.lon, LA_PAZ.lat)
    countries = gpd.read_file(data_dir() / "countries.geojson").set_index("name").geometry
    assert all(countries["Bolivia"].contains(Point(p)) for p in (east_of_visviri, la_paz))
    out = sides_everywhere(layers, [east_of_visviri, la_paz])
    assert out["region"].isna().all()
    # East of Visviri CL-AP is ~4 km away (PE-TAC ~10 km); La Paz is ~175 km from PE-TAC and
    # ~179 km from CL-AP.
    assert list(out["side"]) == ["CL", "PE"]
