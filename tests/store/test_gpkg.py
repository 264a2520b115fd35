"""GeoPackage-only checks: a real GeoPackage that GDAL reads, its blobs, indexes, locks, errors."""

from __future__ import annotations

import sqlite3
import struct
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from geo.query import Filter
from geo.store import StoreError, open_store
from geo.store.gpkg import GpkgStore
from geo.store.gpkg_rows import where_clause
from geo.store.gpkg_schema import decode_point, encode_points
from geo.writers import write_incidents

# GeoPackage 1.4 (OGC 12-128r19): "GPKG" as application_id, 10400 as user_version.
GPKG_APPLICATION_ID = 0x47504B47
GPKG_1_4_USER_VERSION = 10400
QUERY_INDEXES = {
    "idx_incidents_time", "idx_incidents_crossing_time", "idx_incidents_category_time",
    "idx_incidents_lon_lat",
}  # fmt: skip


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "hito.gpkg"


@pytest.fixture
def store(path: Path) -> Iterator[GpkgStore]:
    opened = GpkgStore(path)
    opened.init()
    yield opened
    opened.close()


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path)


def index_names(path: Path) -> set[str]:
    with raw(path) as connection:
        rows = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' "
            "AND name NOT LIKE 'sqlite_autoindex%'"
        ).fetchall()
    return {name for (name,) in rows}


def plan(path: Path, flt: Filter) -> str:
    where, params = where_clause(flt)
    with raw(path) as connection:
        rows = connection.execute(f"EXPLAIN QUERY PLAN SELECT * FROM incidents {where}", params)
        return " | ".join(str(row[-1]) for row in rows.fetchall())


def test_open_store_points_at_a_gpkg_without_creating_it(path: Path) -> None:
    store = open_store(path)
    assert isinstance(store, GpkgStore) and store.url == str(path)
    assert store.schema_version() == 0
    with pytest.raises(StoreError, match=r"no such file.*hito db init"):
        store.query()
    assert not path.exists()
    assert store.init() == 2 and path.exists()
    store.close()


def test_gdal_reads_the_store_as_a_geopackage_with_the_same_points_and_times(
    store: GpkgStore, path: Path, demo: gpd.GeoDataFrame
) -> None:
    store.ingest(demo, file_name="demo.csv")
    stored = store.query()
    store.close()  # GDAL links its own SQLite: never share the file within one process
    layers = {name: kind for name, kind in pyogrio.list_layers(path)}
    assert layers["incidents"] == "Point"
    assert {"ingests", "incident_history", "schema_version"} <= set(layers)
    assert pyogrio.read_info(path, layer="incidents")["crs"] == "EPSG:4326"
    read = pyogrio.read_dataframe(path, layer="incidents").sort_values("occurred_ns")
    assert read.crs.to_epsg() == 4326
    assert read["incident_id"].tolist() == stored["incident_id"].tolist()
    assert np.array_equal(shapely.get_coordinates(read.geometry.array),
                          shapely.get_coordinates(stored.geometry.array))  # fmt: skip
    assert read["occurred_ns"].tolist() == stored["occurred_at"].array.asi8.tolist()
    gdal_times = read["occurred_at"].dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    assert (gdal_times == stored["occurred_at"].dt.floor("ms")).all()  # DATETIME holds ms


def test_file_header_and_core_tables_follow_the_geopackage_standard(
    store: GpkgStore, path: Path, demo: gpd.GeoDataFrame
) -> None:
    store.ingest(demo, file_name="demo.csv")
    with raw(path) as connection:
        assert connection.execute("PRAGMA application_id").fetchone()[0] == GPKG_APPLICATION_ID
        assert connection.execute("PRAGMA user_version").fetchone()[0] == GPKG_1_4_USER_VERSION
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        srs = connection.execute(
            "SELECT srs_id, organization, organization_coordsys_id FROM gpkg_spatial_ref_sys "
            "ORDER BY srs_id"
        ).fetchall()
        contents = dict(connection.execute("SELECT table_name, data_type FROM gpkg_contents"))
        geometry = connection.execute("SELECT * FROM gpkg_geometry_columns").fetchall()
        extent = connection.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents "
                                    "WHERE table_name = 'incidents'").fetchone()  # fmt: skip
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert srs == [(-1, "NONE", -1), (0, "NONE", 0), (4326, "EPSG", 4326)]
    assert contents == {"incidents": "features", "incident_history": "attributes",
                        "ingests": "attributes", "schema_version": "attributes"}  # fmt: skip
    assert geometry == [("incidents", "geom", "POINT", 4326, 0, 0)]
    assert extent == pytest.approx(tuple(demo.total_bounds), abs=0)


def test_geometry_blobs_are_geopackage_binary_with_little_endian_wkb(
    store: GpkgStore, path: Path, demo: gpd.GeoDataFrame
) -> None:
    store.ingest(demo.iloc[:20], file_name="demo.csv")
    with raw(path) as connection:
        rows = connection.execute("SELECT geom, lon, lat FROM incidents ORDER BY fid").fetchall()
    for blob, lon, lat in rows:
        assert blob[:8] == b"GP\x00\x01" + struct.pack("<i", 4326)  # no envelope, LE, 4326
        assert blob[8:] == shapely.to_wkb(shapely.Point(lon, lat), byte_order=1)
        assert decode_point(blob) == (lon, lat)
    assert [decode_point(b) for b in encode_points(np.array([-70.3]), np.array([-18.3]))] == [
        (-70.3, -18.3)
    ]


