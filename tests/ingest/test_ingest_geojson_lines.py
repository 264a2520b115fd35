"""GeoJSON written one feature per line: pyarrow's reading gives exactly what json's gives."""

from __future__ import annotations

import json
from typing import Any

import pytest
from geopandas.testing import assert_geodataframe_equal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.ingest import IngestError, IngestResult, geojson, geojson_scan, read_incidents_bytes
from geo.ingest.geojson_scan import ArrowFeatures
from geo.layers import Layers
from geo.schema import CATEGORIES

HEADER = '{\n"type": "FeatureCollection",\n"name": "incidents",\n"features": [\n'
FIRST_LINE = 5  # the line of the first feature after HEADER
PLACE = [-70.315, -18.316]  # Chacalluta, inside the area


def feature(number: int, geometry: Any = None, **properties: Any) -> dict[str, Any]:
    """Return a valid incident Feature; keyword arguments replace or add properties."""
    base = {"incident_id": f"f-{number}", "occurred_at": "2026-03-05T14:00:00Z",
            "category": "protest"}  # fmt: skip
    return {
        "type": "Feature",
        "properties": {**base, **properties},
        "geometry": geometry or {"type": "Point", "coordinates": PLACE},
    }


def lines_file(entries: list[Any], header: str = HEADER, newline: str = "\n") -> bytes:
    """Return a FeatureCollection with one entry per line, as GDAL writes it."""
    body = f",{newline}".join(json.dumps(entry, ensure_ascii=False) for entry in entries)
    return (header + body + f"{newline}]{newline}}}{newline}").encode()


def outcome(data: bytes, layers: Layers) -> IngestResult | str:
    """Return the result, or the IngestError message when the file cannot be read."""
    try:
        return read_incidents_bytes(data, "lines.geojson", layers=layers)
    except IngestError as error:
        return str(error)


def read_both(
    data: bytes, layers: Layers, monkeypatch: pytest.MonkeyPatch
) -> tuple[IngestResult | str, IngestResult | str, bool]:
    """Return (the reading, json's reading only, whether pyarrow's rows were used)."""
    used: list[bool] = []
    read_lines = geojson.read_arrow

    def spy(lines: ArrowFeatures, file: str) -> Any:
        read = read_lines(lines, file)
        used.append(read is not None)
        return read

    with monkeypatch.context() as patch:
        patch.setattr(geojson, "read_arrow", spy)
        default = outcome(data, layers)
    with monkeypatch.context() as patch:
        patch.setattr(geojson_scan, "read_with_arrow", lambda cursor, utf8: None)
        json_only = outcome(data, layers)
    return default, json_only, any(used)


def assert_same(default: IngestResult | str, json_only: IngestResult | str) -> None:
    if isinstance(json_only, str) or isinstance(default, str):
        assert default == json_only
        return
    assert default.report.to_dict() == json_only.report.to_dict()
    assert_geodataframe_equal(default.incidents, json_only.incidents)


