"""Turn checked incident frames into GeoPackage rows and back: classification, SQL filters."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import repeat
from typing import Any, Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo.query import Filter
from geo.schema import CANONICAL_DTYPES, DERIVED_DTYPES, WGS84
from geo.store.base import IngestRecord
from geo.store.gpkg_schema import FIELD_NAMES, encode_points
from geo.writers import join_lists

BoolArray = npt.NDArray[np.bool_]
LIST_SEPARATOR: Final = ";"
NATIONALITIES_TEXT: Final = "nationalities_text"  # helper column, see nationality_text
OUTPUT_COLUMNS: Final[tuple[str, ...]] = (*CANONICAL_DTYPES, "geometry", *DERIVED_DTYPES)
# What query/get/history read back: the exact time and the point's coordinates stand in
# for the readable time text and the geometry blob.
READ_FIELDS: Final[tuple[str, ...]] = (
    "incident_id", "occurred_ns", *(name for name in CANONICAL_DTYPES if name not in
    ("incident_id", "occurred_at")), *DERIVED_DTYPES, "lon", "lat",
)  # fmt: skip


@dataclass(frozen=True)
class IngestSource:
    """Where an ingest's rows came from, as the `ingests` table records it."""

    file_name: str
    file_sha256: str
    source_format: str
    rejected: int

    def __post_init__(self) -> None:
        if not isinstance(self.rejected, int | np.integer) or self.rejected < 0:
            raise ValueError(f"ingest {self.file_name!r}: rejected must be an int ≥ 0, "
                             f"got {self.rejected!r}")  # fmt: skip


@dataclass(frozen=True)
class IngestPlan:
    """What happens to each row of a batch (boolean masks in batch order)."""

    new: BoolArray  # id not stored: added
    same: BoolArray  # id stored with the same fingerprint: skipped
    changed: BoolArray  # id stored with another fingerprint: conflict, or update


# --- prepare ------------------------------------------------------------------------------


def nationality_text(batch: gpd.GeoDataFrame) -> pd.Series:
    """Return the NATIONALITIES_TEXT column of a batch geo.store.batch.checked_batch accepted:
    codes joined with ";" (an empty list → "", a missing cell → <NA>, stored as NULL)."""
    values = batch["nationalities"]
    return join_lists(values).mask(values.isna())


# --- classify and write -------------------------------------------------------------------


def classify(ids: np.ndarray, prints: np.ndarray, stored: dict[str, str]) -> IngestPlan:
    """Compare the batch's fingerprints with the stored ones of the same ids."""
    stored_prints = pd.Series(ids, dtype=object).map(stored).to_numpy(dtype=object)
    known = pd.notna(stored_prints)
    same = known & (stored_prints == prints)
    return IngestPlan(new=~known, same=same, changed=known & ~same)


def build_record(
    ingest_id: int,
    at: datetime,
    source: IngestSource,
    plan: IngestPlan,
    update: bool,
    ids: np.ndarray,
) -> IngestRecord:
    """Return the record of an ingest that follows `plan`."""
    changed = int(plan.changed.sum())
    return IngestRecord(
        ingest_id=ingest_id,
        at=at,
        file_name=source.file_name,
        file_sha256=source.file_sha256,
        source_format=source.source_format,
        accepted=len(ids),
        rejected=int(source.rejected),
        added=int(plan.new.sum()),
        skipped=int(plan.same.sum()),
        conflicts=0 if update else changed,
        updated=changed if update else 0,
        conflict_ids=() if update else tuple(str(i) for i in ids[plan.changed].tolist()),
    )


def insert_rows(chunk: gpd.GeoDataFrame, prints: np.ndarray, ingest_id: int) -> list[tuple]:
    """Return one tuple per row: the geometry blob, then gpkg_schema.FIELDS in order."""
    geoms = chunk.geometry.array
    lon, lat = shapely.get_x(geoms), shapely.get_y(geoms)
    nanoseconds = chunk["occurred_at"].array.asi8
    values: dict[str, Any] = dict(
        occurred_at=_datetime_texts(nanoseconds),
        occurred_ns=nanoseconds.tolist(),
        nationalities=_objects(chunk[NATIONALITIES_TEXT]),
        lon=lon.tolist(),
        lat=lat.tolist(),
        fingerprint=prints.tolist(),
        ingest_id=repeat(ingest_id),
    )
    values.update({name: _objects(chunk[name]) for name in FIELD_NAMES if name not in values})
    columns = [encode_points(lon, lat), *(values[name] for name in FIELD_NAMES)]
    return list(zip(*columns, strict=False))  # ingest_id repeats without end


def _objects(values: pd.Series) -> list[object]:
    """Python values for SQLite: missing → None, numpy scalars → int/float/bool."""
    if values.dtype == "float64":
        return values.tolist()  # NaN is stored as NULL by SQLite
    return values.to_numpy(dtype=object, na_value=None).tolist()


def _datetime_texts(nanoseconds: np.ndarray) -> list[str]:
    texts = np.datetime_as_string(nanoseconds.view("datetime64[ns]"), unit="ms").tolist()
    return [text + "Z" for text in texts]


