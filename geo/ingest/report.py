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
    """One reason a row was rejected: its file line, the field, the value as given, why."""

    line: int
    field: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field} = {self.value!r}: {self.reason}"


@dataclass(frozen=True)
class Notice:
    """Something the reader did that the user should know about; not a rejection."""

    line: int | None
    field: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        line = f"line {self.line}" if self.line is not None else ""
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
        """Return the number of distinct rows with at least one problem."""
        return len({problem.line for problem in self.problems})

    @property
    def accepted(self) -> int:
        """Return the number of rows that became incidents."""
        return self.total - self.rejected

    def to_dict(self) -> dict[str, object]:
        """Return the report as plain JSON-ready values."""
        return {
            "file": self.file,
            "format": self.format,
            "total": self.total,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "problems": [
                {"line": p.line, "field": p.field, "value": p.value, "reason": p.reason}
                for p in self.problems
            ],
            "notices": [
                {"line": n.line, "field": n.field, "value": n.value, "message": n.message}
                for n in self.notices
            ],
        }

    def summary(self) -> str:
        """Return one line: file, format, and the row counts."""
        return (
            f"{self.file} ({self.format}): {self.total} rows, {self.accepted} accepted, "
            f"{self.rejected} rejected, {len(self.notices)} notices"
        )


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