def test_lines_are_read_by_pyarrow_with_json_values_lines_and_problems(
    layers: Layers, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = {"crossing": "chacalluta", "people_count": 12, "nationalities": ["VEN", "COL"],
            "source": "prensa", "source_url": "https://example.org/1", "description": "Niños",
            "verified": True, "synthetic": False}  # fmt: skip
    entries = [
        feature(1, **full),
        feature(2, category="riot"),
        feature(3, geometry={"type": "Point", "coordinates": [-75, -10]}),  # integers, far off
        feature(4, occurred_at="31/02/2026", nationalities=["HTI"], verified=False),
        feature(5, people_count=None, nationalities=[]),
        {**feature(6), "properties": None},
        feature(7, geometry={"type": "Point", "coordinates": [*PLACE, 5]}),  # an elevation
        feature(8, geometry={"type": "Point", "coordinates": [-75.5, -10.5, 5.5, 1.0]}),
    ]
    default, json_only, used = read_both(lines_file(entries), layers, monkeypatch)
    assert used
    assert_same(default, json_only)
    assert isinstance(default, IngestResult)
    assert default.incidents["incident_id"].tolist() == ["f-1", "f-5", "f-7"]
    first = default.incidents.iloc[0]
    assert (first["people_count"], first["nationalities"]) == (12, ["VEN", "COL"])
    assert first["description"] == "Niños" and bool(first["verified"]) is True
    rows = {(p.line, p.feature) for p in default.report.problems}
    assert rows == {(FIRST_LINE + n - 1, n) for n in (2, 3, 4, 6, 8)}
    far = {p.feature: p.value for p in default.report.problems if p.field == "geometry"}
    assert far == {3: "[-75, -10]", 8: "[-75.5, -10.5, 5.5, 1.0]"}  # as written
    assert [n.message for n in default.report.notices if n.field == "geometry"] == [
        "2 points had a third (elevation) coordinate: ignored"
    ]


def _line(number: int, **properties: Any) -> str:
    return json.dumps(feature(number, **properties))


PRETTY = json.dumps(
    {"type": "FeatureCollection", "features": [feature(1), feature(2, category="riot")]}, indent=2
)
ONE_PRETTY = json.dumps(feature(2, category="riot"), indent=2)
ONE_PRETTY = HEADER + _line(1) + ",\n" + ONE_PRETTY + ",\n" + _line(3, category="riot") + "\n]}"
LAYOUTS_READ_BY_PYARROW = {
    "pretty-printed": (PRETTY, [(19, 2)]),  # each feature takes 15 lines
    "minified": (PRETTY.replace("\n", "").replace("  ", ""), [(1, 2)]),
    "one feature pretty-printed": (ONE_PRETTY, [(FIRST_LINE + 1, 2), (FIRST_LINE + 16, 3)]),
    "CRLF line ends": (
        lines_file([feature(1), feature(2, category="riot")], newline="\r\n").decode(),
        [(FIRST_LINE + 1, 2)],
    ),
    "a space before the newline": (
        HEADER + _line(1) + ", \n" + _line(2, category="riot") + "\n]}",
        [(FIRST_LINE + 1, 2)],
    ),
    "a single feature": (HEADER + _line(1, category="riot") + "\n]}", [(FIRST_LINE, 1)]),
}


@pytest.mark.parametrize(
    ("text", "rows"), LAYOUTS_READ_BY_PYARROW.values(), ids=LAYOUTS_READ_BY_PYARROW.keys()
)
def test_any_layout_with_one_separator_is_read_by_pyarrow(
    layers: Layers, monkeypatch: pytest.MonkeyPatch, text: str, rows: list[tuple[int, int]]
) -> None:
    default, json_only, used = read_both(text.encode(), layers, monkeypatch)
    assert used
    assert_same(default, json_only)
    assert isinstance(default, IngestResult)
    assert [(p.line, p.feature) for p in default.report.problems] == rows


TWO_KEYS = {"id": "x-2", "occurred_at": "2026-03-05T14:00:00Z", "category": "protest"}
CASES_LEFT_TO_JSON = {
    "a float next to an integer": [feature(1, people_count=3), feature(2, people_count=2.5)],
    "an entry not a Feature": [feature(1), {"type": "Polygon", "coordinates": []}],
    "a list holding a number": [feature(1, nationalities=["VEN", 1])],
    "a list holding null": [feature(1, nationalities=["VEN", None])],
    "two keys for one field": [feature(1), {**feature(2), "properties": TWO_KEYS}],
    "a date-like text first given later": [feature(1), feature(2, source="2026-03-05T14:00:00Z")],
    "a NaN coordinate": [feature(1, geometry={"type": "Point", "coordinates": [float("nan"), 1]})],
    "a null geometry": [feature(1), {**feature(2), "geometry": None}],
    "a LineString": [feature(1, geometry={"type": "LineString", "coordinates": [PLACE, PLACE]})],
    "an object property": [feature(1, source={"name": "prensa"})],
    "properties that are text": [{**feature(1), "properties": "none"}],
}


@pytest.mark.parametrize("entries", CASES_LEFT_TO_JSON.values(), ids=CASES_LEFT_TO_JSON.keys())
def test_features_pyarrow_cannot_read_as_json_does_are_left_to_json(
    layers: Layers, monkeypatch: pytest.MonkeyPatch, entries: list[Any]
) -> None:
    default, json_only, used = read_both(lines_file(entries), layers, monkeypatch)
    assert not used
    assert_same(default, json_only)


FOREIGN_CRS = '"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32719"}},\n'
LAYOUTS_LEFT_TO_JSON = {
    "a duplicate key": HEADER + '{"type": "Feature", ' + _line(1)[1:] + "\n]}",
    "a foreign crs": HEADER.replace('"name"', FOREIGN_CRS + '"name"') + _line(1) + "\n]}",
    "members after the features": HEADER + _line(1) + "\n],\n" + '"bbox": [-71, -19, -69, -17]}',
    "two separators": HEADER + _line(1) + ", " + _line(2) + ",\n" + _line(3) + "\n]}",
    "a separator inside a text": HEADER + _line(1, description="a}, {b") + ", " + _line(2) + "]}",
}


@pytest.mark.parametrize("text", LAYOUTS_LEFT_TO_JSON.values(), ids=LAYOUTS_LEFT_TO_JSON.keys())
def test_other_layouts_are_left_to_json(
    layers: Layers, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    default, json_only, used = read_both(text.encode(), layers, monkeypatch)
    assert not used
    assert_same(default, json_only)


NO_COMMA = _line(2).replace(",", "", 1)
# a separator inside a text would make as many runs as objects, were the comma made a space
MASKED = json.dumps(feature(1, description="a}, {b"), indent=2)  # spans lines
MASKED = HEADER + MASKED + ", " + _line(2) + "\n" + _line(3) + "\n]}"
TWO_ON_A_LINE = HEADER + _line(1) + " " + _line(2) + ",\n ,\n" + _line(3) + "\n]}"
INVALID = {
    "Inf, which json refuses": HEADER + _line(1).replace("-70.315", "Inf") + "\n]}",
    "-NaN, which json refuses": HEADER + _line(1).replace("-70.315", "-NaN") + "\n]}",
    "no commas between lines": HEADER + _line(1) + "\n" + _line(2) + "\n]}",
    "a trailing comma": HEADER + _line(1) + ",\n" + _line(2) + ",\n]}",
    "two objects on a line, a comma on its own": TWO_ON_A_LINE,
    "a tab inside a text": HEADER + _line(1).replace("protest", "pro\ttest") + "\n]}",
    "a newline inside a text": PRETTY.replace("protest", "pro\ntest"),
    "a missing comma masked by a separator inside a text": MASKED,
    "a missing comma inside a feature": HEADER + _line(1) + ",\n" + NO_COMMA + "\n]}",
}


@pytest.mark.parametrize("text", INVALID.values(), ids=INVALID.keys())
def test_invalid_json_fails_as_json_fails(
    layers: Layers, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    default, json_only, used = read_both(text.encode(), layers, monkeypatch)
    assert not used
    assert isinstance(default, str) and "not valid JSON" in default
    assert default == json_only


def test_a_bad_byte_in_a_feature_is_rejected_by_json_reading(
    layers: Layers, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = lines_file([feature(1, description="Niño"), feature(2, description="Ni@o")])
    default, json_only, used = read_both(data.replace(b"@", b"\xf1"), layers, monkeypatch)
    assert not used
    assert_same(default, json_only)
    assert isinstance(default, IngestResult)
    (problem,) = default.report.problems
    assert (problem.line, problem.feature, problem.field) == (FIRST_LINE + 1, 2, "(row)")


def test_feature_lines_count_from_a_longer_header(
    layers: Layers, monkeypatch: pytest.MonkeyPatch
) -> None:
    header = HEADER.replace(
        '"name": "incidents",\n',
        '"name": "incidents",\n"crs": { "type": "name", "properties": '
        '{ "name": "urn:ogc:def:crs:OGC:1.3:CRS84" } },\n\n',
    )
    entries = [feature(1), feature(2), feature(3, category="riot")]
    default, json_only, used = read_both(lines_file(entries, header), layers, monkeypatch)
    assert used
    assert_same(default, json_only)
    assert isinstance(default, IngestResult)
    assert [(p.line, p.feature) for p in default.report.problems] == [(FIRST_LINE + 4, 3)]


FRIENDLY_KINDS = (  # what pyarrow reads as json does
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from(["2026-03-05T14:00:00Z", "05/03/2026 14:30", "protesta", "", " x "]),
    st.sampled_from(CATEGORIES),
    st.text(max_size=6),
    st.lists(st.sampled_from(["VEN", "COL", "HTI", "xx"]), max_size=3),
)
OTHER_KINDS = (
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.one_of(st.none(), st.integers(0, 3), st.text(max_size=2)), max_size=2),
)
KEYS = st.sampled_from(["incident_id", "id", "occurred_at", "fecha", "category", "tipo",
    "people_count", "nationalities", "verified", "description", "crossing", "extra"])  # fmt: skip
PAIRS = st.one_of(
    st.tuples(st.floats(-70.6, -69.5), st.floats(-18.9, -17.3)).map(list),
    st.tuples(st.floats(-80, -60), st.floats(-30, 0)).map(list),
    st.tuples(st.integers(-71, -69), st.integers(-19, -17)).map(list),
    st.tuples(st.floats(-70.6, -69.5), st.floats(-18.9, -17.3), st.integers(0, 9)).map(list),
)
OTHER_COORDINATES = st.lists(st.floats(-80, -60), min_size=1, max_size=3)


@st.composite
def collections(draw: st.DrawFn) -> str:
    """Return a FeatureCollection, in one of three layouts, of features that keep one JSON
    type per property key and a plain Point (as most files do), or not."""
    friendly = draw(st.booleans())
    kinds = draw(st.dictionaries(KEYS, st.sampled_from(FRIENDLY_KINDS), max_size=6))
    everything = st.one_of(*FRIENDLY_KINDS, *OTHER_KINDS)
    made: list[Any] = []
    for number in range(1, draw(st.integers(1, 6)) + 1):
        properties = {
            key: draw(kind if friendly else everything)
            for key, kind in kinds.items()
            if draw(st.integers(0, 4))  # now and then a feature lacks a key
        }
        if draw(st.booleans()):  # mostly usable rows
            properties |= {"occurred_at": "2026-03-05T14:00:00Z", "category": "protest"}
        geometry = {"type": "Point", "coordinates": draw(
            PAIRS if friendly else st.one_of(PAIRS, OTHER_COORDINATES))}  # fmt: skip
        made.append({"type": "Feature", "id": number, "properties": properties,
                     "geometry": geometry})  # fmt: skip
    layout = draw(st.sampled_from(["lines", "pretty", "minified"]))
    if layout == "lines":
        return lines_file(made).decode()
    collection = {"type": "FeatureCollection", "features": made}
    return json.dumps(collection, indent=2 if layout == "pretty" else None)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=collections())
def test_random_collections_read_alike_either_way(
    layers: Layers, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    default, json_only, _ = read_both(text.encode(), layers, monkeypatch)
    assert_same(default, json_only)
