"""Read an ACLED CSV export: map event types onto Hito's categories through a declared table.

Choices (documented here and in the report):
- id: `event_id_cnty`; older exports without it: `iso3` + `event_id_no_cnty` (the same
  "CHL1234" shape), or `event_id_no_cnty` alone with a notice when there is no `iso3`.
- time: `event_date` only (`2023-01-31`, `16 May 2025`); ACLED gives no time of day, so it is
  local midnight of that date in the zone of the event's side. `timestamp` is ACLED's upload
  time, not the event's, and is not used.
- people_count: `fatalities` when above 0, else empty: ACLED counts deaths, not the people
  involved, so a protest with 0 deaths has an unknown (not zero) headcount.
- category: SUB_EVENT_CATEGORIES below; violent events become death_or_injury when
  fatalities > 0, else other. Abductions stay `other`: ACLED does not say trafficking and
  we do not infer it (the notes are kept in the description).
- notes -> description, source -> source; actors, tags, admin names and precision codes are
  not used (listed in a notice). crossing is left for enrichment; nationalities are empty.
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
from geo.ingest.textcols import TextColumn, map_distinct, matches, problems_at, quoted, trimmed

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
POSITIVE_COUNT: Final = r"^\s*0*[1-9]\d*\s*$"
ZERO_COUNT: Final = r"^\s*0+\s*$"


def check_header(header: list[str], file: str) -> dict[str, int]:
    """Return field -> column position of the ACLED columns used; raise for missing ones."""
    index = HeaderIndex(header, file)
    found = {name: index.find([name], name) for name in (
        "event_id_cnty", "event_id_no_cnty", "iso3", "event_date", "latitude", "longitude",
        "event_type", "sub_event_type", "fatalities", "notes", "source",
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
    categories, problems = _categories(column, rows.lines)
    ids, id_name, id_notice = _ids(column)
    cells = {"incident_id": ids, "occurred_at": column["event_date"], "category": categories}
    names = {"incident_id": id_name, "occurred_at": "event_date", "category": "sub_event_type"}
    if "fatalities" in column:
        cells["people_count"] = _deaths_as_people(column["fatalities"])
        names["people_count"] = "fatalities"
    for field, name in (("description", "notes"), ("source", "source")):
        if name in column:
            cells[field], names[field] = column[name], name
    unused = index.unused_notice()
    location = LatLonText(column["latitude"], column["longitude"], "latitude", "longitude")
    return RawIncidents(
        file=file, format="acled", lines=rows.lines, cells=cells, names=names, location=location,
        total=rows.total, problems=[*rows.problems, *problems],
        notices=[notice for notice in (unused, id_notice) if notice],
    )  # fmt: skip


def _categories(
    column: dict[str, TextColumn], lines: np.ndarray
) -> tuple[TextColumn, list[Problem]]:
    """Return vocabulary categories per row; unknown event types are problems (cell "other")."""
    source_name = "sub_event_type" if "sub_event_type" in column else "event_type"
    text = trimmed(column[source_name])
    if source_name == "sub_event_type" and "event_type" in column:
        text = pc.coalesce(text, trimmed(column["event_type"]))

    def lookup(value: str) -> str | None:
        key = " ".join(value.lower().split())
        return SUB_EVENT_CATEGORIES.get(key) or EVENT_TYPE_CATEGORIES.get(key)

    codes, results = map_distinct(text, lookup)
    mapped = np.array([*results, None], dtype=object)[codes]
    fatal = (
        matches(column["fatalities"], POSITIVE_COUNT)
        if "fatalities" in column
        else np.zeros(len(mapped), dtype=bool)
    )
    violent = mapped == VIOLENT
    mapped[violent & fatal] = "death_or_injury"
    mapped[violent & ~fatal] = "other"
    bad_rows = np.flatnonzero(mapped == None)  # noqa: E711 (element-wise on an object array)
    reason = "not an ACLED event type this reader maps (see geo.ingest.acled.SUB_EVENT_CATEGORIES)"
    problems = problems_at(bad_rows, lines, source_name, quoted(text, bad_rows), reason)
    mapped[bad_rows] = "other"  # the row is already rejected by the problem above
    return pa.chunked_array([pa.array(mapped, type=pa.string())]), problems


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


def _deaths_as_people(fatalities: TextColumn) -> TextColumn:
    """Return fatalities as people counts, with 0 as unknown (ACLED does not count people)."""
    zero = pc.match_substring_regex(fatalities, ZERO_COUNT)
    return pc.if_else(pc.fill_null(zero, False), pa.scalar(None, pa.string()), fatalities)