def test_decode_point_reads_an_envelope_and_refuses_other_blobs() -> None:
    wkb = shapely.to_wkb(shapely.Point(-70.31, -18.31), byte_order=1)
    with_envelope = b"GP\x00\x03" + struct.pack("<i4d", 4326, -70.31, -70.31, -18.31, -18.31)
    assert decode_point(with_envelope + wkb) == (-70.31, -18.31)
    with pytest.raises(ValueError, match="not a GeoPackage"):
        decode_point(b"XX\x00\x01" + struct.pack("<i", 4326) + wkb)
    line = shapely.to_wkb(shapely.LineString([(0, 0), (1, 1)]), byte_order=1)
    with pytest.raises(ValueError, match="LineString"):
        decode_point(b"GP\x00\x01" + struct.pack("<i", 4326) + line)


def test_init_adds_the_query_indexes_and_an_upgrade_from_version_one_too(path: Path) -> None:
    store = GpkgStore(path)
    assert store.migrate(1) == 1
    assert index_names(path) == set()
    assert store.init() == 2
    assert index_names(path) == QUERY_INDEXES
    store.close()


def test_queries_use_the_indexes(store: GpkgStore, path: Path, demo: gpd.GeoDataFrame) -> None:
    store.ingest(demo, file_name="demo.csv")
    month = Filter(start=date(2026, 1, 1), end=date(2026, 1, 31), crossings=("chacalluta",))
    assert "idx_incidents_crossing_time" in plan(path, month)
    assert "idx_incidents_time" in plan(path, Filter(start=date(2026, 1, 1)))
    assert "idx_incidents_lon_lat" in plan(path, Filter(bbox=(-70.32, -18.32, -70.30, -18.30)))


def test_another_geopackage_or_a_non_sqlite_file_is_not_taken_for_a_store(
    tmp_path: Path, demo: gpd.GeoDataFrame
) -> None:
    export = tmp_path / "export.gpkg"
    write_incidents(demo.iloc[:5], export)
    with pytest.raises(StoreError, match=r"already holds tables \['incidents'.*not a Hito"):
        GpkgStore(export).init()
    text = tmp_path / "notes.gpkg"
    text.write_text("not a database\n" * 100)
    with pytest.raises(StoreError, match=r"notes\.gpkg"):
        GpkgStore(text).init()


def test_a_store_newer_than_this_code_is_refused(store: GpkgStore, path: Path) -> None:
    with raw(path) as connection:
        connection.execute("INSERT INTO schema_version VALUES (3, '2030-01-01T00:00:00.000Z')")
    newer = GpkgStore(path)
    with pytest.raises(StoreError, match="schema version 3 is newer"):
        newer.init()
    with pytest.raises(StoreError, match="schema version 3 is newer"):
        newer.count()
    newer.close()


def test_readers_are_not_blocked_by_a_writer_holding_the_lock(
    store: GpkgStore, path: Path, demo: gpd.GeoDataFrame
) -> None:
    store.ingest(demo.iloc[:10], file_name="demo.csv")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM incidents")  # not committed: readers still see 10 rows
    try:
        reader = GpkgStore(path)
        assert reader.count() == 10 and len(reader.query()) == 10
        reader.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert store.count() == 10


def test_one_store_object_serves_several_threads(store: GpkgStore, demo: gpd.GeoDataFrame) -> None:
    store.ingest(demo, file_name="demo.csv")
    counts: list[int] = []
    threads = [threading.Thread(target=lambda: counts.append(len(store.query()))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counts == [len(demo)] * 3


def test_time_text_is_a_geopackage_datetime_and_nationalities_are_joined(
    store: GpkgStore, path: Path, demo: gpd.GeoDataFrame
) -> None:
    store.ingest(demo.iloc[:3], file_name="demo.csv")
    with raw(path) as connection:
        rows = dict(
            (row[0], row[1:])
            for row in connection.execute(
                "SELECT incident_id, occurred_at, nationalities FROM incidents"
            )
        )
    first = demo.iloc[0]
    text, codes = rows[first["incident_id"]]
    assert text == first["occurred_at"].strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{first['occurred_at'].microsecond // 1000:03d}Z"
    )
    assert codes == ";".join(first["nationalities"])
    assert rows[demo["incident_id"].iloc[1]][1] == ""  # an empty list
    assert rows[demo["incident_id"].iloc[2]][1] is None  # a missing cell


def test_a_read_in_many_chunks_is_the_same_frame_as_in_one(
    store: GpkgStore, demo: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reads are built chunk by chunk (bounded memory); the joined frame is identical."""
    store.ingest(demo.head(250), file_name="demo.csv")
    whole = store.query()
    monkeypatch.setattr("geo.store.gpkg.READ_CHUNK_ROWS", 7)
    chunked = store.query()
    assert len(chunked) == 250
    assert chunked.index.equals(whole.index) and chunked.crs == whole.crs
    assert chunked.dtypes.equals(whole.dtypes)
    assert chunked.drop(columns="nationalities").equals(whole.drop(columns="nationalities"))
    assert chunked["nationalities"].tolist() == whole["nationalities"].tolist()
    assert store.query(Filter(crossings=("nowhere",))).empty
