"""Write the parts of one ingest or delete inside the caller's GeoPackage transaction."""

from __future__ import annotations

import json
import sqlite3
from typing import Final

import geopandas as gpd
import numpy as np

from geo.store import gpkg_rows
from geo.store.base import IngestRecord
from geo.store.gpkg_schema import FIELD_NAMES, HISTORY, INCIDENTS, INGEST_FIELDS, INGESTS

INSERT_INCIDENT: Final = (
    f"INSERT INTO {INCIDENTS} (geom, {', '.join(FIELD_NAMES)}) "
    f"VALUES (?, {', '.join('?' * len(FIELD_NAMES))})"
)
IDS_IN_JSON: Final = "incident_id IN (SELECT value FROM json_each(?))"  # one JSON array


def next_ingest_id(connection: sqlite3.Connection) -> int:
    """Return the id the next ingest gets (the write lock is held: no one else takes it)."""
    (last,) = connection.execute(f"SELECT coalesce(max(ingest_id), 0) FROM {INGESTS}").fetchone()
    return int(last) + 1


def stored_prints(connection: sqlite3.Connection, ids: list[object]) -> dict[str, str]:
    """Return incident_id -> fingerprint of the stored rows among `ids`."""
    rows = connection.execute(
        f"SELECT incident_id, fingerprint FROM {INCIDENTS} WHERE {IDS_IN_JSON}",
        (json.dumps(ids),),
    )
    return dict(rows.fetchall())


def move_to_history(
    connection: sqlite3.Connection, ids: list[object], ingest_id: int, now_text: str
) -> None:
    """Copy the stored rows of `ids` to the history table, then delete them."""
    fields = ", ".join(FIELD_NAMES)
    encoded = json.dumps(ids)
    connection.execute(
        f"INSERT INTO {HISTORY} ({fields}, replaced_at, replaced_by_ingest) "
        f"SELECT {fields}, ?, ? FROM {INCIDENTS} WHERE {IDS_IN_JSON} ORDER BY fid",
        (now_text, ingest_id, encoded),
    )
    connection.execute(f"DELETE FROM {INCIDENTS} WHERE {IDS_IN_JSON}", (encoded,))
    touch(connection, HISTORY, now_text)


def finish_ingest(
    connection: sqlite3.Connection,
    batch: gpd.GeoDataFrame,
    written: np.ndarray,
    record: IngestRecord,
) -> None:
    """Record the ingest and refresh gpkg_contents (last change, extent of the points)."""
    at_text = gpkg_rows.datetime_text(record.at)
    connection.execute(
        f"INSERT INTO {INGESTS} ({', '.join(INGEST_FIELDS)}) "
        f"VALUES ({', '.join('?' * len(INGEST_FIELDS))})",
        gpkg_rows.ingest_row(record),
    )
    touch(connection, INGESTS, at_text)
    if written.any():
        touch(connection, INCIDENTS, at_text)
        grow_extent(connection, batch.geometry[written].total_bounds)


def touch(connection: sqlite3.Connection, table: str, at_text: str) -> None:
    """Set gpkg_contents.last_change of `table`."""
    connection.execute(
        "UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (at_text, table)
    )


def grow_extent(connection: sqlite3.Connection, bounds: np.ndarray) -> None:
    """Widen the incidents' extent in gpkg_contents to cover `bounds` (minx, miny, maxx, maxy)."""
    minx, miny, maxx, maxy = (float(value) for value in bounds)
    connection.execute(
        "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?), ?), "
        "min_y = min(coalesce(min_y, ?), ?), max_x = max(coalesce(max_x, ?), ?), "
        "max_y = max(coalesce(max_y, ?), ?) WHERE table_name = ?",
        (minx, minx, miny, miny, maxx, maxx, maxy, maxy, INCIDENTS),
    )
