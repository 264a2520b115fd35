"""Atomic and serialised ingests on every backend: failures, a killed writer, four writers at once.

Worker processes run tests/store/ingest_worker.py (read a file, enrich, ingest, print
`progress <n>` per chunk and `done <added> <skipped> <conflicts>`).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from test_store_contract import assert_same_incidents, changed_rows, ingest

from geo.demo import generate_demo
from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.layers import Layers
from geo.store import Store, StoreError, open_store
from geo.store.fingerprint import fingerprints
from geo.writers import write_incidents

REPO = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).resolve().parent / "ingest_worker.py"
LARGE_ROWS = 200_000  # the killed ingest: large enough to be killed half-way
WORKER_TIMEOUT_S = 300


def snapshot(store: Store, ids: list[str]) -> dict[str, Any]:
    """Everything a reader can see of a store (rows, ingests, token, histories)."""
    return {
        "rows": store.query(),
        "count": store.count(),
        "ingests": store.ingests(),
        "token": store.change_token(),
        "history": {incident_id: len(store.history(incident_id)) for incident_id in ids},
    }


def assert_unchanged(store: Store, before: dict[str, Any], ids: list[str]) -> None:
    after = snapshot(store, ids)
    assert_same_incidents(after["rows"], before["rows"])
    for key in ("count", "ingests", "token", "history"):
        assert after[key] == before[key], key


def start_worker(store_url: str, path: Path, chunk: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(WORKER), store_url, str(path), "--chunk", str(chunk)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def canonical_csv(frame: gpd.GeoDataFrame, path: Path) -> Path:
    """Write demo rows as a CSV of canonical columns, like data/demo_incidents.csv."""
    write_incidents(frame, path)
    return path


@pytest.fixture(scope="session")
def large_file(layers: Layers, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("large")
    return canonical_csv(generate_demo(LARGE_ROWS, 3, layers), folder / "large.csv")


@pytest.fixture(scope="session")
def overlapping_files(layers: Layers, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Four files of 1,600 rows; each shares half its rows with the next (4,000 distinct)."""
    rows = generate_demo(4_000, 21, layers)
    folder = tmp_path_factory.mktemp("overlap")
    return [
        canonical_csv(rows.iloc[k * 800 : k * 800 + 1600], folder / f"part{k}.csv")
        for k in range(4)
    ]


def test_an_error_inside_on_progress_leaves_the_store_exactly_as_before(
    store: Store, demo: gpd.GeoDataFrame
) -> None:
    ingest(store, demo.iloc[:100])
    corrected = changed_rows(demo, [1, 2])
    watched = corrected["incident_id"].tolist()
    before = snapshot(store, watched)
    batch = pd.concat([corrected, demo.iloc[100:400]])
    store.chunk_rows = 50  # type: ignore[attr-defined]
    calls: list[int] = []

    def fail_after_first_chunk(written: int) -> None:
        calls.append(written)
        raise RuntimeError("stop after the first chunk")

    with pytest.raises((RuntimeError, StoreError)) as caught:
        ingest(store, batch, "halfway.csv", update=True, on_progress=fail_after_first_chunk)
    assert "stop after the first chunk" in f"{caught.value} {caught.value.__cause__}"
    assert calls == [50]
    assert_unchanged(store, before, watched)
    record = ingest(store, batch, "again.csv", update=True)  # the store still works
    assert (record.added, record.updated, store.count()) == (300, 2, 400)


def test_a_writer_killed_half_way_through_a_large_ingest_changes_nothing(
    store: Store, store_url: str, demo: gpd.GeoDataFrame, large_file: Path
) -> None:
    ingest(store, demo.iloc[:50])
    before = snapshot(store, [])
    worker = start_worker(store_url, large_file, chunk=1_000)
    assert worker.stdout is not None
    first = worker.stdout.readline()
    worker.send_signal(signal.SIGKILL)
    out, err = worker.communicate(timeout=WORKER_TIMEOUT_S)
    assert first.startswith("progress "), f"{first!r} {err[-2000:]}"
    assert int(first.split()[1]) < LARGE_ROWS
    assert worker.returncode == -signal.SIGKILL and "done" not in out
    assert_unchanged(store, before, [])
    reopened = open_store(store_url)
    try:
        assert_unchanged(reopened, before, [])
        record = ingest(reopened, demo.iloc[50:60])
        assert (record.added, reopened.count()) == (10, 60)
    finally:
        reopened.close()


def test_four_processes_ingesting_overlapping_files_store_every_report_once(
    store: Store, store_url: str, layers: Layers, overlapping_files: list[Path]
) -> None:
    workers = [start_worker(store_url, path, chunk=100) for path in overlapping_files]
    outputs = [worker.communicate(timeout=WORKER_TIMEOUT_S) for worker in workers]
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err[-3000:]
    done = [line.split()[1:] for out, _ in outputs for line in out.splitlines()
            if line.startswith("done ")]  # fmt: skip
    added, skipped, conflicts = (sum(int(row[k]) for row in done) for k in range(3))
    assert len(done) == 4 and conflicts == 0
    assert (added, added + skipped) == (4_000, 4 * 1_600)
    assert store.count() == 4_000
    records = store.ingests()
    assert sorted(record.file_name for record in records) == [p.name for p in overlapping_files]
    assert sum(record.added for record in records) == 4_000
    everything = store.query()
    stored = fingerprints(everything).set_axis(everything["incident_id"])
    assert stored.index.is_unique
    for path in overlapping_files:
        rows = enrich(read_incidents(path, layers=layers).incidents, layers)
        expected = fingerprints(rows).set_axis(rows["incident_id"])
        assert stored.loc[expected.index].tolist() == expected.tolist(), path.name


def test_the_worker_initialises_the_store_and_reports_each_chunk_and_the_counts(
    store_url: str, overlapping_files: list[Path]
) -> None:
    runs = []
    for _ in range(2):
        worker = start_worker(store_url, overlapping_files[0], chunk=500)
        out, err = worker.communicate(timeout=WORKER_TIMEOUT_S)
        assert worker.returncode == 0, err[-3000:]
        runs.append(out.splitlines())
    assert runs[0] == ["progress 500", "progress 1000", "progress 1500", "progress 1600",
                       "done 1600 0 0"]  # fmt: skip
    assert runs[1] == ["done 0 1600 0"]  # nothing to write: no chunk, no progress line
