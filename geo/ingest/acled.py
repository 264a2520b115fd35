"""Read an ACLED CSV export: map event types onto Hito's categories through a declared table.

Choices (documented here and in the report):
- id: `event_id_cnty`; older exports without it: `iso3` + `event_id_no_cnty` (the same
  "CHL1234" shape), or `event_id_no_cnty` alone with a notice when there is no `iso3`.
- time: `event_date` only (`2023-01-31`, `16 May 2025`); ACLED gives no time of day, so it is
  12:00 local time of that date in the zone of the event's side (the day then reads the same
  in every display zone). `timestamp` is ACLED's upload time, not the event's, and is not used.
- people_count: `fatalities` when above 0, else empty: ACLED counts deaths, not the people
  involved, so a protest with 0 deaths has an unknown (not zero) headcount.
- category: SUB_EVENT_CATEGORIES below; violent events become death_or_injury when
  fatalities > 0, else other. Abductions stay `other`: ACLED does not say trafficking and
  we do not infer it (the notes are kept in the description).
- notes -> description, source -> source; actors, tags and admin names are not used
  (listed in a notice). crossing is left for enrichment; nationalities are empty.
- precision: rows with `time_precision` 2 or 3 (date known to the week or month) and
  `geo_precision` 2 or 3 (a nearby town, a regional centroid) are kept, and counted in notices.
Each mapping rule applied is counted in a notice (counts are of the rows read, including
rows rejected for another reason), so the report says what was mapped how.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from geo.ingest.columns import HeaderIndex
from geo.ingest.raw import LatLonText, RawIncidents
from geo.ingest.report import IngestError, Notice, Problem
from geo.ingest.split_csv import CsvRows
from geo.ingest.textcols import (
    TextColumn,
    as_mask,
    map_distinct,
    matches,
    problems_at,
    quoted,
    trimmed,
)
from geo.schema import fold_text

VIOLENT: Final = "death_or_injury if fatalities > 0, else other"
SUB_EVENT_CATEGORIES: Final[dict[str, str]] = {
    # Protests and riots
    "peaceful protest": "protest",
    "protest with intervention": "protest",
    "excessive force against protesters": "protest",
    "violent demonstration": "protest",
    "mob violence": VIOLENT,
    # Strategic developments
    "arrests": "detention",
    "change to group/activity": "military_deployment",
    "headquarters or base established": "military_deployment",
    "disrupted weapons use": "military_deployment",
    "looting/property destruction": "other",
    "agreement": "other",
    "non-violent transfer of territory": "other",
    "other": "other",
    # Battles, violence against civilians, explosions/remote violence
    "armed clash": VIOLENT,
    "government regains territory": VIOLENT,
    "non-state actor overtakes territory": VIOLENT,
    "attack": VIOLENT,
    "sexual violence": VIOLENT,
    "abduction/forced disappearance": "other",
    "air/drone strike": VIOLENT,
    "shelling/artillery/missile attack": VIOLENT,
    "remote explosive/landmine/ied": VIOLENT,
    "grenade": VIOLENT,
    "suicide bomb": VIOLENT,
    "chemical weapon": VIOLENT,
}
# Used only when sub_event_type is empty.
EVENT_TYPE_CATEGORIES: Final[dict[str, str]] = {
    "protests": "protest",
    "riots": VIOLENT,
    "battles": VIOLENT,
    "violence against civilians": VIOLENT,
    "explosions/remote violence": VIOLENT,
    "strategic developments": "other",
}
# Folded event type or sub-event type -> category (a sub-event type wins over an event type).
CATEGORY_BY_KEY: Final = {
    fold_text(name): category
    for name, category in {**EVENT_TYPE_CATEGORIES, **SUB_EVENT_CATEGORIES}.items()
}
POSITIVE_COUNT: Final = r"^\s*0*[1-9]\d*\s*$"
ZERO_COUNT: Final = r"^\s*0+\s*$"
PRECISION_NOTES: Final = {
    ("time_precision", "2"): "{n} rows have time_precision 2 (week only): their date is "
    "ACLED's estimate within that week",
    ("time_precision", "3"): "{n} rows have time_precision 3 (month only): their date is "
    "ACLED's estimate",
    ("geo_precision", "2"): "{n} rows have geo_precision 2 (near a town): their point is "
    "that town, not the exact place",
    ("geo_precision", "3"): "{n} rows have geo_precision 3 (region only): their point is a "
    "regional centroid, not the place",
}


def check_header(header: list[str], file: str) -> dict[str, int]:
    """Return field -> column position of the ACLED columns used; raise for missing ones."""
    index = HeaderIndex(header, file)
    found = {name: index.find([name], name) for name in (
        "event_id_cnty", "event_id_no_cnty", "iso3", "event_date", "latitude", "longitude",
        "event_type", "sub_event_type", "fatalities", "notes", "source", "time_precision",
        "geo_precision",
    )}  # fmt: skip
    missing = [name for name in ("event_date", "latitude", "longitude") if found[name] is None]
    if found["event_id_cnty"] is None and found["event_id_no_cnty"] is None:
        missing.append("event_id_cnty (or event_id_no_cnty)")
    if found["sub_event_type"] is None and found["event_type"] is None:
        missing.append("sub_event_type (or event_type)")
    if missing:
        raise IngestError(f"{file}: ACLED export without required columns: {', '.join(missing)}")
    return {name: position for name, position in found.items() if position is not None}


def to_raw(rows: CsvRows, file: str) -> RawIncidents:
    """Return ACLED rows as canonical text cells (category mapped, fatalities as people)."""
    found = check_header(rows.header, file)
    column = {name: rows.columns[position] for name, position in found.items()}
    index = HeaderIndex(rows.header, file)
    for position in found.values():
        index.used.add(position)
    categories, problems, notices = _categories(column, rows.lines)
    ids, id_name, id_notice = _ids(column)
    cells = {"incident_id": ids, "occurred_at": column["event_date"], "category": categories}
    names = {"incident_id": id_name, "occurred_at": "event_date", "category": "sub_event_type"}
    if "fatalities" in column:
        cells["people_count"], zero_notice = _deaths_as_people(column["fatalities"])
        names["people_count"] = "fatalities"
        notices += [zero_notice] if zero_notice else []
    for field, name in (("description", "notes"), ("source", "source")):
        if name in column:
            cells[field], names[field] = column[name], name
    notices += _precision_notices(column)
    unused = index.unused_notice()
    location = LatLonText(column["latitude"], column["longitude"], "latitude", "longitude")
    return RawIncidents(
        file=file, format="acled", lines=rows.lines, cells=cells, names=names, location=location,
        total=rows.total, problems=[*rows.problems, *problems],
        notices=[*rows.notices, *(n for n in (unused, id_notice) if n), *notices],
    )  # fmt: skip


def _categories(
    column: dict[str, TextColumn], lines: np.ndarray
) -> tuple[TextColumn, list[Problem], list[Notice]]:
    """Return vocabulary categories per row, problems and notices.

    Unknown event types are problems (their cell becomes "other": the row is rejected);
    notices count each mapping applied.
    """
    source_name = "sub_event_type" if "sub_event_type" in column else "event_type"
    text = trimmed(column[source_name])
    if source_name == "sub_event_type" and "event_type" in column:
        text = pc.coalesce(text, trimmed(column["event_type"]))
    codes, pairs = map_distinct(text, lambda value: (value, CATEGORY_BY_KEY.get(fold_text(value))))
    mapped = np.array([*(category for _, category in pairs), None], dtype=object)[codes]
    fatal = (
        matches(column["fatalities"], POSITIVE_COUNT)
        if "fatalities" in column
        else np.zeros(len(mapped), dtype=bool)
    )
    violent = mapped == VIOLENT
    notices = [
        _table_notice(codes, pairs, source_name),
        *_violent_notices(text, violent, fatal),
    ]
    mapped[violent & fatal] = "death_or_injury"
    mapped[violent & ~fatal] = "other"
    bad_rows = np.flatnonzero(mapped == None)  # noqa: E711 (element-wise on an object array)
    reason = "not an ACLED event type this reader maps (see geo.ingest.acled.SUB_EVENT_CATEGORIES)"
    problems = problems_at(bad_rows, lines, source_name, quoted(text, bad_rows), reason)
    mapped[bad_rows] = "other"  # the row is already rejected by the problem above
    column_out = pa.chunked_array([pa.array(mapped, type=pa.string())])
    return column_out, problems, [notice for notice in notices if notice]


def _table_notice(
    codes: np.ndarray, pairs: list[tuple[str, str | None]], source_name: str
) -> Notice | None:
    """Return a notice listing each event type mapped by the table, with its row count."""
    counts = np.bincount(codes[codes >= 0], minlength=len(pairs)).tolist()
    parts = [
        f"{value!r} -> {category} ({count})"
        for (value, category), count in zip(pairs, counts, strict=True)
        if category is not None and category != VIOLENT and count
    ]
    if not parts:
        return None
    message = f"categories mapped from {source_name} by the declared table: {', '.join(parts)}"
    return Notice(None, source_name, None, message)


def _violent_notices(text: TextColumn, violent: np.ndarray, fatal: np.ndarray) -> list[Notice]:
    """Return notices counting violent events read as death_or_injury and as other."""
    notices = []
    for rows, how in (
        (violent & fatal, "with fatalities above 0: death_or_injury"),
        (violent & ~fatal, "without fatalities: other"),
    ):
        found = np.flatnonzero(rows)
        if found.size:
            example = quoted(text, found[:1])[0]
            message = f"{found.size} violent events (e.g. {example!r}) {how}"
            notices.append(Notice(None, "sub_event_type", None, message))
    return notices


def _precision_notices(column: dict[str, TextColumn]) -> list[Notice]:
    """Return a notice per ACLED precision code 2 or 3 found, counting its rows."""
    notices = []
    for (name, code), message in PRECISION_NOTES.items():
        if name in column:
            count = int(as_mask(pc.equal(trimmed(column[name]), code)).sum())
            if count:
                notices.append(Notice(None, name, code, message.format(n=count)))
    return notices


def _ids(column: dict[str, TextColumn]) -> tuple[TextColumn, str, Notice | None]:
    if "event_id_cnty" in column:
        return column["event_id_cnty"], "event_id_cnty", None
    number = trimmed(column["event_id_no_cnty"])
    if "iso3" in column:
        return (
            pc.binary_join_element_wise(trimmed(column["iso3"]), number, ""),
            "event_id_no_cnty",
            None,
        )
    message = "no event_id_cnty or iso3 column: ids are event_id_no_cnty without a country prefix"
    return number, "event_id_no_cnty", Notice(None, "event_id_no_cnty", None, message)


def _deaths_as_people(fatalities: TextColumn) -> tuple[TextColumn, Notice | None]:
    """Return fatalities as people counts, with 0 as unknown (ACLED does not count people)."""
    zero = pc.fill_null(pc.match_substring_regex(fatalities, ZERO_COUNT), False)
    people = pc.if_else(zero, pa.scalar(None, pa.string()), fatalities)
    count = int(as_mask(zero).sum())
    message = (
        f"{count} rows with 0 fatalities: people_count left empty (unknown), as ACLED counts "
        "deaths, not the people involved"
    )
    return people, Notice(None, "fatalities", "0", message) if count else None
