"""Read an IOM Missing Migrants Project (MMP) CSV export: every record is a death or disappearance.

Choices (documented here and in the report):
- category: always death_or_injury.
- people_count: `Total Number of Dead and Missing` (not survivors, who are not counted).
- time: `Incident Date` (older exports: `Reported Date`). MMP writes slash dates month-first,
  often after a weekday (`Tue, 01/31/2023`); in this format only, slash dates are read
  month-first and a given weekday must match the date. ISO dates are read as usual. MMP gives
  no time of day: 12:00 local time in the zone of the incident's side (the day then reads
  the same in every display zone).
- location: `Coordinates` as "lat, lon" (current layout) or WKT `POINT (lon lat)` (older).
- nationalities: `Country of Origin`, UN M49 names like "Venezuela (Bolivarian Republic of)",
  several separated by commas; any ISO 3166-1 country is known. "Mixed" gives no codes and
  "Unknown" gives UNK, each counted in a notice; any other unknown name rejects the row.
- description: "Cause of death: … . Location: …" from `Cause of Death` and
  `Location of Incident`; `Information Source` -> source, `URL` -> source_url.
- id: `Incident ID`, else `Main ID`.
The fixed mappings (category, people_count) are counted in notices, so the report says
what was mapped how.
"""

from __future__ import annotations

from typing import Final

import pyarrow.compute as pc

from geo.ingest.columns import HeaderIndex
from geo.ingest.raw import PointText, RawIncidents
from geo.ingest.report import IngestError, Notice
from geo.ingest.split_csv import CsvRows
from geo.ingest.textcols import TextColumn, constant_column, trimmed

# Field -> MMP column names (folded by header_key), the first present one wins.
MMP_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "incident_id": ("incident_id", "main_id", "web_id"),
    "occurred_at": ("incident_date", "reported_date"),
    "coordinates": ("coordinates", "location_coordinates"),
    "people_count": ("total_number_of_dead_and_missing", "total_dead_and_missing"),
    "nationalities": ("country_of_origin",),
    "cause": ("cause_of_death",),
    "place": ("location_of_incident", "location_description"),
    "source": ("information_source",),
    "source_url": ("url",),
}
REQUIRED: Final = ("occurred_at", "coordinates")
CATEGORY: Final = "death_or_injury"


def check_header(header: list[str], file: str) -> dict[str, int]:
    """Return field -> column position of the MMP columns used; raise for missing ones."""
    index = HeaderIndex(header, file)
    found: dict[str, int] = {}
    for field, names in MMP_COLUMNS.items():
        for name in names:
            position = index.find([name], field)
            if position is not None:
                found[field] = position
                break
    missing = [MMP_COLUMNS[field][0] for field in REQUIRED if field not in found]
    if missing:
        raise IngestError(f"{file}: IOM MMP export without required columns: {', '.join(missing)}")
    return found


def to_raw(rows: CsvRows, file: str) -> RawIncidents:
    """Return MMP rows as canonical text cells (category death_or_injury for all)."""
    found = check_header(rows.header, file)
    index = HeaderIndex(rows.header, file)
    index.used.update(found.values())
    column = {field: rows.columns[position] for field, position in found.items()}
    header = {field: rows.header[position] for field, position in found.items()}
    cells = {"category": constant_column(CATEGORY, len(rows.lines))}
    names = {"category": "(every MMP record)"}
    for field in (
        "incident_id",
        "occurred_at",
        "people_count",
        "nationalities",
        "source",
        "source_url",
    ):
        if field in column:
            cells[field], names[field] = column[field], header[field]
    if "cause" in column or "place" in column:
        cells["description"] = _description(column.get("cause"), column.get("place"))
        names["description"] = " + ".join(header[f] for f in ("cause", "place") if f in header)
    unused = index.unused_notice()
    notices = [*rows.notices, *([unused] if unused else []), *_mapping_notices(rows, header)]
    return RawIncidents(
        file=file, format="iom", lines=rows.lines, cells=cells, names=names,
        location=PointText(column["coordinates"], header["coordinates"]), total=rows.total,
        problems=list(rows.problems), notices=notices, time_dialect="mmp",
    )  # fmt: skip


def _mapping_notices(rows: CsvRows, header: dict[str, str]) -> list[Notice]:
    """Return notices counting the fixed MMP mappings applied (rows read, not only accepted)."""
    size = len(rows.lines)
    notices = [
        Notice(None, "category", None, f"{size} rows: category {CATEGORY} (every MMP record is "
               "a death or a disappearance)"),
    ]  # fmt: skip
    if "people_count" in header:
        message = (
            f"{size} rows: people_count is {header['people_count']!r} (the dead and missing; "
            "survivors are not counted)"
        )
        notices.append(Notice(None, "people_count", None, message))
    return notices


def _description(cause: TextColumn | None, place: TextColumn | None) -> TextColumn:
    """Return "Cause of death: X. Location: Y" (parts present only; null when both missing)."""
    parts = [
        pc.binary_join_element_wise(label, trimmed(text), "")
        for label, text in (("Cause of death: ", cause), ("Location: ", place))
        if text is not None
    ]
    if len(parts) == 1:
        return parts[0]
    # pc.coalesce, not null_handling="skip": skip drops rows of chunked inputs (pyarrow 26)
    return pc.coalesce(pc.binary_join_element_wise(parts[0], parts[1], ". "), *parts)
