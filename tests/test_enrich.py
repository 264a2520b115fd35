"""Tests for geo.enrich: region, side, nearest complex, distances, corridor and crossing fill."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon, box

from geo.enrich import enrich
from geo.layers import Layers
from geo.schema import DERIVED_DTYPES, METRIC_CRS
from geo.settings import Settings

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


def test_side_matches_layers_side_of_on_random_points(toy_layers: Layers) -> None:
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(-70.6, -70.0, 3000), rng.uniform(-18.7, -17.9, 3000)
    out = enrich(incidents(list(zip(lon, lat, strict=True))), toy_layers)
    assert list(out["side"]) == list(toy_layers.side_of(lon, lat))
    inside = out["region"].notna()
    assert 0 < inside.sum() < len(out)  # both cases exercised
    assert (out.loc[inside, "side"] == out.loc[inside, "country"]).all()


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


def test_bundled_layers_agree_with_side_of_and_never_pick_the_railway(layers: Layers) -> None:
    rng = np.random.default_rng(11)
    lon, lat = rng.uniform(-70.6, -69.4, 5000), rng.uniform(-18.6, -17.2, 5000)
    out = enrich(incidents(list(zip(lon, lat, strict=True))), layers)
    assert list(out["side"]) == list(layers.side_of(lon, lat))
    assert set(out["nearest_crossing"]) == {"chacalluta", "santa-rosa"}
    assert set(out["region"].dropna()) == {"CL-AP", "PE-TAC"}
