"""`hito ingest` and `hito db init | stats | history` against a GeoPackage store and PostGIS."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_run import run_cli

from geo.store import open_store

FIXTURES = Path(__file__).parents[1] / "fixtures" / "cli"
CLEAN = FIXTURES / "clean.csv"  # cli-1, cli-2, cli-3 (cli-3 has no people count)
CHANGED = FIXTURES / "clean_changed.csv"  # cli-1 with 55 people instead of 40, new cli-4
SOME_REJECTED = FIXTURES / "some_rejected.csv"  # 4 rows, 2 rejected


def test_init_creates_the_schema_and_reports_it(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(["db", "init", "--store", store_url], capsys)
    assert code == 0
    assert "schema version 2, 0 incidents" in out  # a named store is never seeded


def test_ingest_twice_adds_nothing_the_second_time(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_cli(["ingest", str(CLEAN), "--store", store_url], capsys)
    second = run_cli(["ingest", str(CLEAN), "--store", store_url], capsys)
    assert first[0] == second[0] == 0
    assert "clean.csv → " in first[1] and ": 3 added, 0 already stored, 0 in conflict" in first[1]
    assert ": 0 added, 3 already stored, 0 in conflict, 0 updated" in second[1]
    store = open_store(store_url)
    try:
        assert store.count() == 3
        assert [record.added for record in store.ingests()] == [3, 0]
    finally:
        store.close()


def test_a_conflict_is_reported_and_update_replaces_with_history(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(["ingest", str(CLEAN), "--store", store_url], capsys)
    code, out, err = run_cli(["ingest", str(CHANGED), "--store", store_url], capsys)
    assert code == 1  # a conflict is worth a non-zero exit
    assert ": 1 added, 0 already stored, 1 in conflict, 0 updated" in out
    assert "1 ids are stored with other content and were not changed: cli-1" in err
    code, out, _ = run_cli(["ingest", str(CHANGED), "--store", store_url, "--update"], capsys)
    assert code == 0
    assert ": 0 added, 1 already stored, 0 in conflict, 1 updated" in out
    store = open_store(store_url)
    try:
        assert int(store.get("cli-1")["people_count"].iloc[0]) == 55
        assert store.history("cli-1")["people_count"].tolist() == [40]
    finally:
        store.close()


def test_rejected_rows_are_reported_and_the_rest_stored(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["ingest", str(SOME_REJECTED), "--store", store_url], capsys)
    assert code == 1
    assert "4 rows, 2 accepted, 2 rejected" in err  # the validation report, line by line
    assert ": 2 added" in out and "(2 accepted, 2 rejected;" in out


def test_stats_and_history_describe_the_store(
    store_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run_cli(["ingest", str(CLEAN), str(CHANGED), "--store", store_url], capsys)
    code, out, _ = run_cli(["db", "stats", "--store", store_url], capsys)
    assert code == 0
    assert "schema version 2, 4 incidents, 2 ingests" in out  # two files: two ingests
    assert "by crossing: chacalluta 2, santa-rosa 1, — 1" in out  # cli-3: no crossing
    assert "synthetic rows: 4" in out
    code, out, _ = run_cli(["db", "history", "--store", store_url], capsys)
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 3  # header + two ingests
    assert "clean.csv" in lines[1] and "clean_changed.csv" in lines[2]


def test_snapshot_and_export_read_the_store_with_the_filter_pushed_down(
    store_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run_cli(["ingest", str(CLEAN), "--store", store_url], capsys)
    out = tmp_path / "dec.csv"
    argv = ["export", "--role", "analyst", "--store", store_url, "--to", "2025-12-31"]
    argv += ["-o", str(out)]
    code, _, err = run_cli(argv, capsys)
    assert code == 0
    assert "2 incidents, 43 people" in err


def test_a_bad_store_url_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["db", "init", "--store", "mysql://x/y"], capsys)
    assert code == 2
    assert err.strip().splitlines() == [
        "hito db init: store 'mysql://x/y': expected a path ending in .gpkg or a "
        "postgresql:// URL (set HITO_STORE)"
    ]
    code, _, err = run_cli(
        ["db", "stats", "--store", "postgresql://hito:secret@127.0.0.1:1/none"], capsys
    )
    assert code == 2
    assert "secret" not in err and "127.0.0.1" in err


def test_without_a_store_the_default_is_created_and_seeded_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    for name in ("border.geojson", "regions.geojson", "crossings.geojson", "corridor.geojson",
                 "disputed.geojson", "countries.geojson", "demo_incidents.csv"):  # fmt: skip
        (data / name).parent.mkdir(exist_ok=True)
        (data / name).write_bytes((Path(__file__).parents[2] / "data" / name).read_bytes())
    monkeypatch.setenv("HITO_DATA_DIR", str(data))
    code, out, _ = run_cli(["db", "init"], capsys)
    assert code == 0
    assert f"{data / 'hito.gpkg'}: schema version 2, 5000 incidents" in out
    run_cli(["db", "init"], capsys)
    store = open_store(data / "hito.gpkg")
    try:
        assert [record.file_name for record in store.ingests()] == ["demo_incidents.csv"]
    finally:
        store.close()
