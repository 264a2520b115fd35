"""PostGIS-only checks: indexes and plans, exact times, URL masking, connection errors."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import pytest
from postgis_cluster import SCRIPT, fresh_postgis_url

from geo.demo import generate_demo
from geo.enrich import enrich
from geo.layers import Layers
from geo.query import Filter
from geo.store import StoreError, open_store
from geo.store.postgis import PostgisStore, mask_url, where_clause

# Chacalluta's surroundings (lon/lat box) for bbox plans; any box over the demo area works.
BOX = (-70.35, -18.35, -70.25, -18.25)


@pytest.fixture
def pg_url() -> str:
    return fresh_postgis_url()


@pytest.fixture
def store(pg_url: str) -> Iterator[PostgisStore]:
    opened = PostgisStore(pg_url)
    opened.init()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def demo_rows(layers: Layers) -> gpd.GeoDataFrame:
    return enrich(generate_demo(3000, 11, layers), layers)


def _indexes(url: str) -> dict[str, str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'incidents'"
        ).fetchall()
    return dict(rows)


def _plan(url: str, flt: Filter) -> str:
    where, params = where_clause(flt)
    with psycopg.connect(url, cursor_factory=psycopg.ClientCursor) as connection:
        connection.execute("ANALYZE incidents")
        connection.execute("SET enable_seqscan = off")
        rows = connection.execute(f"EXPLAIN SELECT incident_id FROM incidents {where}", params)
        return "\n".join(row[0] for row in rows.fetchall())


def _running(pid: int) -> bool:
    """True while the process exists and is not a zombie (an exited daemon nobody reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_open_store_picks_postgis_for_a_postgresql_url(pg_url: str) -> None:
    opened = open_store(pg_url)
    assert isinstance(opened, PostgisStore)
    assert opened.schema_version() == 0  # a fresh database has no Hito tables yet
    opened.close()


def test_init_creates_the_gist_and_btree_indexes(store: PostgisStore, pg_url: str) -> None:
    indexes = _indexes(pg_url)
    assert "USING gist (geom)" in indexes["incidents_geom_gist"]
    assert "USING btree (occurred_at)" in indexes["incidents_occurred_at"]
    assert "USING btree (crossing)" in indexes["incidents_crossing"]
    assert "USING btree (category)" in indexes["incidents_category"]


def test_version_one_has_only_the_key_and_init_adds_the_query_indexes(pg_url: str) -> None:
    opened = PostgisStore(pg_url)
    assert opened.migrate(1) == 1
    assert set(_indexes(pg_url)) == {"incidents_pkey"}
    assert opened.init() == 2
    assert {"incidents_geom_gist", "incidents_occurred_at"} <= set(_indexes(pg_url))
    with psycopg.connect(pg_url) as connection:
        versions = connection.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
    assert versions == [(1,), (2,)]
    opened.close()


def test_geometry_column_is_a_4326_point(store: PostgisStore, pg_url: str) -> None:
    with psycopg.connect(pg_url) as connection:
        row = connection.execute(
            "SELECT type, srid FROM geometry_columns WHERE f_table_name = 'incidents'"
        ).fetchone()
    assert row == ("POINT", 4326)


def test_bbox_query_can_use_the_gist_index(
    store: PostgisStore, pg_url: str, demo_rows: gpd.GeoDataFrame
) -> None:
    store.ingest(demo_rows, file_name="demo.csv")
    assert "incidents_geom_gist" in _plan(pg_url, Filter(bbox=BOX))


def test_time_window_query_can_use_the_time_index(
    store: PostgisStore, pg_url: str, demo_rows: gpd.GeoDataFrame
) -> None:
    store.ingest(demo_rows, file_name="demo.csv")
    flt = Filter(start=date(2025, 12, 1), end=date(2025, 12, 31), zone="UTC")
    assert "incidents_occurred_at" in _plan(pg_url, flt)


def test_time_column_is_floored_to_microseconds_and_nanoseconds_are_kept(
    store: PostgisStore, demo_rows: gpd.GeoDataFrame, pg_url: str
) -> None:
    midnight = pd.Timestamp("2025-12-01", tz="UTC")
    rows = demo_rows.head(2).copy()
    rows["occurred_at"] = [midnight - pd.Timedelta(1, "ns"), midnight + pd.Timedelta(1999, "ns")]
    store.ingest(rows, file_name="edge.csv")
    with psycopg.connect(pg_url) as connection:
        stored = connection.execute(
            "SELECT occurred_ns, to_char(occurred_at, 'YYYY-MM-DD HH24:MI:SS.US') "
            "FROM incidents ORDER BY occurred_ns"
        ).fetchall()
    assert stored == [
        (midnight.value - 1, "2025-11-30 23:59:59.999999"),
        (midnight.value + 1999, "2025-12-01 00:00:00.000001"),
    ]
    back = store.query()["occurred_at"]
    assert back.tolist() == rows["occurred_at"].tolist()
    # The window starts at the very midnight: 1 ns before it stays out.
    assert store.count(Filter(start=date(2025, 12, 1), zone="UTC")) == 1
    assert store.count(Filter(end=date(2025, 11, 30), zone="UTC")) == 1


def test_times_in_microsecond_units_and_another_zone_are_stored_exactly(
    store: PostgisStore, demo_rows: gpd.GeoDataFrame
) -> None:
    rows = demo_rows.head(3).copy()
    local = pd.to_datetime(
        ["2025-12-01 00:00:00.000001", "2026-01-05 12:30:00", "2026-03-01"], format="ISO8601"
    )
    rows["occurred_at"] = local.tz_localize("America/Lima").astype("datetime64[us, America/Lima]")
    store.ingest(rows, file_name="units.csv")
    back = store.query()
    assert str(back["occurred_at"].dtype) == "datetime64[ns, UTC]"
    expected = rows["occurred_at"].dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    assert back["occurred_at"].tolist() == sorted(expected.tolist())
    assert back["occurred_at"].iloc[0] == pd.Timestamp("2025-12-01 05:00:00.000001", tz="UTC")


def test_bbox_edges_are_inside_and_a_hair_outside_is_not(
    store: PostgisStore, demo_rows: gpd.GeoDataFrame
) -> None:
    rows = demo_rows.head(3).copy()
    minx, miny, maxx, maxy = BOX
    rows.geometry = gpd.points_from_xy(
        [minx, maxx, maxx + 1e-9], [miny, maxy, maxy], crs=demo_rows.crs
    )
    store.ingest(rows, file_name="edges.csv")
    inside = store.query(Filter(bbox=BOX))["incident_id"].tolist()
    assert sorted(inside) == sorted(rows["incident_id"].iloc[:2])


def test_text_with_a_nul_character_is_refused_before_writing(
    store: PostgisStore, demo_rows: gpd.GeoDataFrame
) -> None:
    rows = demo_rows.head(5).copy()
    rows.loc[3, "description"] = "before\x00after"
    with pytest.raises(ValueError, match=r"description holds a NUL.*demo-11-4"):
        store.ingest(rows, file_name="nul.csv")
    assert store.count() == 0
    assert store.ingests() == []


def test_store_newer_than_the_code_is_refused(store: PostgisStore, pg_url: str) -> None:
    with psycopg.connect(pg_url) as connection:
        connection.execute("INSERT INTO schema_version VALUES (3, now(), 'from the future')")
    with pytest.raises(StoreError, match="schema version 3, newer than this code"):
        PostgisStore(pg_url).init()


def test_uninitialised_database_asks_for_hito_db_init(pg_url: str) -> None:
    with pytest.raises(StoreError, match=r"schema version 0.*hito db init"):
        PostgisStore(pg_url).count()


def test_a_dropped_connection_fails_one_call_then_reconnects(
    store: PostgisStore, pg_url: str
) -> None:
    assert store.count() == 0
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = 'hito' AND datname = current_database()"
        )
    with pytest.raises(StoreError, match="count failed"):
        store.count()
    assert store.count() == 0


