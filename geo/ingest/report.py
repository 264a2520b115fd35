"""Describe what ingest found: per-row problems, file-level notices and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd

IngestFormat = Literal["csv", "geojson", "acled", "iom"]


class IngestError(Exception):
    """The file cannot be read at all; the message names the file and the reason."""


@dataclass(frozen=True)
class Problem:
    """One reason a row was rejected: its file line, the field, the value as given, why.

    `line` is always the physical line in the file (1-based; a one-line GeoJSON file gives
    line 1 for every feature). GeoJSON problems also give `feature`, the 1-based position of
    the feature in the features array, which tells apart features that share a line.
    """

    line: int
    field: str
    value: str
    reason: str
    feature: int | None = None

    @property
    def row(self) -> tuple[int, int | None]:
        """Return what identifies the rejected row: (line, feature)."""
        return self.line, self.feature

    def __str__(self) -> str:
        feature = f", feature {self.feature}" if self.feature is not None else ""
        return f"line {self.line}{feature}, {self.field} = {self.value!r}: {self.reason}"


@dataclass(frozen=True)
class Notice:
    """Something the reader did that the user should know about; not a rejection."""

    line: int | None
    field: str | None
    value: str | None
    message: str
    feature: int | None = None  # GeoJSON: the 1-based feature number, as in Problem

    def __str__(self) -> str:
        line = f"line {self.line}" if self.line is not None else ""
        line += f", feature {self.feature}" if self.feature is not None else ""
        value = f" = {self.value!r}" if self.value is not None else ""
        field_text = f"{self.field}{value}" if self.field else value.removeprefix(" = ")
        prefix = ", ".join(part for part in (line, field_text) if part)
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass
class ValidationReport:
    """What happened to every row of one file: totals, problems (rejections) and notices."""

    file: str
    format: IngestFormat
    total: int
    problems: list[Problem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        """Return the number of distinct rows (line, feature) with at least one problem."""
        return len({problem.row for problem in self.problems})

    @property
    def accepted(self) -> int:
        """Return the number of rows that became incidents."""
        return self.total - self.rejected

    def to_dict(self) -> dict[str, object]:
        """Return the report as plain JSON-ready values.

        Problems: line, field, value, reason, and "feature" (1-based) only when set, which
        is for every GeoJSON problem; notices: line, field, value, message, and "feature"
        only when set. CSV reports therefore never carry a "feature" key.
        """
        return {
            "file": self.file,
            "format": self.format,
            "total": self.total,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "problems": [
                _with_feature(
                    {"line": p.line, "field": p.field, "value": p.value, "reason": p.reason},
                    p.feature,
                )
                for p in self.problems
            ],
            "notices": [
                _with_feature(
                    {"line": n.line, "field": n.field, "value": n.value, "message": n.message},
                    n.feature,
                )
                for n in self.notices
            ],
        }

    def summary(self) -> str:
        """Return one line: file, format, and the row counts."""
        return (
            f"{self.file} ({self.format}): {self.total} rows, {self.accepted} accepted, "
            f"{self.rejected} rejected, {len(self.notices)} notices"
        )


def _with_feature(entry: dict[str, object], feature: int | None) -> dict[str, object]:
    if feature is not None:
        entry["feature"] = feature
    return entry


@dataclass
class IngestResult:
    """The accepted incidents (canonical GeoDataFrame) and the report on the whole file."""

    incidents: gpd.GeoDataFrame
    report: ValidationReport

    def __post_init__(self) -> None:
        report = self.report
        if not 0 <= report.rejected <= report.total or len(self.incidents) != report.accepted:
            raise RuntimeError(
                f"{report.file}: ingest bookkeeping is broken: total {report.total}, "
                f"rejected {report.rejected}, incidents {len(self.incidents)}"
            )
