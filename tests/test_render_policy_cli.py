"""`hito snapshot` follows the render policy: points up to $HITO_MAP_POINTS_MAX, H3 hexagons
above it, in the HTML map and the static pictures alike; the public's never finer than 1 km."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_run import run_cli

from geo.cli_outputs import role_policy

# cli-1 2025-12-03 at Chacalluta (CL), 40 people; cli-2 2025-12-04 near Santa Rosa (PE),
# 3 people; cli-3 2026-01-15 in Tacna (PE), no people count.
CLEAN = Path(__file__).parent / "fixtures" / "cli" / "clean.csv"

# The coordinates of cli-1 and cli-2 in clean.csv, as a map payload writes them (5 decimals).
CLEAN_POINTS = ("-70.314", "-18.312", "-70.3135", "-18.309")


def test_html_snapshot_draws_points_under_the_threshold_and_cells_over_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = {}
    for points_max in ("3", "2"):  # clean.csv holds 3 incidents
        monkeypatch.setenv("HITO_MAP_POINTS_MAX", points_max)
        page = tmp_path / f"map-{points_max}.html"
        argv = ["snapshot", "--role", "analyst", "--input", str(CLEAN), "--lang", "en",
                "-o", str(page)]  # fmt: skip
        code, _, _ = run_cli(argv, capsys)
        assert code == 0
        pages[points_max] = page.read_text(encoding="utf-8")
    points, cells = pages["3"], pages["2"]
    assert all(f"{value}," in points or f"{value}]" in points for value in CLEAN_POINTS)
    assert "Incidents per hexagon" not in points and "markerClusterGroup" in points
    assert "Incidents per hexagon" in cells and '"incidents_text"' in cells
    assert not [value for value in CLEAN_POINTS if f"{value}," in cells or f"{value}]" in cells]
    assert "markerClusterGroup" not in cells  # no marker of any incident


def test_static_snapshot_draws_hexagons_over_the_threshold_with_a_class_legend(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HITO_MAP_POINTS_MAX", "2")
    out = tmp_path / "map.svg"
    argv = ["snapshot", "--role", "analyst", "--input", str(CLEAN), "--lang", "en",
            "-o", str(out)]  # fmt: skip
    code, _, _ = run_cli(argv, capsys)
    svg = out.read_text(encoding="utf-8")
    assert code == 0
    assert "Incidents, aggregated" in svg and "Hexagon: edge ≈ " in svg
    assert "Incidents (points)" not in svg and "Stranded group" not in svg
    monkeypatch.delenv("HITO_MAP_POINTS_MAX")
    run_cli(argv, capsys)
    svg = out.read_text(encoding="utf-8")
    assert "Incidents (points)" in svg and "Stranded group" in svg


def test_the_public_s_hexagons_are_no_finer_than_its_privacy_cell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HITO_MAP_POINTS_MAX", raising=False)
    monkeypatch.delenv("HITO_PUBLIC_CELL_M", raising=False)
    assert role_policy("analyst").finest_resolution == 9
    assert role_policy("public").finest_resolution == 7  # edge ≈ 1,406 m ≥ the 1 km cell
    monkeypatch.setenv("HITO_MAP_POINTS_MAX", "50")
    assert role_policy("public").points_max == 50


def test_a_bad_points_threshold_exits_2_naming_the_variable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HITO_MAP_POINTS_MAX", "lots")
    out = tmp_path / "map.png"
    code, _, err = run_cli(
        ["snapshot", "--role", "analyst", "--input", str(CLEAN), "-o", str(out)], capsys
    )
    assert code == 2
    assert "HITO_MAP_POINTS_MAX='lots': not a whole number" in err and err.count("\n") == 1
    assert not out.exists()
