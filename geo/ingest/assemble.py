"""Check every field of every row and build the canonical incident frame and its report."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from geo.ingest.fields import (
    Field,
    empty_lists,
    read_categories,
    read_counts,
    read_crossings,
    read_flags,
    read_nationalities,
    read_text,
)
from geo.ingest.ids import duplicate_problems, stable_ids
from geo.ingest.parse_coords import Area, Points, read_points
from geo.ingest.parse_time import Times, ZoneOf, read_times
from geo.ingest.raw import RawIncidents
from geo.ingest.report import IngestResult, Notice, Problem, ValidationReport
from geo.ingest.textcols import constant_column, missing, take_rows, trimmed
from geo.layers import Layers
from geo.schema import CANONICAL_DTYPES, WGS84, ZONE_BY_SIDE
from geo.settings import Settings

HASHED_FIELDS = ("category", "crossing", "people_count", "nationalities", "source", "source_url",
                 "description")  # fmt: skip


@dataclass
class _Checked:
    """Every field of every row after checking; rows with problems are dropped at the end."""

    points: Points
    times: Times
    fields: dict[str, Field]
    problems: list[Problem]
    notices: list[Notice]


def build_result(raw: RawIncidents, layers: Layers, settings: Settings) -> IngestResult:
    """Validate every row of `raw`; return the accepted incidents and the full report."""
    checked = _check_rows(raw, layers, settings)
    rejected = _rows_with_problems(raw.lines, checked.problems)
    ids, id_problems, id_notices = _incident_ids(raw, checked, rejected)
    rejected |= _rows_with_problems(raw.lines, id_problems)
    incidents = _frame(checked, ids, ~rejected)
    problems = [raw.locate_problem(problem) for problem in checked.problems + id_problems]
    problems.sort(key=lambda problem: (problem.line, problem.feature or 0))
    notices = [raw.locate_notice(notice) for notice in checked.notices + id_notices]
    report = ValidationReport(raw.file, raw.format, raw.total, problems, raw.notices + notices)
    return IngestResult(incidents, report)


def _check_rows(raw: RawIncidents, layers: Layers, settings: Settings) -> _Checked:
    area = Area.around(layers.bounds, settings.bbox_margin_deg)
    points = read_points(raw.location, raw.lines, area)
    times = read_times(
        raw.cells["occurred_at"], raw.lines, raw.name("occurred_at"), raw.time_dialect,
        _zone_lookup(layers, points),
    )  # fmt: skip
    fields = _read_fields(raw, layers)
    problems = [*raw.problems, *points.problems, *times.problems]
    notices = [*points.notices, *times.notices]
    for checked in fields.values():
        problems += checked.problems
        notices += checked.notices
    return _Checked(points, times, fields, problems, notices)


def _zone_lookup(layers: Layers, points: Points) -> ZoneOf:
    """Return a function giving each row's local zone from its side of the border."""

    def zone_of(rows: np.ndarray) -> np.ndarray:
        zones = np.full(len(rows), None, dtype=object)
        usable = points.ok[rows]
        if usable.any():
            sides = layers.side_of(points.lon[rows[usable]], points.lat[rows[usable]])
            zones[usable] = pd.Series(sides, dtype=object).map(ZONE_BY_SIDE).to_numpy()
        return zones

    return zone_of


def _read_fields(raw: RawIncidents, layers: Layers) -> dict[str, Field]:
    cells, lines, size = raw.cells, raw.lines, raw.size
    known = zip(
        layers.crossings["id"].astype(str), layers.crossings["name"].astype(str), strict=True
    )
    fields = {
        "category": read_categories(cells["category"], lines, raw.name("category")),
        "verified": read_flags(cells.get("verified"), lines, raw.name("verified"), blank=None),
        "synthetic": read_flags(cells.get("synthetic"), lines, raw.name("synthetic"), blank=False),
    }
    fields["crossing"] = (
        read_crossings(cells["crossing"], lines, raw.name("crossing"), known)
        if "crossing" in cells
        else Field(np.full(size, None, dtype=object))
    )
    fields["people_count"] = (
        read_counts(cells["people_count"], lines, raw.name("people_count"))
        if "people_count" in cells
        else Field(pd.array([pd.NA] * size, dtype="Int64"))
    )
    fields["nationalities"] = (
        read_nationalities(cells["nationalities"], lines, raw.name("nationalities"))
        if "nationalities" in cells
        else Field(empty_lists(size), hash_text=lambda: pa.nulls(size, pa.string()))
    )
    for name in ("source", "source_url", "description"):
        fields[name] = read_text(cells.get(name), size)
    return fields


