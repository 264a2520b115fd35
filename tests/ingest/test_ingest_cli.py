"""Every ingest fixture through `hito validate --json`: problems well formed, rows add up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ingest_support import FIXTURES

from geo.cli import main
from geo.ingest import IngestError, read_incidents
from geo.layers import Layers

ALL_FIXTURES = sorted(path.name for path in FIXTURES.iterdir() if path.is_file())


def _readable(path: Path, layers: Layers) -> bool:
    try:
        read_incidents(path, layers=layers)
    except IngestError:
        return False
    return True


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_validate_json_over_every_fixture(
    name: str, layers: Layers, capsys: pytest.CaptureFixture[str]
) -> None:
    path = FIXTURES / name
    readable = _readable(path, layers)
    code = main(["validate", str(path), "--json"])
    out, err = capsys.readouterr()
    if not readable:
        assert code == 2
        assert name in out + err  # the message names the file (stderr, or JSON with --json)
        return
    report = json.loads(out)
    assert report["total"] == report["accepted"] + report["rejected"]
    assert code == (1 if report["rejected"] else 0)
    for problem in report["problems"]:
        assert isinstance(problem["line"], int) and problem["line"] >= 1
        assert isinstance(problem["field"], str) and problem["field"]
        assert isinstance(problem["reason"], str) and problem["reason"]
        assert ("feature" in problem) == (report["format"] == "geojson")
    rows = {(p["line"], p.get("feature")) for p in report["problems"]}
    assert len(rows) == report["rejected"]


def test_fixture_set_has_rejections_and_unreadable_files(layers: Layers) -> None:
    readable = [name for name in ALL_FIXTURES if _readable(FIXTURES / name, layers)]
    rejected = [
        name for name in readable if read_incidents(FIXTURES / name, layers=layers).report.rejected
    ]
    assert len(rejected) >= 20
    unreadable = set(ALL_FIXTURES) - set(readable)
    assert unreadable == {
        "empty.csv",
        "header_only.csv",
        "png_renamed.csv",
        "invalid_json.geojson",
        "single_feature.geojson",
        "missing_columns.csv",
    }
