"""Keep incidents in PostGIS: the store for many writers at once, with psycopg 3.

One connection per store object (autocommit, explicit transactions, guarded by a lock so
threads can share the object). An ingest is one transaction that first takes
`LOCK TABLE incidents IN SHARE ROW EXCLUSIVE MODE`, so ingests and deletes run one after
the other while readers go on reading the last committed state; a killed client's
transaction is rolled back by the server. Rows go in with COPY (CSV text built by
pyarrow, geo.store.postgis_rows) in chunks; queries push the Filter down as SQL (time
range on the B-tree index, `= ANY` lists, `geom && ST_MakeEnvelope` on the GiST index) and
come back with COPY … TO STDOUT. Input checks (shared with the GeoPackage store):
geo.store.batch. Tables and schema steps: geo.store.postgis_schema.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Final
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import geopandas as gpd
import pandas as pd
import psycopg
import pyarrow as pa
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from geo.query import Filter
from geo.store import postgis_rows
from geo.store.base import SCHEMA_VERSION, IngestRecord, StoreError, StoreLifecycle
from geo.store.batch import checked_batch
from geo.store.fingerprint import fingerprints
from geo.store.postgis_ingest import (
    IngestSource,
    copy_out,
    count_change,
    first_value,
    ingest_record,
    run_ingest,
)
from geo.store.postgis_schema import INGEST_COLUMNS, apply_steps
from geo.store.postgis_schema import recorded_version as _recorded_version

DEFAULT_CHUNK_ROWS: Final = 50_000  # rows per COPY; on_progress runs after each
CONNECT_TIMEOUT_S: Final = 10  # unless the URL sets connect_timeout
SORT_MEMORY: Final = "64MB"  # work_mem of the store's connection (ORDER BY of a query)
MASK: Final = "***"
_SELECT_LIST: Final = ", ".join(
    f"{expression} AS {name}" for name, expression in postgis_rows.READ_EXPRESSIONS.items()
)
_ORDER: Final = 'ORDER BY occurred_ns, incident_id COLLATE "C"'
_HISTORY_TYPES: Final[dict[str, pa.DataType]] = {
    **postgis_rows.READ_TYPES,
    "replaced_at_us": pa.int64(),
    "replaced_by_ingest": pa.int64(),
}


class PostgisStore(StoreLifecycle):
    """The Store protocol (geo.store.base) on a PostgreSQL database with PostGIS."""

    def __init__(self, url: str, *, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> None:
        """Remember `url` (postgresql://…) without connecting; init() creates the tables."""
        self._conninfo = url
        self._masked = mask_url(url)
        self.chunk_rows = chunk_rows  # rows written per COPY of an ingest (tests set it low)
        self._connection: psycopg.Connection | None = None
        self._checked_version = False
        self._lock = threading.RLock()

    @property
    def url(self) -> str:
        """Return the URL with any password masked."""
        return self._masked

    # --- schema -----------------------------------------------------------------------

    def migrate(self, version: int) -> int:
        """Apply the schema steps up to `version` (init() is migrate(SCHEMA_VERSION)).

        Internal: tests build a version-1 store with migrate(1) to check the upgrade path.
        Returns the version the store is at afterwards (never lowered).
        """
        with self._lock, self._errors(f"schema upgrade to version {version}"):
            try:
                reached = apply_steps(self._open(), version)
            except RuntimeError as error:
                raise StoreError(f"store {self.url}: {error}") from error
            self._checked_version = reached == SCHEMA_VERSION
            return reached

    def schema_version(self) -> int:
        """Return the recorded schema version (0 when the database has no Hito tables)."""
        with self._lock, self._errors("reading the schema version"):
            return _recorded_version(self._open())

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
        prints = fingerprints(batch).to_numpy(dtype=object)
        source = IngestSource(file_name, file_sha256, source_format, rejected)
        with self._lock, self._errors(f"ingest of {file_name!r}"):
            connection = self._ready()
            with connection.transaction():
                connection.execute("LOCK TABLE incidents IN SHARE ROW EXCLUSIVE MODE")
                return run_ingest(
                    connection, batch, prints, source, update, self.chunk_rows, on_progress
                )

    def delete(self, incident_ids: Sequence[str]) -> int:
        """Delete these ids in one transaction; return how many were stored."""
        ids = [str(incident_id) for incident_id in incident_ids]
        with self._lock, self._errors("delete"):
            connection = self._ready()
            with connection.transaction():
                connection.execute("LOCK TABLE incidents IN SHARE ROW EXCLUSIVE MODE")
                deleted = connection.execute(
                    "DELETE FROM incidents WHERE incident_id = ANY(%s)", (ids,)
                ).rowcount
                if deleted:
                    count_change(connection)
            return deleted

    # --- reads ------------------------------------------------------------------------

    def query(self, flt: Filter | None = None) -> gpd.GeoDataFrame:
        """Return the stored incidents `flt` selects (None: all), oldest first."""
        where, params = where_clause(flt)
        return self._select(where, params)

    def count(self, flt: Filter | None = None) -> int:
        """Return how many stored incidents `flt` selects, counted in PostgreSQL."""
        where, params = where_clause(flt)
        with self._lock, self._errors("count"):
            row = self._ready().execute(f"SELECT count(*) FROM incidents {where}", params)
            return int(first_value(row))

    def get(self, incident_id: str) -> gpd.GeoDataFrame:
        """Return the incident with this id as a one-row frame (empty when unknown)."""
        return self._select("WHERE incident_id = %s", [str(incident_id)])

    def ingests(self) -> list[IngestRecord]:
        """Return every recorded ingest, oldest first."""
        with self._lock, self._errors("reading the ingests"):
            rows = (
                self._ready()
                .execute(f"SELECT {', '.join(INGEST_COLUMNS)} FROM ingests ORDER BY ingest_id")
                .fetchall()
            )
        return [ingest_record(row) for row in rows]

    def history(self, incident_id: str) -> gpd.GeoDataFrame:
        """Return the replaced versions of one incident, oldest first, with `replaced_at`
        (UTC) and `replaced_by_ingest`."""
        sql = (
            f"COPY (SELECT {_SELECT_LIST}, "
            "(extract(epoch FROM replaced_at) * 1000000)::bigint, replaced_by_ingest "
            "FROM incident_history WHERE incident_id = %s "
            "ORDER BY replaced_at, replaced_by_ingest) TO STDOUT (FORMAT csv)"
        )
        with self._lock, self._errors("reading the history"):
            data = copy_out(self._ready(), sql, [str(incident_id)])
        table = postgis_rows.parse_csv(data, _HISTORY_TYPES)
        frame = postgis_rows.incident_frame(table)
        micros = postgis_rows.int_column(table, "replaced_at_us")
        replaced_at = pd.to_datetime(micros, unit="us", utc=True).astype("datetime64[ns, UTC]")
        frame["replaced_at"] = pd.Series(replaced_at)
        frame["replaced_by_ingest"] = postgis_rows.int_column(table, "replaced_by_ingest")
        return frame

    def change_token(self) -> str:
        """Return "<incidents table oid>.<committed changes>": every ingest and every delete
        that removed a row adds one change, in its own transaction."""
        with self._lock, self._errors("reading the change token"):
            row = (
                self._ready()
                .execute("SELECT 'incidents'::regclass::oid, changes FROM store_state")
                .fetchone()
            )
        if row is None:
            raise StoreError(f"store {self.url}: the store_state row is missing")
        return f"{row[0]}.{row[1]}"

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
                self._checked_version = False

    # --- internals --------------------------------------------------------------------

    def _select(self, where: str, params: list[object]) -> gpd.GeoDataFrame:
        sql = f"COPY (SELECT {_SELECT_LIST} FROM incidents {where} {_ORDER}) TO STDOUT (FORMAT csv)"
        with self._lock, self._errors("query"):
            data = copy_out(self._ready(), sql, params)
        return postgis_rows.incident_frame(postgis_rows.parse_csv(data, postgis_rows.READ_TYPES))

    def _ready(self) -> psycopg.Connection:
        """Return the connection to a store at SCHEMA_VERSION, or raise StoreError."""
        connection = self._open()
        if not self._checked_version:
            version = _recorded_version(connection)
            if version != SCHEMA_VERSION:
                raise StoreError(
                    f"store {self.url}: schema version {version}, this Hito needs "
                    f"{SCHEMA_VERSION}; run `hito db init` to create or upgrade it"
                )
            self._checked_version = True
        return connection

    def _open(self) -> psycopg.Connection:
        if self._connection is not None and not self._connection.closed:
            return self._connection
        self._checked_version = False
        settings = conninfo_to_dict(self._conninfo)
        timeout = settings.get("connect_timeout") or CONNECT_TIMEOUT_S
        try:
            conninfo = make_conninfo(
                self._conninfo, connect_timeout=timeout, application_name="hito"
            )
            connection = psycopg.connect(conninfo, autocommit=True)
        except psycopg.Error as error:
            raise StoreError(self._connect_message(settings, error)) from None
        connection.isolation_level = psycopg.IsolationLevel.READ_COMMITTED  # see the lock
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute("SET extra_float_digits = 3")  # floats out as shortest exact text
        connection.execute(f"SET work_mem = '{SORT_MEMORY}'")  # a query's sort stays in memory
        self._connection = connection
        return connection

    def _connect_message(self, settings: Mapping[str, object], error: psycopg.Error) -> str:
        host = settings.get("host") or settings.get("hostaddr") or "the local socket"
        port = settings.get("port") or 5432
        database = settings.get("dbname") or settings.get("user") or "(default)"
        return (
            f"store {self.url}: cannot connect to PostgreSQL at host {host}, port {port}, "
            f"database {database}: {self._scrub(str(error)).strip()}"
        )

    def _scrub(self, text: str) -> str:
        password = conninfo_to_dict(self._conninfo).get("password")
        return text.replace(str(password), MASK) if password else text

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """Turn database errors into StoreError naming the store (password masked)."""
        try:
            yield
        except psycopg.Error as error:
            if self._connection is not None and self._connection.closed:
                self._connection = None
            detail = self._scrub(str(error)).strip() or type(error).__name__
            raise StoreError(
                f"store {self.url}: {action} failed and nothing was changed: {detail}"
            ) from None


# --- SQL text -------------------------------------------------------------------------------


def where_clause(flt: Filter | None) -> tuple[str, list[object]]:
    """Return the WHERE clause (with %s placeholders) and parameters that select `flt`."""
    if flt is None:
        return "", []
    conditions: list[str] = []
    params: list[object] = []
    first, after = flt.utc_window()
    if first is not None:
        conditions.append("occurred_at >= %s")
        params.append(first.to_pydatetime())
    if after is not None:
        conditions.append("occurred_at < %s")
        params.append(after.to_pydatetime())
    for column, chosen in (("crossing", flt.crossings), ("category", flt.categories),
                           ("region", flt.regions), ("side", flt.sides)):  # fmt: skip
        if chosen:
            conditions.append(f"{column} = ANY(%s)")
            params.append(list(chosen))
    if flt.bbox is not None:
        minx, miny, maxx, maxy = (float(value) for value in flt.bbox)
        # && finds candidates on the GiST index (float4 boxes, rounded outward); the
        # BETWEENs keep exactly the points inside the box, edges included.
        conditions.append(
            "geom && ST_MakeEnvelope(%s, %s, %s, %s, 4326) "
            "AND ST_X(geom) BETWEEN %s AND %s AND ST_Y(geom) BETWEEN %s AND %s"
        )
        params.extend([minx, miny, maxx, maxy, minx, maxx, miny, maxy])
    return ("WHERE " + " AND ".join(conditions) if conditions else ""), params


def mask_url(url: str) -> str:
    """Return a postgresql:// URL with its password (in the authority or query) as ***."""
    parts = urlsplit(url)
    netloc = re.sub(r"^([^:@/]*):[^@]*@", rf"\1:{MASK}@", parts.netloc)
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(key, MASK if key == "password" else value) for key, value in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
