"""Coordinates: swaps and points outside the area rejected, decimal commas and DMS read exactly."""

from __future__ import annotations

from fractions import Fraction

import pytest
from ingest_support import ids, notices_with, only_problem, read_fixture

from geo.ingest.dms import DmsError, parse_dms, parse_dms_pair
from geo.layers import Layers


def test_swapped_latitude_and_longitude_is_rejected_not_fixed(layers: Layers) -> None:
    result = read_fixture("swapped_coordinates.csv", layers)
    assert ids(result) == ["ok-1"]
    problem = only_problem(result, 3)
    assert (problem.field, problem.value) == ("lat/lon", "-70.315/-18.316")
    assert "probable swap" in problem.reason


def test_point_outside_the_two_regions_is_rejected(layers: Layers) -> None:
    result = read_fixture("outside_area.csv", layers)
    problem = only_problem(result, 3)
    assert (problem.field, problem.value) == ("lat/lon", "-33.45/-70.66")
    assert problem.reason.startswith("outside the Arica y Parinacota / Tacna area (bbox ")
    minx, miny, maxx, maxy = layers.bounds
    assert (
        f"{minx - 0.05:.4f}, {miny - 0.05:.4f}, {maxx + 0.05:.4f}, {maxy + 0.05:.4f}"
        in problem.reason
    )


def test_out_of_range_values_name_their_axis(layers: Layers) -> None:
    result = read_fixture("out_of_range_coordinates.csv", layers)
    assert ids(result) == ["ok-1"]
    lat = only_problem(result, 3)
    assert (lat.field, lat.value) == ("lat", "95")
    assert "latitude out of range" in lat.reason
    lon = only_problem(result, 4)
    assert (lon.field, lon.value) == ("lon", "-190")
    assert "longitude out of range" in lon.reason


def test_nan_inf_and_empty_coordinates(layers: Layers) -> None:
    result = read_fixture("nonfinite_coordinates.csv", layers)
    assert ids(result) == ["ok-1"]
    assert (only_problem(result, 3).field, only_problem(result, 3).value) == ("lat", "NaN")
    assert only_problem(result, 3).reason == "not a finite number"
    assert (only_problem(result, 4).field, only_problem(result, 4).value) == ("lon", "inf")
    empty = only_problem(result, 5)
    assert (empty.field, empty.value, empty.reason) == ("lat", "", "empty: a latitude is required")


@pytest.mark.parametrize("name", ["comma_decimals_semicolon.csv", "comma_decimals_quoted.csv"])
def test_decimal_commas_are_read_with_one_notice_per_field(layers: Layers, name: str) -> None:
    result = read_fixture(name, layers)
    first = result.incidents.geometry.iloc[0]
    assert (first.y, first.x) == (-18.316, -70.315)
    notices = notices_with(result, "decimal comma")
    assert [notice.field for notice in notices] == ["lat", "lon"]
    expected = 2 if "semicolon" in name else 1
    assert all(notice.message.startswith(f"{expected} values") for notice in notices)
    assert result.report.rejected == 0


def _degrees(degrees: int, minutes: int, seconds: str) -> float:
    return -float(degrees + Fraction(minutes, 60) + Fraction(seconds) / 3600)


def test_dms_coordinates_column_is_parsed_exactly(layers: Layers) -> None:
    result = read_fixture("dms_coordinates.csv", layers)
    assert ids(result) == ["dms-1", "dms-2"]
    for point in result.incidents.geometry:
        assert (point.y, point.x) == (-18.35, _degrees(70, 22, "49"))
    problem = only_problem(result, 4)  # two northing letters
    assert problem.field == "coordenadas"
    assert "degrees-minutes-seconds pair" in problem.reason
    (notice,) = notices_with(result, "degrees-minutes-seconds")
    assert notice.message.startswith("2 values")


def test_dms_in_separate_columns(layers: Layers) -> None:
    result = read_fixture("dms_lat_lon.csv", layers)
    first, second = result.incidents.geometry
    assert (first.y, first.x) == (_degrees(18, 21, "00.42"), _degrees(70, 22, "49.8"))  # O = oeste
    assert (second.y, second.x) == (-18.35, _degrees(70, 22, "49"))
    problem = only_problem(result, 4)
    assert (problem.field, problem.value) == ("lat", "18°21'00\"E")
    assert "belongs to a longitude" in problem.reason


@pytest.mark.parametrize(
    ("text", "axis", "expected"),
    [
        ("18°21'00\"S", "lat", -18.35),
        ("18 21 00 S", "lat", -18.35),
        ("S 18°21'", "lat", -18.35),
        ("18° 21′ 00″ S", "lat", -18.35),
        ("-18°21'", "lat", -18.35),
        ("18.35°S", "lat", -18.35),
        ("18°21.5'S", "lat", -float(18 + Fraction(215, 600))),
        ("70°22'49.8\"O", "lon", _degrees(70, 22, "49.8")),
    ],
)
def test_parse_dms_accepts_common_spellings(text: str, axis: str, expected: float) -> None:
    assert parse_dms(text, axis) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("18°61'S", "below 60"),
        ("-18°21'S", "both a sign and a hemisphere"),
        ("18.5°21'S", "only the last"),
        ("-18.35", "not a number or degrees-minutes-seconds"),
        ("1821S", "not a number or degrees-minutes-seconds"),
    ],
)
def test_parse_dms_rejects_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(DmsError, match=reason):
        parse_dms(text, "lat")


def test_dms_pair_order_follows_the_hemisphere_letters() -> None:
    assert parse_dms_pair("70°22'49\"W, 18°21'00\"S") == (-18.35, _degrees(70, 22, "49"))
