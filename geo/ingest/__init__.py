"""Read incident reports (CSV, GeoJSON, ACLED, IOM MMP) into canonical incidents, losing none.

Every row of a file ends up either as an incident or in the report's problems, with its
line, field, value and reason; notices say what was read in a non-obvious way.
"""

from geo.ingest.read import read_incidents, read_incidents_bytes
from geo.ingest.report import IngestError, IngestResult, Notice, Problem, ValidationReport

__all__ = [
    "IngestError",
    "IngestResult",
    "Notice",
    "Problem",
    "ValidationReport",
    "read_incidents",
    "read_incidents_bytes",
]
