"""Lay out the GeoPackage store: its tables, the versioned steps that build them, point blobs.

The file is a GeoPackage 1.4 (OGC 12-128r19) that GDAL and QGIS open: application_id
'GPKG', user_version 10400, the three core tables (gpkg_spatial_ref_sys with rows -1, 0 and
4326, gpkg_contents, gpkg_geometry_columns), and the feature table `incidents` (INTEGER
PRIMARY KEY `fid`, POINT column `geom` in GeoPackage binary, EPSG:4326). The other tables
(`incident_history`, `ingests`, `schema_version`) are registered as 'attributes'.

Schema steps, applied in order by `apply_steps` and recorded in `schema_version`:
1. the GeoPackage core tables and the store's four tables;
2. the query indexes: time, (crossing, time), (category, time), (lon, lat), and the
   history's incident id. No R-tree: GDAL's R-tree triggers call SQL functions that only
   GDAL registers, so a plain (lon, lat) B-tree serves bounding-box queries instead.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Callable
from typing import Final

import numpy as np
import numpy.typing as npt
import shapely

APPLICATION_ID: Final = 0x47504B47  # "GPKG"
USER_VERSION: Final = 10400  # GeoPackage 1.4.0
SRS_ID: Final = 4326
INCIDENTS: Final = "incidents"
HISTORY: Final = "incident_history"
INGESTS: Final = "ingests"
SCHEMA_TABLE: Final = "schema_version"

WGS84_WKT: Final = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)

# The stored columns of one incident (after `fid` and, in `incidents`, `geom`), in order.
# Times: `occurred_at` is GeoPackage DATETIME text (milliseconds, for GDAL and QGIS);
# `occurred_ns` holds the exact nanoseconds since the epoch and is what queries read.
FIELDS: Final[tuple[tuple[str, str], ...]] = (
    ("incident_id", "TEXT NOT NULL"),
    ("occurred_at", "DATETIME NOT NULL"),
    ("occurred_ns", "INTEGER NOT NULL"),
    ("category", "TEXT"),
    ("crossing", "TEXT"),
    ("people_count", "INTEGER"),
    ("nationalities", "TEXT"),  # codes joined with ";"; "" = none listed, NULL = missing
    ("source", "TEXT"),
    ("source_url", "TEXT"),
    ("description", "TEXT"),
    ("verified", "BOOLEAN"),
    ("synthetic", "BOOLEAN"),
    ("country", "TEXT"),
    ("region", "TEXT"),
    ("side", "TEXT"),
    ("nearest_crossing", "TEXT"),
    ("dist_crossing_m", "DOUBLE"),
    ("dist_border_m", "DOUBLE"),
    ("between_complexes", "BOOLEAN"),
    ("crossing_assigned", "BOOLEAN"),
    ("lon", "DOUBLE NOT NULL"),
    ("lat", "DOUBLE NOT NULL"),
    ("fingerprint", "TEXT NOT NULL"),
    ("ingest_id", "INTEGER NOT NULL"),  # the ingest that wrote this version of the row
)
FIELD_NAMES: Final[tuple[str, ...]] = tuple(name for name, _ in FIELDS)
INGEST_FIELDS: Final[tuple[str, ...]] = (
    "ingest_id", "at", "file_name", "file_sha256", "source_format", "accepted", "rejected",
    "added", "skipped", "conflicts", "updated", "conflict_ids",
)  # fmt: skip

# GeoPackage binary header for a point: magic "GP", version 0, flags 0b00000001 (little
# endian, no envelope, not empty, standard type), srs_id as little-endian int32.
_HEADER: Final = b"GP\x00\x01" + struct.pack("<i", SRS_ID)
_ENVELOPE_DOUBLES: Final[dict[int, int]] = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


def encode_points(lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64]) -> list[bytes]:
    """Return one GeoPackage geometry blob per point (header + little-endian 2D WKB)."""
    wkb = shapely.to_wkb(shapely.points(lon, lat), byte_order=1, output_dimension=2)
    return [_HEADER + blob for blob in wkb.tolist()]


def decode_point(blob: bytes) -> tuple[float, float]:
    """Return (lon, lat) of a GeoPackage point blob; ValueError when it is not one."""
    if len(blob) < 8 or blob[:2] != b"GP" or blob[2] != 0:
        raise ValueError(f"not a GeoPackage version-0 geometry blob: {blob[:8]!r}")
    flags = blob[3]
    envelope = (flags >> 1) & 0b111
    if envelope not in _ENVELOPE_DOUBLES or flags & 0b0010_0000:
        raise ValueError(f"GeoPackage blob flags {flags:#010b}: unsupported envelope or type")
    start = 8 + 8 * _ENVELOPE_DOUBLES[envelope]
    point = shapely.from_wkb(blob[start:])
    if point.geom_type != "Point" or point.is_empty:
        raise ValueError(f"GeoPackage blob holds a {point.geom_type}, expected a point")
    return float(point.x), float(point.y)


# --- schema steps -------------------------------------------------------------------------


def _field_list(unique_id: bool) -> str:
    columns = [
        f"{name} {kind} UNIQUE" if unique_id and name == "incident_id" else f"{name} {kind}"
        for name, kind in FIELDS
    ]
    return ",\n  ".join(columns)


_CORE_TABLES: Final = """
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
"""

_SPATIAL_REF_ROWS: Final = (
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined",
     "undefined cartesian coordinate reference system"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined",
     "undefined geographic coordinate reference system"),
    ("WGS 84 geodetic", SRS_ID, "EPSG", SRS_ID, WGS84_WKT,
     "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
)  # fmt: skip

_ATTRIBUTE_TABLES: Final = (
    (HISTORY, "Previous versions of incidents that an update replaced"),
    (INGESTS, "Every ingest: time, file, counts"),
    (SCHEMA_TABLE, "Schema steps applied to this store"),
)


def _step_1_tables(connection: sqlite3.Connection) -> None:
    """Create the GeoPackage core tables and the store's tables, and register them."""
    connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    connection.execute(f"PRAGMA user_version = {USER_VERSION}")
    for statement in _CORE_TABLES.split(";"):
        if statement.strip():
            connection.execute(statement)
    connection.executemany(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", _SPATIAL_REF_ROWS
    )
    connection.execute(
        f"CREATE TABLE {INCIDENTS} (\n  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,\n"
        f"  geom POINT NOT NULL,\n  {_field_list(unique_id=True)})"
    )
    connection.execute(
        f"CREATE TABLE {HISTORY} (\n  fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,\n"
        f"  {_field_list(unique_id=False)},\n"
        "  replaced_at DATETIME NOT NULL,\n  replaced_by_ingest INTEGER NOT NULL)"
    )
    connection.execute(
        f"CREATE TABLE {INGESTS} (ingest_id INTEGER PRIMARY KEY NOT NULL, at DATETIME NOT NULL, "
        "file_name TEXT NOT NULL, file_sha256 TEXT NOT NULL, source_format TEXT NOT NULL, "
        "accepted INTEGER NOT NULL, rejected INTEGER NOT NULL, added INTEGER NOT NULL, "
        "skipped INTEGER NOT NULL, conflicts INTEGER NOT NULL, updated INTEGER NOT NULL, "
        "conflict_ids TEXT NOT NULL)"  # a JSON array of the conflicting ids
    )
    connection.execute(
        f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} "
        "(version INTEGER PRIMARY KEY NOT NULL, applied_at DATETIME NOT NULL)"
    )
    _register(connection)


