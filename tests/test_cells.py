"""geo.cells: H3 cell ids per resolution from the point itself, counts per cell, outlines."""

from __future__ import annotations

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.cells import (
    RESOLUTIONS,
    add_cells,
    cell_centres,
    cell_column,
    cell_outline,
    count_cells,
    edge_length_m,
    without_cells,
)

# Chacalluta and Santa Rosa (estimates, data/crossings.geojson) and a point in Tacna.
PLACES = [(-70.3206, -18.3536), (-70.3172, -18.3446), (-70.2500, -18.0100)]


def _frame(points: list[tuple[float, float]], people: list[int | None]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"people_count": pd.array(people, dtype="Int64")},
        geometry=gpd.points_from_xy(*zip(*points, strict=True)), crs="EPSG:4326",
    )  # fmt: skip


def test_every_resolution_is_the_cell_h3_gives_for_the_point_itself() -> None:
    celled = add_cells(_frame(PLACES, [3, None, 7]))
    for resolution in RESOLUTIONS:
        expected = [int(h3.latlng_to_cell(lat, lon, resolution), 16) for lon, lat in PLACES]
        column = celled[cell_column(resolution)]
        assert column.dtype == np.uint64
        assert column.tolist() == expected


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-70.6, -69.3), st.floats(-18.6, -17.3)), min_size=1, max_size=40
    ),
    st.sampled_from(RESOLUTIONS),
)
def test_counts_add_up_to_the_rows_and_their_people(
    points: list[tuple[float, float]], resolution: int
) -> None:
    people = [None if i % 3 == 0 else i for i in range(len(points))]
    counts = count_cells(add_cells(_frame(points, people)), resolution)
    known = [value for value in people if value is not None]
    assert counts["incidents"].sum() == len(points)
    assert counts["people"].sum() == sum(known)
    assert counts["people_unknown"].sum() == people.count(None)
    assert counts["cell"].is_unique
    assert list(counts["incidents"]) == sorted(counts["incidents"], reverse=True)


def test_two_points_in_one_cell_are_counted_together() -> None:
    counts = count_cells(add_cells(_frame([PLACES[0], PLACES[0], PLACES[2]], [1, 2, None])), 7)
    assert counts[["incidents", "people", "people_unknown"]].values.tolist() == [[2, 3, 0],
                                                                               [1, 0, 1]]


def test_a_cell_outline_surrounds_its_centre_and_edges_shrink_with_resolution() -> None:
    cell = int(h3.latlng_to_cell(PLACES[0][1], PLACES[0][0], 8), 16)
    corners = np.array(cell_outline(cell))
    lat, lon = cell_centres(np.array([cell], dtype=np.uint64))
    assert len(corners) == 6
    assert corners[:, 0].min() < lat[0] < corners[:, 0].max()
    assert corners[:, 1].min() < lon[0] < corners[:, 1].max()
    edges = [edge_length_m(r) for r in RESOLUTIONS]
    assert edges == sorted(edges, reverse=True)
    assert 400 < edge_length_m(8) < 700  # H3's average edge at 8 is ~531 m


def test_without_cells_gives_back_the_columns_add_cells_did_not_add() -> None:
    plain = _frame(PLACES, [1, 2, 3])
    assert list(without_cells(add_cells(plain)).columns) == list(plain.columns)
    assert without_cells(plain) is plain


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (_frame(PLACES, [1, 2, 3]).to_crs("EPSG:32719"), "CRS must be EPSG:4326"),
        (gpd.GeoDataFrame({"people_count": [1]}, geometry=gpd.GeoSeries.from_wkt(
            ["LINESTRING (-70.3 -18.3, -70.2 -18.2)"]), crs="EPSG:4326"), "must be points"),
    ],
)  # fmt: skip
def test_bad_frames_are_refused_with_the_reason(frame: gpd.GeoDataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        add_cells(frame)


def test_counting_without_cells_names_the_missing_column_and_the_fix() -> None:
    with pytest.raises(ValueError, match=r"no column 'h3_r7'; run geo\.cells\.add_cells"):
        count_cells(_frame(PLACES, [1, 2, 3]), 7)
    with pytest.raises(ValueError, match="resolution: 3 is not one of"):
        cell_column(3)