def test_change_token_moves_on_ingest_and_delete_only(
    store: PostgisStore, demo_rows: gpd.GeoDataFrame
) -> None:
    first = store.change_token()
    assert store.change_token() == first
    store.ingest(demo_rows.head(10), file_name="a.csv")
    second = store.change_token()
    assert store.delete(["no-such-id"]) == 0
    assert store.change_token() == second
    assert store.delete([demo_rows["incident_id"].iloc[0]]) == 1
    assert len({first, second, store.change_token()}) == 3


def test_url_masks_the_password_without_connecting() -> None:
    opened = PostgisStore("postgresql://hito:s3cret@db.example.org:5433/hito?sslmode=require")
    assert opened.url == "postgresql://hito:***@db.example.org:5433/hito?sslmode=require"
    assert mask_url("postgresql://hito@h/db?password=s3cret&sslmode=require") == (
        "postgresql://hito@h/db?password=%2A%2A%2A&sslmode=require"
    )
    assert mask_url("postgresql://h:5432/db") == "postgresql://h:5432/db"


def test_connection_refused_names_host_port_and_database_but_not_the_password() -> None:
    port = _free_port()
    opened = PostgisStore(f"postgresql://hito:s3cret@127.0.0.1:{port}/hitodb")
    with pytest.raises(StoreError) as caught:
        opened.init()
    message = str(caught.value)
    assert f"host 127.0.0.1, port {port}, database hitodb" in message
    assert "Connection refused" in message
    assert "hito:***@" in message
    printed = "".join(traceback.format_exception(caught.value))
    assert "s3cret" not in printed


def _script(command: str, folder: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), command, "--dir", str(folder), *options],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_cluster_script_url_on_a_folder_without_a_cluster_fails_clearly(tmp_path: Path) -> None:
    done = _script("url", tmp_path)
    assert done.returncode == 1
    assert "no cluster runs there" in done.stderr


def test_cluster_script_starts_once_serves_postgis_and_stops_by_pid() -> None:
    folder = Path(tempfile.mkdtemp(prefix="hito-pg-script-"))  # the server user must reach it
    try:
        first = _script("start", folder, "--fast")
        assert first.returncode == 0, first.stderr
        url = first.stdout.strip()
        assert url.startswith("postgresql://postgres@127.0.0.1:") and url.endswith("/hito_test")
        assert _script("start", folder).stdout.strip() == url  # already running: same URL
        assert _script("url", folder).stdout.strip() == url
        with psycopg.connect(url) as connection:
            row = connection.execute("SELECT postgis_lib_version()").fetchone()
        assert row is not None and str(row[0]).startswith("3.")
        pid = int((folder / "data" / "postmaster.pid").read_text().split()[0])
        assert _script("stop", folder).returncode == 0
        assert not _running(pid)
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(url, connect_timeout=5)
        assert _script("url", folder).returncode == 1
    finally:
        _script("stop", folder)
        shutil.rmtree(folder, ignore_errors=True)
