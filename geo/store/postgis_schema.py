"""Declare the PostGIS store's tables and apply its versioned schema steps in order.

Step 1 creates the tables (no secondary index); step 2 adds the query indexes: GiST on the
point, B-tree on the time, the crossing and the category (and on the history's id).
`apply_steps(connection, up_to)` applies the missing steps up to a version in one
transaction, under an advisory lock so that two processes running init() at once do not
both apply a step. Each applied step is a row of `schema_version`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import psycopg

# Columns of `incidents`, in order, with their SQL types (the point is `geom`).
INCIDENT_COLUMNS: Final[dict[str, str]] = {
    "incident_id": "text NOT NULL",
    "occurred_at": "timestamptz NOT NULL",  # floored to the microsecond (the type's precision)
    "occurred_ns": "bigint NOT NULL",  # the exact time: nanoseconds since 1970-01-01 UTC
    "category": "text NOT NULL",
    "crossing": "text",
    "people_count": "bigint",
    "nationalities": "text",  # ISO alpha-3 codes joined with ";" ("" = none, NULL = missing)
    "source": "text",
    "source_url": "text",
    "description": "text",
    "verified": "boolean",
    "synthetic": "boolean",
    "country": "text",
    "region": "text",
    "side": "text",
    "nearest_crossing": "text",
    "dist_crossing_m": "double precision",
    "dist_border_m": "double precision",
    "between_complexes": "boolean NOT NULL",
    "crossing_assigned": "boolean NOT NULL",
    "geom": "geometry(Point, 4326) NOT NULL",
    "fingerprint": "text NOT NULL",
    "ingest_id": "bigint NOT NULL",
}
HISTORY_EXTRA_COLUMNS: Final[dict[str, str]] = {
    "replaced_at": "timestamptz NOT NULL",
    "replaced_by_ingest": "bigint NOT NULL",
}
INGEST_COLUMNS: Final[tuple[str, ...]] = (
    "ingest_id", "at", "file_name", "file_sha256", "source_format", "accepted", "rejected",
    "added", "skipped", "conflicts", "updated", "conflict_ids",
)  # fmt: skip
# One advisory-lock key for schema changes (any fixed bigint; "hito" in ASCII).
SCHEMA_LOCK_KEY: Final = 0x6869746F


@dataclass(frozen=True)
class Step:
    """One schema step: the version it brings the store to, what it does, its statements."""

    version: int
    summary: str
    statements: tuple[str, ...]


def _column_list(columns: dict[str, str]) -> str:
    return ",\n  ".join(f"{name} {kind}" for name, kind in columns.items())


STEPS: Final[tuple[Step, ...]] = (
    Step(
        1,
        "tables: incidents, incident_history, ingests, store_state",
        (
            "CREATE EXTENSION IF NOT EXISTS postgis",
            f"CREATE TABLE incidents (\n  {_column_list(INCIDENT_COLUMNS)},\n"
            "  PRIMARY KEY (incident_id)\n)",
            f"CREATE TABLE incident_history (\n  {_column_list(INCIDENT_COLUMNS)},\n"
            f"  {_column_list(HISTORY_EXTRA_COLUMNS)}\n)",
            """CREATE TABLE ingests (
  ingest_id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  file_name text NOT NULL,
  file_sha256 text NOT NULL,
  source_format text NOT NULL,
  accepted bigint NOT NULL,
  rejected bigint NOT NULL,
  added bigint NOT NULL,
  skipped bigint NOT NULL,
  conflicts bigint NOT NULL,
  updated bigint NOT NULL,
  conflict_ids text[] NOT NULL
)""",
            # One row counting committed ingests and deletes: the change token.
            "CREATE TABLE store_state (one boolean PRIMARY KEY DEFAULT true CHECK (one), "
            "changes bigint NOT NULL)",
            "INSERT INTO store_state (one, changes) VALUES (true, 0)",
        ),
    ),
    Step(
        2,
        "query indexes: GiST on geom, B-tree on occurred_at, crossing, category",
        (
            "CREATE INDEX incidents_geom_gist ON incidents USING gist (geom)",
            "CREATE INDEX incidents_occurred_at ON incidents (occurred_at)",
            "CREATE INDEX incidents_crossing ON incidents (crossing)",
            "CREATE INDEX incidents_category ON incidents (category)",
            "CREATE INDEX incident_history_id ON incident_history (incident_id)",
        ),
    ),
)
LATEST_VERSION: Final = STEPS[-1].version

_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    "version integer PRIMARY KEY, applied_at timestamptz NOT NULL, summary text NOT NULL)"
)


def recorded_version(connection: psycopg.Connection) -> int:
    """Return the highest version in `schema_version` (0 when the table does not exist)."""
    row = connection.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if row is None or not row[0]:
        return 0
    latest = connection.execute("SELECT max(version) FROM schema_version").fetchone()
    return int(latest[0]) if latest is not None and latest[0] is not None else 0


def apply_steps(connection: psycopg.Connection, up_to: int = LATEST_VERSION) -> int:
    """Apply the steps after the recorded version up to `up_to`, in one transaction.

    Internal: init() calls it with the latest version; tests call it with `up_to=1` to
    build a version-1 store and check the upgrade. Returns the version the store is at.
    Raises ValueError for an unknown target and RuntimeError when the store is newer than
    this code (it would not know its tables).
    """
    if not 0 <= up_to <= LATEST_VERSION:
        raise ValueError(f"schema version {up_to} is not between 0 and {LATEST_VERSION}")
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
        connection.execute(_VERSION_TABLE)
        current = recorded_version(connection)
        if current > LATEST_VERSION:
            raise RuntimeError(
                f"the store is at schema version {current}, newer than this code "
                f"({LATEST_VERSION}): upgrade Hito"
            )
        for step in STEPS:
            if current < step.version <= up_to:
                _apply(connection, step)
        return max(current, up_to)


def _apply(connection: psycopg.Connection, step: Step) -> None:
    for statement in step.statements:
        connection.execute(statement)
    connection.execute(
        "INSERT INTO schema_version (version, applied_at, summary) "
        "VALUES (%s, clock_timestamp(), %s)",
        (step.version, step.summary),
    )
