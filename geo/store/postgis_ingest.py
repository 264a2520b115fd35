"""Run one PostGIS ingest inside its transaction: classify, keep replaced rows, COPY, record.

The caller (geo.store.postgis.PostgisStore.ingest) has opened the transaction and taken
the table lock. Here: the batch's ids go into a temporary table and are joined with the
stored ones to read their fingerprints; each row is new, the same, or changed (a
conflict, or an update when asked); replaced rows are copied to `incident_history` and
deleted; the rows to write go in with COPY in chunks (on_progress after each); the ingest
is recorded and the change counter moves on. Also the small helpers the reads share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa

from geo.store import postgis_rows
from geo.store.base import IngestRecord, StoreError
from geo.store.postgis_schema import HISTORY_EXTRA_COLUMNS, INGEST_COLUMNS

_COPY_SQL: Final = (
    f"COPY incidents ({', '.join(postgis_rows.WRITE_COLUMNS)}) FROM STDIN (FORMAT csv)"
)


class IngestSource(NamedTuple):
    """Where a batch came from, as the ingest record keeps it."""

    file_name: str
    file_sha256: str
    source_format: str
    rejected: int


@dataclass(frozen=True)
class Plan:
    """Which rows of a batch are new, already stored as they are, or stored otherwise."""

    new: np.ndarray
    same: np.ndarray
    changed: np.ndarray


def run_ingest(
    connection: psycopg.Connection,
    batch: gpd.GeoDataFrame,
    prints: np.ndarray,
    source: IngestSource,
    update: bool,
    chunk_rows: int,
    on_progress: Callable[[int], None] | None,
) -> IngestRecord:
    """Classify `batch` (checked by geo.store.batch; fingerprints `prints`), write it, record
    it; return the record."""
    ingest_id = int(first_value(connection.execute(
        "SELECT nextval(pg_get_serial_sequence('ingests', 'ingest_id'))"
    )))  # fmt: skip
    ids = postgis_rows.id_array(batch)
    plan = classify(ids, prints, stored_prints(connection, ids))
    to_write = plan.new | plan.changed if update else plan.new
    rows = postgis_rows.arrow_rows(batch, prints, to_write)
    if update and plan.changed.any():
        move_to_history(connection, ids.filter(pa.array(plan.changed)), ingest_id)
    write_rows(connection, rows, ingest_id, chunk_rows, on_progress)
    record = build_record(ingest_id, source, plan, update, ids)
    at = insert_ingest(connection, record)
    count_change(connection)
    return replace(record, at=at)


def write_rows(
    connection: psycopg.Connection,
    rows: pa.Table,
    ingest_id: int,
    chunk_rows: int,
    on_progress: Callable[[int], None] | None,
) -> None:
    """COPY `rows` into `incidents` in chunks of `chunk_rows`, calling on_progress after each."""
    step = max(1, int(chunk_rows))
    for start in range(0, rows.num_rows, step):
        chunk = rows.slice(start, step)
        with connection.cursor().copy(_COPY_SQL) as copy:
            copy.write(memoryview(postgis_rows.copy_csv(chunk, ingest_id)))
        if on_progress is not None:
            on_progress(start + chunk.num_rows)


def classify(ids: pa.Array, prints: np.ndarray, stored: pd.Series) -> Plan:
    """Compare each row's fingerprint with the stored one of its id (absent: new)."""
    known = pd.Series(ids.to_pandas()).map(stored)
    new = known.isna().to_numpy(dtype=bool)
    same = (known.to_numpy(dtype=object) == prints) & ~new
    return Plan(new, same, ~new & ~same)


def stored_prints(connection: psycopg.Connection, ids: pa.Array) -> pd.Series:
    """Return stored fingerprints by id, for the ids of the batch that are stored."""
    if len(ids) == 0 or connection.execute("SELECT 1 FROM incidents LIMIT 1").fetchone() is None:
        return pd.Series([], dtype=object)
    load_ids(connection, "batch_ids", ids)
    data = copy_out(
        connection,
        "COPY (SELECT b.incident_id, i.fingerprint FROM batch_ids b JOIN incidents i "
        "ON i.incident_id = b.incident_id) TO STDOUT (FORMAT csv)",
        [],
    )
    pairs = postgis_rows.parse_csv(data, {"incident_id": pa.string(), "fingerprint": pa.string()})
    return pd.Series(
        pairs["fingerprint"].to_numpy(), index=pairs["incident_id"].to_numpy(), dtype=object
    )


