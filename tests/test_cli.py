"""Tests for the `hito` command line: validate, enrich, demo, exit codes and messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest
from cli_run import csv_rows, run_cli

from geo.schema import DERIVED_DTYPES

FIXTURES = Path(__file__).parent / "fixtures" / "cli"
CLEAN = FIXTURES / "clean.csv"  # 3 good rows
SOME_REJECTED = FIXTURES / "some_rejected.csv"  # 4 rows: line 3 bad category, line 4 bad time
EMPTY = FIXTURES / "empty.csv"  # 0 bytes: cannot be read at all
REPORT_KEYS = {"file", "format", "total", "accepted", "rejected", "problems", "notices"}


# --- validate -------------------------------------------------------------------------------


def test_validate_clean_file_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["validate", str(CLEAN)], capsys)
    assert code == 0
    assert "3 rows, 3 accepted, 0 rejected" in out
    assert "problems" not in out
    assert err == ""


def test_validate_lists_each_problem_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["validate", str(SOME_REJECTED)], capsys)
    assert code == 1
    assert "4 rows, 2 accepted, 2 rejected" in out
    assert "line 3, field category, value 'teleportation': unknown category" in out
    assert "line 4, field occurred_at, value 'yesterday': " in out


def test_validate_json_is_the_report_dict(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["validate", str(SOME_REJECTED), "--json"], capsys)
    report = json.loads(out)
    assert code == 1
    assert set(report) == REPORT_KEYS
    assert (report["total"], report["accepted"], report["rejected"]) == (4, 2, 2)
    assert report["format"] == "csv"
    assert {p["line"] for p in report["problems"]} == {3, 4}
    assert all(set(p) == {"line", "field", "value", "reason"} for p in report["problems"])
    assert all(set(n) == {"line", "field", "value", "message"} for n in report["notices"])


def test_validate_json_clean_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["validate", str(CLEAN), "--json"], capsys)
    assert code == 0
    assert json.loads(out)["problems"] == []


@pytest.mark.parametrize("path", [EMPTY, FIXTURES / "no_such_file.csv"])
def test_validate_unreadable_file_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    code, out, err = run_cli(["validate", str(path)], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and path.name in err
    assert "Traceback" not in err


def test_validate_json_unreadable_file_prints_the_error_as_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_cli(["validate", str(EMPTY), "--json"], capsys)
    assert code == 2
    printed = json.loads(out)
    assert printed["file"] == str(EMPTY)
    assert "empty" in printed["error"] and "empty" in err


def test_missing_arguments_exit_2_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["validate"], capsys)
    assert code == 2
    assert "FILE" in err and "Traceback" not in err


# --- enrich ---------------------------------------------------------------------------------


def test_enrich_csv_carries_derived_columns_and_utc_times(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_path = tmp_path / "enriched.csv"
    code, out, err = run_cli(["enrich", str(CLEAN), "-o", str(out_path)], capsys)
    rows = csv_rows(out_path)
    assert code == 0 and out == ""
    assert "3 rows, 3 accepted, 0 rejected" in err and "wrote 3" in err
    assert set(DERIVED_DTYPES) <= set(rows[0])
    assert rows[0]["occurred_at"] == "2025-12-03T14:05:00Z"
    assert all(row["occurred_at"].endswith("Z") for row in rows)
    by_id = {row["incident_id"]: row for row in rows}
    assert by_id["cli-1"]["between_complexes"] == "true"
    assert by_id["cli-3"]["region"] == "PE-TAC" and by_id["cli-3"]["side"] == "PE"
    assert by_id["cli-2"]["crossing"] == by_id["cli-2"]["nearest_crossing"]  # filled by enrich


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_enrich_writes_geojson_and_gpkg(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str
) -> None:
    out_path = tmp_path / f"enriched{suffix}"
    code, _, _ = run_cli(["enrich", str(CLEAN), "-o", str(out_path)], capsys)
    back = pyogrio.read_dataframe(out_path)
    assert code == 0
    assert len(back) == 3
    assert set(DERIVED_DTYPES) <= set(back.columns)
    assert back.crs.to_epsg() == 4326


def test_enrich_writes_accepted_rows_and_exits_1_when_some_rejected(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out_path = tmp_path / "enriched.csv"
    code, _, err = run_cli(["enrich", str(SOME_REJECTED), "-o", str(out_path)], capsys)
    assert code == 1
    assert "line 3, field category" in err
    assert [row["incident_id"] for row in csv_rows(out_path)] == ["cli-1", "cli-4"]


def test_enrich_refuses_unknown_output_suffix_before_reading(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_cli(["enrich", str(CLEAN), "-o", str(tmp_path / "out.xlsx")], capsys)
    assert code == 2
    assert "'.xlsx'" in err and err.count("\n") == 1
    assert not (tmp_path / "out.xlsx").exists()


def test_enrich_unreadable_input_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_cli(["enrich", str(EMPTY), "-o", str(tmp_path / "out.csv")], capsys)
    assert code == 2
    assert "empty" in err and "Traceback" not in err
    assert not (tmp_path / "out.csv").exists()


# --- demo -----------------------------------------------------------------------------------


def test_demo_writes_synthetic_rows(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_path = tmp_path / "demo.csv"
    code, _, err = run_cli(["demo", "--n", "50", "--seed", "3", "-o", str(out_path)], capsys)
    rows = csv_rows(out_path)
    assert code == 0 and "SYNTHETIC" in err
    assert len(rows) == 50
    assert {row["synthetic"] for row in rows} == {"true"}
    assert {row["source"] for row in rows} == {"SYNTHETIC DEMO (hito demo --seed 3)"}


def test_demo_gpkg(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_path = tmp_path / "demo.gpkg"
    assert run_cli(["demo", "--n", "20", "-o", str(out_path)], capsys)[0] == 0
    assert len(pyogrio.read_dataframe(out_path, layer="incidents")) == 20


def test_demo_refuses_negative_size(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(["demo", "--n", "-5", "-o", str(tmp_path / "d.csv")], capsys)
    assert code == 2
    assert "must be 0 or more" in err


# --- the installed console script -------------------------------------------------------------


def test_installed_console_script_runs() -> None:
    script = Path(sys.executable).parent / "hito"
    assert script.is_file(), f"console script not installed at {script} (pip install -e .)"
    done = subprocess.run(
        [str(script), "validate", str(SOME_REJECTED), "--json"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["rejected"] == 2


def test_validate_text_names_the_geojson_feature(capsys: pytest.CaptureFixture[str]) -> None:
    minified = Path(__file__).parent / "fixtures" / "ingest" / "minified.geojson"
    code, out, _ = run_cli(["validate", str(minified)], capsys)
    assert code == 1
    assert "line 1, feature 2, field category, value 'riot'" in out