def _rows_with_problems(lines: np.ndarray, problems: list[Problem]) -> np.ndarray:
    if not problems:
        return np.zeros(len(lines), dtype=bool)
    return np.isin(lines, np.fromiter({p.line for p in problems}, dtype="int64"))


def _incident_ids(
    raw: RawIncidents, checked: _Checked, rejected: np.ndarray
) -> tuple[pa.ChunkedArray, list[Problem], list[Notice]]:
    """Return ids (given, else hashed for rows still accepted), duplicate problems, notices."""
    given = raw.cells.get("incident_id")
    ids = trimmed(given) if given is not None else constant_column(None, raw.size)
    to_hash = np.flatnonzero(missing(ids) & ~rejected)
    hashed = np.zeros(raw.size, dtype=bool)
    notices = []
    if to_hash.size:
        every_row = to_hash.size == raw.size
        texts = [_hash_source(checked.fields[name], to_hash, every_row) for name in HASHED_FIELDS]
        points = checked.points
        utc, lon, lat = (values[to_hash] for values in (checked.times.utc, points.lon, points.lat))
        made = stable_ids(utc, lon, lat, texts)
        if every_row:
            ids = pa.chunked_array([pa.array(made, type=pa.string())])
        else:
            filled = np.asarray(ids.to_numpy(zero_copy_only=False), dtype=object)
            filled[to_hash] = made
            ids = pa.chunked_array([pa.array(filled, type=pa.string())])
        hashed[to_hash] = True
        message = (
            f"{to_hash.size} rows had no incident id: each got a stable hash of its fields "
            "(sha1, 16 hex characters)"
        )
        notices.append(Notice(None, raw.name("incident_id"), None, message))
    problems: list[Problem] = []
    distinct_present = len(pc.unique(ids)) - (1 if ids.null_count else 0)
    if distinct_present != len(ids) - ids.null_count:
        as_objects = np.asarray(ids.to_numpy(zero_copy_only=False), dtype=object)
        problems = duplicate_problems(as_objects, raw.lines, raw.name("incident_id"), hashed)
    return ids, problems, notices


def _hash_source(field: Field, rows: np.ndarray, every_row: bool) -> Any:
    """Return what a field contributes to the stable ids of `rows`: its text, else its values."""
    if field.hash_text is None:
        return field.values if every_row else field.values[rows]
    text = field.hash_text()
    return text if every_row else text.take(pa.array(rows))


def _frame(checked: _Checked, ids: pa.ChunkedArray, keep: np.ndarray) -> gpd.GeoDataFrame:
    """Assemble the accepted rows as a canonical GeoDataFrame (exact columns and dtypes)."""
    rows = None if keep.all() else np.flatnonzero(keep)

    def pick(values: Any) -> Any:
        return values if rows is None else values[rows]

    kept_ids = ids if rows is None else take_rows(ids, rows)
    columns: dict[str, Any] = {
        "incident_id": pd.StringDtype().__from_arrow__(kept_ids),
        "occurred_at": pd.DatetimeIndex(pick(checked.times.utc)).tz_localize("UTC"),
    }
    for name, dtype in CANONICAL_DTYPES.items():
        if name not in columns:
            values = pick(checked.fields[name].values)
            columns[name] = values if dtype == "object" else pd.array(values, dtype=dtype)
    lon, lat = pick(checked.points.lon), pick(checked.points.lat)
    columns["geometry"] = gpd.array.from_shapely(shapely.points(lon, lat), crs=WGS84)
    frame = pd.DataFrame(columns, copy=False)
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=WGS84, copy=False)
