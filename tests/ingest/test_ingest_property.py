"""Property: random CSV files of good and bad rows lose no row; good values come out as given."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.ingest import read_incidents_bytes
from geo.layers import Layers
from geo.schema import CATEGORIES

HEADER = "incident_id,occurred_at,lat,lon,category,people_count"
KINDS = (
    "good",
    "good",
    "good",
    "swapped",
    "bad_date",
    "unknown_category",
    "extra_field",
    "duplicate_id",
)


@dataclass(frozen=True)
class Row:
    """One generated CSV row and what ingest must make of it."""

    kind: str
    incident_id: str
    occurred_at: pd.Timestamp
    lat: float
    lon: float
    category: str
    people_count: int

    def text(self) -> str:
        lat, lon = repr(self.lat), repr(self.lon)
        when = self.occurred_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        category = self.category
        if self.kind == "swapped":
            lat, lon = lon, lat
        elif self.kind == "bad_date":
            when = "31/02/2026"
        elif self.kind == "unknown_category":
            category = "riot"
        cells = [self.incident_id, when, lat, lon, category, str(self.people_count)]
        if self.kind == "extra_field":
            cells.append("surplus")
        return ",".join(cells)


@st.composite
def rows(draw: st.DrawFn) -> list[Row]:
    count = draw(st.integers(min_value=1, max_value=25))
    made: list[Row] = []
    for index in range(count):
        kind = draw(st.sampled_from(KINDS))
        incident_id = f"r{index}"
        if kind == "duplicate_id":
            incident_id = (
                draw(st.sampled_from([row.incident_id for row in made])) if made else incident_id
            )
        seconds = draw(st.integers(min_value=0, max_value=365 * 86_400))
        made.append(
            Row(
                kind=kind,
                incident_id=incident_id,
                occurred_at=pd.Timestamp("2025-06-01T00:00:00Z") + pd.Timedelta(seconds=seconds),
                lat=draw(st.floats(min_value=-18.9, max_value=-17.3)),
                lon=draw(st.floats(min_value=-70.6, max_value=-69.6)),
                category=draw(st.sampled_from(CATEGORIES)),
                people_count=draw(st.integers(min_value=0, max_value=10_000)),
            )
        )
    return made


def _expected_accepted(made: list[Row]) -> list[int]:
    """Return the positions of rows that must be accepted: good, with an id used only once."""
    counts: dict[str, int] = {}
    for row in made:
        if row.kind != "extra_field":  # never split into fields, so its id is never read
            counts[row.incident_id] = counts.get(row.incident_id, 0) + 1
    good = ("good", "duplicate_id")  # a "duplicate" drawn first has a fresh id
    return [i for i, row in enumerate(made) if row.kind in good and counts[row.incident_id] == 1]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(made=rows())
def test_every_row_is_accepted_exactly_or_reported(layers: Layers, made: list[Row]) -> None:
    data = "\n".join([HEADER, *(row.text() for row in made)]) + "\n"
    result = read_incidents_bytes(data.encode(), "random.csv", layers=layers)
    report = result.report
    assert report.total == len(made)
    assert report.accepted + report.rejected == report.total
    assert len(result.incidents) == report.accepted

    positions = _expected_accepted(made)
    expected = [made[position] for position in positions]
    frame = result.incidents
    assert frame["incident_id"].tolist() == [row.incident_id for row in expected]
    assert frame.geometry.y.tolist() == [row.lat for row in expected]
    assert frame.geometry.x.tolist() == [row.lon for row in expected]
    assert frame["category"].tolist() == [row.category for row in expected]
    assert frame["people_count"].tolist() == [row.people_count for row in expected]
    assert frame["occurred_at"].tolist() == [row.occurred_at for row in expected]

    accepted_lines = {position + 2 for position in positions}
    rejected_lines = {problem.line for problem in report.problems}
    assert rejected_lines == set(range(2, len(made) + 2)) - accepted_lines
