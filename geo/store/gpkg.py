"""Keep incidents in a GeoPackage file: the default store, one file that QGIS opens too.

Writes go through Python's sqlite3 with one connection per store object, in explicit
transactions: `BEGIN IMMEDIATE` takes the file's write lock first (waiting up to
BUSY_TIMEOUT_S for another writer), so concurrent ingests are serialised and each one
lands whole or not at all. The file is in WAL journal mode: readers (the dashboard) never
block a writer and see only committed ingests; a killed writer leaves only an uncommitted
tail in the -wal file, which SQLite ignores. synchronous=FULL makes a commit durable.
Input checks (shared with PostGIS): geo.store.batch; layout and schema steps:
geo.store.gpkg_schema; frames <-> rows: geo.store.gpkg_rows; the SQL of one ingest:
geo.store.gpkg_writes.

Do not open the same file with GDAL (pyogrio, QGIS's Python) in a process that holds a
GpkgStore open: GDAL links its own SQLite, and two SQLite copies in one process release
each other's POSIX locks (https://sqlite.org/howtocorrupt.html, section 2.2.1).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np

from geo.ingest.gc_pause import paused_garbage_collection
from geo.query import Filter
from geo.store import gpkg_rows, gpkg_writes
from geo.store.base import SCHEMA_VERSION, IngestRecord, StoreError, StoreLifecycle
from geo.store.batch import checked_batch
from geo.store.fingerprint import fingerprints
from geo.store.gpkg_schema import (
    HISTORY,
    INCIDENTS,
    INGEST_FIELDS,
    INGESTS,
    apply_steps,
    foreign_tables,
    recorded_version,
)

BUSY_TIMEOUT_S: Final = 120.0  # how long a writer waits for another writer's lock
DEFAULT_CHUNK_ROWS: Final = 50_000  # rows per executemany; on_progress runs after each
READ_CHUNK_ROWS: Final = 100_000  # rows fetched and turned into a frame at a time
PAGE_CACHE_KIB: Final = 262_144  # SQLite page cache per connection


class GpkgStore(StoreLifecycle):
    """The Store protocol (geo.store.base) on a GeoPackage file; safe to share across threads."""

    def __init__(self, path: Path, *, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> None:
        """Point at `path` without touching it; init() creates or upgrades the file."""
        self._path = Path(path)
        self.chunk_rows = chunk_rows  # rows written per chunk of an ingest (tests set it low)
        self._connection: sqlite3.Connection | None = None
        self._checked_version = False
        self._lock = threading.RLock()

    @property
    def url(self) -> str:
        """Return the file's path as text."""
        return str(self._path)

    # --- schema -----------------------------------------------------------------------

    def migrate(self, version: int) -> int:
        """Apply the schema steps up to `version` (init() is migrate(SCHEMA_VERSION)).

        Internal: tests build a version-1 store with migrate(1) to check the upgrade path.
        Returns the version the store is at afterwards (never lowered).
        """
        with self._lock:
            connection = self._open(create=True)
            current = self._version_of(connection)
            if current > SCHEMA_VERSION:
                raise StoreError(self._version_message(current))
            if current >= version:
                return current
            with self._write_transaction(f"schema upgrade to version {version}"):
                foreign = foreign_tables(connection)
                if foreign:
                    raise StoreError(
                        f"store {self.url}: the file already holds tables {foreign} but no "
                        "Hito schema_version table: not a Hito store"
                    )
                reached = apply_steps(connection, version, gpkg_rows.datetime_text(_now()))
            self._checked_version = reached == SCHEMA_VERSION
            return reached

    def schema_version(self) -> int:
        """Return the recorded schema version (0 for a missing file or one with no tables)."""
        with self._lock:
            if self._connection is None and not self._path.exists():
                return 0
            return self._version_of(self._open(create=False))

    # --- writes -----------------------------------------------------------------------

    def ingest(
        self,
        incidents: gpd.GeoDataFrame,
        *,
        file_name: str,
        file_sha256: str = "",
        source_format: str = "",
        rejected: int = 0,
        update: bool = False,
        on_progress: Callable[[int], None] | None = None,
    ) -> IngestRecord:
        """Write enriched `incidents` in one transaction and record the ingest (geo.store.base)."""
        batch = checked_batch(incidents)
        batch[gpkg_rows.NATIONALITIES_TEXT] = gpkg_rows.nationality_text(batch)
        prints = fingerprints(batch).to_numpy(dtype=object)
        source = gpkg_rows.IngestSource(file_name, file_sha256, source_format, rejected)
        with self._lock:
            connection = self._ready()
            with self._write_transaction(f"ingest of {file_name!r}"):
                record = self._ingest_locked(connection, batch, prints, source, update, on_progress)
            return record

    def delete(self, incident_ids: Sequence[str]) -> int:
        """Delete these ids in one transaction; return how many were stored."""
        if isinstance(incident_ids, str):
            raise ValueError(f"delete: expected a sequence of ids, got the text {incident_ids!r}")
        ids = [str(incident_id) for incident_id in incident_ids]
        with self._lock:
            connection = self._ready()
            with self._write_transaction("delete"):
                cursor = connection.execute(
                    f"DELETE FROM {INCIDENTS} WHERE {gpkg_writes.IDS_IN_JSON}", (json.dumps(ids),)
                )
                deleted = cursor.rowcount
                if deleted:
                    gpkg_writes.touch(connection, INCIDENTS, gpkg_rows.datetime_text(_now()))
            return deleted

    # --- reads ------------------------------------------------------------------------

    def query(self, flt: Filter | None = None) -> gpd.GeoDataFrame:
        """Return the stored incidents `flt` selects (None: all), oldest first."""
        where, params = gpkg_rows.where_clause(flt)
        return self._select(where, params)

    def count(self, flt: Filter | None = None) -> int:
        """Return how many stored incidents `flt` selects, counted in SQLite."""
        where, params = gpkg_rows.where_clause(flt)
        with self._lock, self._reading("count"):
            row = self._ready().execute(f"SELECT count(*) FROM {INCIDENTS} {where}", params)
            return int(row.fetchone()[0])

    def get(self, incident_id: str) -> gpd.GeoDataFrame:
        """Return the incident with this id as a one-row frame (empty when unknown)."""
        return self._select("WHERE incident_id = ?", [str(incident_id)])

    def ingests(self) -> list[IngestRecord]:
        """Return every recorded ingest, oldest first."""
        with self._lock, self._reading("reading the ingests"):
            rows = (
                self._ready()
                .execute(f"SELECT {', '.join(INGEST_FIELDS)} FROM {INGESTS} ORDER BY ingest_id")
                .fetchall()
            )
        return [gpkg_rows.ingest_record(row) for row in rows]

    def history(self, incident_id: str) -> gpd.GeoDataFrame:
        """Return the replaced versions of one incident, oldest first, with `replaced_at`
        (UTC) and `replaced_by_ingest`."""
        columns = (*gpkg_rows.READ_FIELDS, "replaced_at", "replaced_by_ingest")
        sql = f"SELECT {', '.join(columns)} FROM {HISTORY} WHERE incident_id = ? ORDER BY fid"
        with self._lock, self._reading("reading the history"):
            rows = self._ready().execute(sql, (str(incident_id),)).fetchall()
        return gpkg_rows.history_frame(rows)

    def change_token(self) -> str:
        """Return "<last ingest id>.<stored rows>": ingests raise the first, deletes lower the
        second, and nothing else changes the stored rows."""
        with self._lock, self._reading("reading the change token"):
            last, rows = (
                self._ready()
                .execute(
                    f"SELECT (SELECT coalesce(max(ingest_id), 0) FROM {INGESTS}), "
                    f"(SELECT count(*) FROM {INCIDENTS})"
                )
                .fetchone()
            )
        return f"{last}.{rows}"

    def close(self) -> None:
        """Close the connection (SQLite checkpoints the WAL into the file)."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
                self._checked_version = False

    # --- internals --------------------------------------------------------------------

    def _ingest_locked(
        self,
        connection: sqlite3.Connection,
        batch: gpd.GeoDataFrame,
        prints: np.ndarray,
        source: gpkg_rows.IngestSource,
        update: bool,
        on_progress: Callable[[int], None] | None,
    ) -> IngestRecord:
        ingest_id = gpkg_writes.next_ingest_id(connection)
        ids = batch["incident_id"].to_numpy(dtype=object)
        plan = gpkg_rows.classify(ids, prints, gpkg_writes.stored_prints(connection, ids.tolist()))
        now_text = gpkg_rows.datetime_text(_now())
        if update and plan.changed.any():
            gpkg_writes.move_to_history(connection, ids[plan.changed].tolist(), ingest_id, now_text)
        to_write = plan.new | plan.changed if update else plan.new
        self._write_rows(connection, batch, prints, to_write, ingest_id, on_progress)
        record = gpkg_rows.build_record(ingest_id, _now(), source, plan, update, ids)
        gpkg_writes.finish_ingest(connection, batch, to_write, record)
        return record

    def _write_rows(
        self,
        connection: sqlite3.Connection,
        batch: gpd.GeoDataFrame,
        prints: np.ndarray,
        to_write: np.ndarray,
        ingest_id: int,
        on_progress: Callable[[int], None] | None,
    ) -> None:
        positions = np.flatnonzero(to_write)
        step = max(1, int(self.chunk_rows))
        for start in range(0, positions.size, step):
            chunk = positions[start : start + step]
            with paused_garbage_collection():
                rows = gpkg_rows.insert_rows(batch.iloc[chunk], prints[chunk], ingest_id)
                connection.executemany(gpkg_writes.INSERT_INCIDENT, rows)
            if on_progress is not None:
                on_progress(start + chunk.size)

    def _select(self, where: str, params: list[object]) -> gpd.GeoDataFrame:
        sql = (
            f"SELECT {', '.join(gpkg_rows.READ_FIELDS)} FROM {INCIDENTS} {where} "
            "ORDER BY occurred_ns, incident_id"
        )
        with self._lock, self._reading("query"), paused_garbage_collection():
            cursor = self._ready().execute(sql, params)
            # A frame per chunk: a tuple per row of every row at once would more than double
            # the peak memory of a million-row read (and glibc keeps that peak as RSS).
            chunks = []
            while rows := cursor.fetchmany(READ_CHUNK_ROWS):
                chunks.append(gpkg_rows.incident_frame(rows))
            return gpkg_rows.joined_frames(chunks)

    def _ready(self) -> sqlite3.Connection:
        """Return the connection to a store at SCHEMA_VERSION, or raise StoreError."""
        if self._connection is None and not self._path.exists():
            raise StoreError(f"store {self.url}: no such file; create it with `hito db init`")
        connection = self._open(create=False)
        if not self._checked_version:
            version = self._version_of(connection)
            if version != SCHEMA_VERSION:
                raise StoreError(self._version_message(version))
            self._checked_version = True
        return connection

    def _version_message(self, version: int) -> str:
        if version > SCHEMA_VERSION:
            return (f"store {self.url}: schema version {version} is newer than this Hito's "
                    f"{SCHEMA_VERSION}; upgrade Hito to use it")  # fmt: skip
        return (f"store {self.url}: schema version {version}, this Hito needs {SCHEMA_VERSION}; "
                "run `hito db init` to create or upgrade it")  # fmt: skip

    def _open(self, *, create: bool) -> sqlite3.Connection:
        if self._connection is not None:
            return self._connection
        mode = "rwc" if create else "rw"
        try:
            if create:
                self._path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                f"{self._path.resolve().as_uri()}?mode={mode}",
                uri=True,
                isolation_level=None,  # autocommit: transactions are explicit BEGIN/COMMIT
                check_same_thread=False,  # guarded by self._lock instead
                timeout=BUSY_TIMEOUT_S,
            )
            _configure(connection, create)
        except (sqlite3.Error, OSError) as error:
            raise StoreError(f"store {self.url}: cannot open the GeoPackage: {error}") from error
        self._connection = connection
        return connection

    def _version_of(self, connection: sqlite3.Connection) -> int:
        try:
            return recorded_version(connection)
        except sqlite3.Error as error:
            raise StoreError(
                f"store {self.url}: cannot read the schema version: {error}"
            ) from error

    @contextmanager
    def _reading(self, action: str) -> Iterator[None]:
        """Turn SQLite errors of a read into StoreError naming the store."""
        try:
            yield
        except sqlite3.Error as error:
            raise StoreError(f"store {self.url}: {action} failed: {error}") from error

    @contextmanager
    def _write_transaction(self, action: str) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT; any exception rolls back (SQLite errors → StoreError)."""
        connection = self._open(create=False)
        try:
            connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise StoreError(
                f"store {self.url}: {action}: cannot lock the file: {error}"
            ) from error
        try:
            yield
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            _rollback(connection)
            raise StoreError(
                f"store {self.url}: {action} failed and nothing was changed: {error}"
            ) from error
        except BaseException:
            _rollback(connection)
            raise


def _now() -> datetime:
    """Return the current UTC time cut to milliseconds (what a GeoPackage DATETIME holds)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _configure(connection: sqlite3.Connection, create: bool) -> None:
    connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    connection.execute("PRAGMA synchronous = FULL")
    connection.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
    if create:
        connection.execute("PRAGMA journal_mode = WAL")  # persistent: stored in the file


def _rollback(connection: sqlite3.Connection) -> None:
    if connection.in_transaction:
        connection.execute("ROLLBACK")