def load_ids(connection: psycopg.Connection, table: str, ids: pa.Array) -> None:
    """COPY `ids` into a new temporary table (dropped at commit) and analyse it for the planner."""
    connection.execute(f"CREATE TEMP TABLE {table} (incident_id text) ON COMMIT DROP")
    with connection.cursor().copy(f"COPY {table} FROM STDIN (FORMAT csv)") as copy:
        copy.write(memoryview(postgis_rows.id_csv(ids)))
    connection.execute(f"ANALYZE {table}")


def move_to_history(connection: psycopg.Connection, ids: pa.Array, ingest_id: int) -> None:
    """Copy the stored rows of `ids` to incident_history (replaced now, by `ingest_id`), then
    delete them from incidents."""
    load_ids(connection, "replaced_ids", ids)
    columns = ", ".join(postgis_rows.WRITE_COLUMNS)
    extra = ", ".join(HISTORY_EXTRA_COLUMNS)
    connection.execute(
        f"INSERT INTO incident_history ({columns}, {extra}) "
        f"SELECT {', '.join('i.' + name for name in postgis_rows.WRITE_COLUMNS)}, "
        "clock_timestamp(), %s FROM incidents i JOIN replaced_ids r USING (incident_id)",
        (ingest_id,),
    )
    connection.execute(
        "DELETE FROM incidents i USING replaced_ids r WHERE i.incident_id = r.incident_id"
    )


def build_record(
    ingest_id: int,
    source: IngestSource,
    plan: Plan,
    update: bool,
    ids: pa.Array,
) -> IngestRecord:
    """Return the ingest's record (its time is set when the row is written)."""
    file_name, file_sha256, source_format, rejected = source
    changed = int(plan.changed.sum())
    conflict_ids = () if update else tuple(ids.filter(pa.array(plan.changed)).to_pylist())
    return IngestRecord(
        ingest_id=ingest_id,
        at=datetime.now(UTC),  # replaced by the database's time when the row is written
        file_name=file_name,
        file_sha256=file_sha256,
        source_format=source_format,
        accepted=len(ids),
        rejected=int(rejected),
        added=int(plan.new.sum()),
        skipped=int(plan.same.sum()),
        conflicts=0 if update else changed,
        updated=changed if update else 0,
        conflict_ids=conflict_ids,
    )


def insert_ingest(connection: psycopg.Connection, record: IngestRecord) -> datetime:
    """Write the ingests row, timed by the database clock; return that time (UTC)."""
    values = [getattr(record, name) for name in INGEST_COLUMNS if name != "at"]
    values[-1] = list(record.conflict_ids)
    names = [name for name in INGEST_COLUMNS if name != "at"]
    at = first_value(connection.execute(
        f"INSERT INTO ingests (at, {', '.join(names)}) "
        f"VALUES (clock_timestamp(), {', '.join(['%s'] * len(names))}) RETURNING at",
        values,
    ))  # fmt: skip
    return utc(at)


def ingest_record(row: tuple[object, ...]) -> IngestRecord:
    """Return the IngestRecord of one ingests row (columns in INGEST_COLUMNS order)."""
    ingest_id, at, file_name, file_sha256, source_format, *counts, conflict_ids = row
    accepted, rejected, added, skipped, conflicts, updated = (int(str(n)) for n in counts)
    return IngestRecord(
        ingest_id=int(str(ingest_id)),
        at=utc(at),
        file_name=str(file_name),
        file_sha256=str(file_sha256),
        source_format=str(source_format),
        accepted=accepted,
        rejected=rejected,
        added=added,
        skipped=skipped,
        conflicts=conflicts,
        updated=updated,
        conflict_ids=tuple(str(value) for value in conflict_ids)
        if isinstance(conflict_ids, list)
        else (),
    )


def count_change(connection: psycopg.Connection) -> None:
    """Count one committed change of the stored rows (the change token's counter)."""
    connection.execute("UPDATE store_state SET changes = changes + 1")


def copy_out(connection: psycopg.Connection, sql: str, params: Sequence[object]) -> bytes:
    """Run `COPY (…) TO STDOUT` and return everything it sent."""
    chunks: list[bytes] = []
    with connection.cursor().copy(sql, params) as copy:
        chunks.extend(bytes(block) for block in copy)
    return b"".join(chunks)


def first_value(cursor: psycopg.Cursor) -> Any:
    """Return the first column of the first row a statement returned."""
    row = cursor.fetchone()
    if row is None:
        raise StoreError("the database returned no row where one was expected")
    return row[0]


def utc(value: object) -> datetime:
    """Return a tz-aware time from the database in UTC."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise StoreError(f"expected a tz-aware time from the database, got {value!r}")
    return value.astimezone(UTC)