def _register(connection: sqlite3.Connection) -> None:
    connection.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
        "VALUES (?, 'features', ?, ?, ?)",
        (INCIDENTS, INCIDENTS, "Incident reports, one row per incident_id", SRS_ID),
    )
    connection.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'POINT', ?, 0, 0)",
        (INCIDENTS, SRS_ID),
    )
    connection.executemany(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) "
        "VALUES (?, 'attributes', ?, ?)",
        [(name, name, text) for name, text in _ATTRIBUTE_TABLES],
    )


def _step_2_indexes(connection: sqlite3.Connection) -> None:
    """Add the indexes that queries by time, crossing, category and bbox use."""
    for statement in (
        f"CREATE INDEX idx_incidents_time ON {INCIDENTS} (occurred_ns)",
        f"CREATE INDEX idx_incidents_crossing_time ON {INCIDENTS} (crossing, occurred_ns)",
        f"CREATE INDEX idx_incidents_category_time ON {INCIDENTS} (category, occurred_ns)",
        f"CREATE INDEX idx_incidents_lon_lat ON {INCIDENTS} (lon, lat)",
        f"CREATE INDEX idx_history_incident ON {HISTORY} (incident_id)",
    ):
        connection.execute(statement)


STEPS: Final[dict[int, Callable[[sqlite3.Connection], None]]] = {
    1: _step_1_tables,
    2: _step_2_indexes,
}


def recorded_version(connection: sqlite3.Connection) -> int:
    """Return the highest schema step recorded (0 when the store has no schema table)."""
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (SCHEMA_TABLE,)
    ).fetchone()
    if found is None:
        return 0
    sql = f"SELECT coalesce(max(version), 0) FROM {SCHEMA_TABLE}"
    (version,) = connection.execute(sql).fetchone()
    return int(version)


def foreign_tables(connection: sqlite3.Connection) -> list[str]:
    """Return the tables of a file with no Hito schema that is some other database (or [])."""
    if recorded_version(connection) > 0:
        return []
    (application_id,) = connection.execute("PRAGMA application_id").fetchone()
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'gpkg_%' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    tables = [str(name) for (name,) in rows]
    if application_id not in (0, APPLICATION_ID) and not tables:
        return [f"(application_id {application_id:#x})"]
    return tables


def apply_steps(connection: sqlite3.Connection, target: int, applied_at: str) -> int:
    """Apply the steps after the recorded version up to `target`, inside the caller's
    transaction, recording each; return the version reached."""
    if target not in STEPS:
        raise ValueError(f"schema version {target} is not one of the steps {sorted(STEPS)}")
    current = recorded_version(connection)
    for version in range(current + 1, target + 1):
        STEPS[version](connection)
        connection.execute(f"INSERT INTO {SCHEMA_TABLE} VALUES (?, ?)", (version, applied_at))
    return max(current, target)
