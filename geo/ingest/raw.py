"""Hold one file's rows as text cells by canonical field, before any value is checked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pyarrow as pa

from geo.ingest.report import IngestFormat, Notice, Problem

TimeDialect = Literal["day_first", "mmp"]  # mmp: IOM Missing Migrants, slash dates month-first


@dataclass
class LatLonText:
    """Latitude and longitude in two text columns."""

    lat: pa.ChunkedArray
    lon: pa.ChunkedArray
    lat_field: str
    lon_field: str


@dataclass
class PointText:
    """One text column per point: "lat, lon", WKT "POINT (lon lat)" or a DMS pair."""

    cells: pa.ChunkedArray
    field: str


@dataclass
class PointNumbers:
    """Numbers already read (GeoJSON geometry); rows in `reported` already have a problem."""

    lon: np.ndarray
    lat: np.ndarray
    raw: Sequence[str]  # the coordinates as written, for messages
    reported: np.ndarray
    field: str = "geometry"


Location = LatLonText | PointText | PointNumbers


@dataclass
class RawIncidents:
    """Rows of one file: text cells per canonical field, row keys, and what reading found.

    `lines` holds each row's key, which problems and notices carry in their `line` until
    `locate` turns it into the file's line: the file line itself for CSV, the 1-based feature
    number for GeoJSON, whose `feature_lines` gives each feature's physical start line.
    `cells` holds canonical fields other than the location (absent = column not given);
    `names` gives the column or property name each field came from, for messages.
    """

    file: str
    format: IngestFormat
    lines: np.ndarray
    cells: dict[str, pa.ChunkedArray]
    names: dict[str, str]
    location: Location
    total: int
    problems: list[Problem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    time_dialect: TimeDialect = "day_first"
    feature_lines: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.total != self.size + self._dropped_rows():
            raise RuntimeError(f"{self.file}: rows and lines disagree while reading")

    def _dropped_rows(self) -> int:
        """Return how many problem lines name rows that were dropped while splitting."""
        problem_lines = np.fromiter({p.line for p in self.problems}, dtype="int64")
        return int((~np.isin(problem_lines, self.lines)).sum()) if problem_lines.size else 0

    @property
    def size(self) -> int:
        """Return the number of rows held (rows dropped while splitting are only in problems)."""
        return len(self.lines)

    def locate_problem(self, problem: Problem) -> Problem:
        """Return the problem with its row key made a file line (and feature number)."""
        if self.feature_lines is None:
            return problem
        line = int(self.feature_lines[problem.line - 1])
        return replace(problem, line=line, feature=problem.line)

    def locate_notice(self, notice: Notice) -> Notice:
        """Return the notice with its row key made a file line (and feature number)."""
        if self.feature_lines is None or notice.line is None or notice.feature is not None:
            return notice
        line = int(self.feature_lines[notice.line - 1])
        return replace(notice, line=line, feature=notice.line)

    def name(self, canonical: str) -> str:
        """Return the file's name for a canonical field (the canonical name when not given)."""
        return self.names.get(canonical, canonical)
