"""Read incident reports (CSV, GeoJSON, ACLED, IOM MMP) into canonical incidents, losing none.

Every row of a file ends up either as an incident or in the report's problems, with its
line, field, value and reason; notices say what was read in a non-obvious way.

- `line` is always the physical line in the file; GeoJSON problems also give `feature`,
  the 1-based feature number (ValidationReport.to_dict adds the key only when set).
- Dates without a time of day are placed at 12:00 local time of their side of the border.
- `verified` is <NA> (unknown) when blank or absent; `synthetic` is False then.
- Reference layers default to the bundled ones, read on each call (no cache here).
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