def datetime_text(moment: datetime) -> str:
    """Return a GeoPackage DATETIME: ISO 8601 UTC with milliseconds and a Z."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


# --- read ---------------------------------------------------------------------------------


def incident_frame(rows: Sequence[tuple]) -> gpd.GeoDataFrame:
    """Build the incidents frame from rows of READ_FIELDS (vectorised, dtypes of geo.schema)."""
    data = _columns(rows, READ_FIELDS)
    lon = np.asarray(data["lon"], dtype=np.float64)
    lat = np.asarray(data["lat"], dtype=np.float64)
    special: dict[str, Any] = {
        "occurred_at": pd.to_datetime(
            np.asarray(data["occurred_ns"], dtype=np.int64), unit="ns", utc=True
        ),
        "nationalities": pd.Series(_split_lists(data["nationalities"]), dtype=object),
        "geometry": gpd.points_from_xy(lon, lat, crs=WGS84),
    }
    dtypes = {**CANONICAL_DTYPES, **DERIVED_DTYPES}
    series = {
        name: special[name] if name in special else _typed(data[name], dtypes[name])
        for name in OUTPUT_COLUMNS
    }
    return gpd.GeoDataFrame(series, geometry="geometry", crs=WGS84)


def joined_frames(chunks: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Join incident frames read chunk by chunk into one (an empty frame for none)."""
    if not chunks:
        return incident_frame([])
    if len(chunks) == 1:
        return chunks[0]
    return gpd.GeoDataFrame(pd.concat(chunks, ignore_index=True), geometry="geometry", crs=WGS84)


def history_frame(rows: Sequence[tuple]) -> gpd.GeoDataFrame:
    """Build the history frame: incident columns, `replaced_at` (UTC), `replaced_by_ingest`."""
    width = len(READ_FIELDS)
    frame = incident_frame([row[:width] for row in rows])
    replaced = [row[width] for row in rows]
    times = pd.to_datetime(pd.Series(replaced, dtype="string"), utc=True, format="ISO8601")
    frame["replaced_at"] = times.astype("datetime64[ns, UTC]")
    frame["replaced_by_ingest"] = np.asarray([row[width + 1] for row in rows], dtype=np.int64)
    return frame


def _columns(rows: Sequence[tuple], names: Sequence[str]) -> dict[str, Sequence[Any]]:
    if not rows:
        return {name: () for name in names}
    return dict(zip(names, zip(*rows, strict=True), strict=True))


def _typed(values: Sequence[Any], dtype: str) -> Any:
    if dtype in ("float64", "bool"):
        return np.asarray(values, dtype=np.float64 if dtype == "float64" else np.bool_)
    return pd.array(values, dtype=dtype)


def _split_lists(values: Sequence[str | None]) -> list[list[str] | None]:
    """Split ";"-joined codes ("" → [], NULL → None); each row gets its own list."""
    parsed: dict[str | None, list[str] | None] = {None: None, "": []}
    out: list[list[str] | None] = []
    for text in values:  # few distinct texts: split each once, copy per row
        codes = parsed.get(text)
        if codes is None and text is not None:
            codes = parsed[text] = text.split(LIST_SEPARATOR)
        out.append(None if codes is None else codes.copy())
    return out


# --- filters and ingest records -----------------------------------------------------------


def where_clause(flt: Filter | None) -> tuple[str, list[object]]:
    """Return the SQL WHERE (or "") and its parameters for `flt`, pushed down to SQLite."""
    if flt is None:
        return "", []
    clauses: list[str] = []
    params: list[object] = []
    first, after = flt.utc_window()
    if first is not None:
        clauses.append("occurred_ns >= ?")
        params.append(first.value)
    if after is not None:
        clauses.append("occurred_ns < ?")
        params.append(after.value)
    for column, chosen in (("crossing", flt.crossings), ("category", flt.categories),
                           ("region", flt.regions), ("side", flt.sides)):  # fmt: skip
        if chosen:
            clauses.append(f"{column} IN ({', '.join('?' * len(chosen))})")
            params.extend(chosen)
    if flt.bbox is not None:
        minx, miny, maxx, maxy = flt.bbox
        clauses.append("lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?")
        params.extend([float(minx), float(maxx), float(miny), float(maxy)])
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def ingest_row(record: IngestRecord) -> tuple[object, ...]:
    """Return the `ingests` row of a record (gpkg_schema.INGEST_FIELDS order)."""
    return (
        record.ingest_id, datetime_text(record.at), record.file_name, record.file_sha256,
        record.source_format, record.accepted, record.rejected, record.added, record.skipped,
        record.conflicts, record.updated, json.dumps(list(record.conflict_ids)),
    )  # fmt: skip


def ingest_record(row: Sequence[Any]) -> IngestRecord:
    """Return the IngestRecord of an `ingests` row."""
    (ingest_id, at, file_name, sha, source_format, accepted, rejected, added, skipped,
     conflicts, updated, conflict_ids) = row  # fmt: skip
    return IngestRecord(
        ingest_id=int(ingest_id),
        at=datetime.fromisoformat(at),
        file_name=file_name,
        file_sha256=sha,
        source_format=source_format,
        accepted=int(accepted),
        rejected=int(rejected),
        added=int(added),
        skipped=int(skipped),
        conflicts=int(conflicts),
        updated=int(updated),
        conflict_ids=tuple(json.loads(conflict_ids)),
    )
