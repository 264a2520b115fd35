"""Tests for `hito snapshot` and `hito export`: filters, formats, file names, errors."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from cli_run import csv_rows, run_cli
from PIL import Image

from geo import snapshot
from geo.cli_outputs import map_view
from geo.cli_views import PICTURE_FORMATS, attach_bbox_value
from geo.exports import ANALYST_EXPORT_COLUMNS

FIXTURES = Path(__file__).parent / "fixtures" / "cli"
# cli-1 2025-12-03 at Chacalluta (CL), 40 people; cli-2 2025-12-04 near Santa Rosa (PE),
# 3 people; cli-3 2026-01-15 in Tacna (PE), no people count.
CLEAN = FIXTURES / "clean.csv"
SOME_REJECTED = FIXTURES / "some_rejected.csv"  # 4 rows, 2 rejected (lines 3 and 4)
UNIQUE_NAME = re.compile(r"hito-(incidents|map)-\d{8}T\d{6}Z-[0-9a-f]{8}\.[a-z]+")
# Colours the static snapshot must show: the CL and PE region fills of geo.maps_folium.
REGION_FILL_RGB = {"CL": (31, 119, 180), "PE": (214, 39, 40)}


# --- export ---------------------------------------------------------------------------------


def test_export_csv_applies_the_date_window_and_prints_what_it_wrote(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "december.csv"
    argv = [
        "export",
        "--role",
        "analyst",
        "--input",
        str(CLEAN),
        "--to",
        "2025-12-31",
        "-o",
        str(out),
    ]
    code, stdout, err = run_cli(argv, capsys)
    rows = csv_rows(out)
    assert code == 0 and stdout == ""
    assert [row["incident_id"] for row in rows] == ["cli-1", "cli-2"]
    assert {"description", "source_url"} <= set(rows[0])  # --role analyst: full records
    size = out.stat().st_size
    assert err == (
        f"wrote {out}: 2 incidents, 43 people (0 incidents without a count), {size} bytes, "
        "includes SYNTHETIC rows\n"
    )


def test_export_geojson_keeps_one_side(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "peru.geojson"
    code, _, err = run_cli(
        ["export", "--role", "analyst", "--input", str(CLEAN), "--side", "PE", "-o", str(out)],
        capsys,
    )
    back = gpd.read_file(out)
    assert code == 0
    assert back["incident_id"].tolist() == ["cli-2", "cli-3"]
    assert set(back["side"]) == {"PE"} and set(back["region"]) == {"PE-TAC"}
    assert "2 incidents, 3 people (1 incident without a count)" in err


def test_export_gpkg_of_the_demo_data_by_category(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "detentions.gpkg"
    code, _, err = run_cli(
        ["export", "--role", "analyst", "--category", "detention", "-o", str(out)], capsys
    )
    back = gpd.read_file(out)
    assert code == 0
    assert len(back) > 10 and set(back["category"]) == {"detention"}
    assert set(back.columns) == {*ANALYST_EXPORT_COLUMNS, "geometry"}
    assert back["synthetic"].all()
    assert f"wrote {out}: {len(back)} incidents" in err and "includes SYNTHETIC rows" in err


def test_export_bbox_with_negative_numbers_after_a_space(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "box.csv"
    box = "-70.32,-18.32,-70.30,-18.30"  # around cli-1 and cli-2, not Tacna's cli-3
    code, _, _ = run_cli(
        ["export", "--role", "analyst", "--input", str(CLEAN), "--bbox", box, "-o", str(out)],
        capsys,
    )
    assert code == 0
    assert [row["incident_id"] for row in csv_rows(out)] == ["cli-1", "cli-2"]
    assert attach_bbox_value(["--bbox", box, "-o", "x"]) == [f"--bbox={box}", "-o", "x"]
    assert attach_bbox_value(["--bbox", "-o", "x"]) == ["--bbox", "-o", "x"]


def test_export_into_a_folder_gets_unique_names(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    first = run_cli(
        [
            "export",
            "--role",
            "analyst",
            "--input",
            str(CLEAN),
            "--format",
            "csv",
            "-o",
            str(tmp_path),
        ],
        capsys,
    )
    argv = [
        "export",
        "--role",
        "analyst",
        "--input",
        str(CLEAN),
        "--side",
        "CL",
        "--format",
        "csv",
        "-o",
        str(tmp_path),
    ]
    second = run_cli(argv, capsys)
    names = sorted(path.name for path in tmp_path.iterdir())
    assert (first[0], second[0]) == (0, 0)
    assert len(names) == 2 and all(UNIQUE_NAME.fullmatch(name) for name in names)
    assert all(name.startswith("hito-incidents-") for name in names)


def test_rejected_rows_are_reported_and_the_rest_exported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "accepted.csv"
    code, _, err = run_cli(
        ["export", "--role", "analyst", "--input", str(SOME_REJECTED), "-o", str(out)], capsys
    )
    assert code == 1  # written, but some input rows were rejected (as `hito enrich`)
    assert [row["incident_id"] for row in csv_rows(out)] == ["cli-1", "cli-4"]
    assert f"{SOME_REJECTED}: 2 of 4 rows rejected; using the 2 accepted rows" in err
    assert f"run `hito validate {SOME_REJECTED}`" in err


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--from", "2025-13-01"], "--from: '2025-13-01' is not a date (YYYY-MM-DD)"),
        (["--to", "soon"], "--to: 'soon' is not a date (YYYY-MM-DD)"),
        (["--from", "2026-01-02", "--to", "2026-01-01"], "--from 2026-01-02 is after --to 2026-"),
        (["--tz", "America/Arica"], "--tz: 'America/Arica' is not one of America/Santiago, "),
        (["--crossing", "chacalluta", "colchane"], "--crossing: 'colchane' is not one of chac"),
        (["--category", "teleportation"], "--category: 'teleportation' is not one of stranded_"),
        (["--region", "CL-TA"], "--region: 'CL-TA' is not one of "),
        (["--side", "BO"], "--side: 'BO' is not one of CL, PE"),
        (["--bbox", "1,2,3"], "--bbox: '1,2,3' is not four numbers minx,miny,maxx,maxy"),
        (["--bbox", "-70,-18,-71,-17"], "--bbox: '-70,-18,-71,-17' is not a lon/lat box"),
        (["--format", "xlsx"], "--format: 'xlsx' is not one of csv, geojson, gpkg"),
        (["--format", "gpkg"], "--format gpkg does not match -o "),
    ],
)
def test_bad_options_exit_2_with_one_line_naming_option_and_value(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, options: list[str], message: str
) -> None:
    out = tmp_path / "out.csv"
    code, stdout, err = run_cli(["export", "--role", "analyst", *options, "-o", str(out)], capsys)
    assert code == 2 and stdout == ""
    assert err.startswith(f"hito export: {message}")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["export", "--role", "analyst", "-o", "{tmp}/out.txt"],
            "suffix .txt is not one of .csv, .geojson, .gpkg",
        ),
        (
            ["export", "--role", "analyst", "-o", "{tmp}"],
            "is a folder: give --format (csv|geojson|gpkg)",
        ),
        (
            ["export", "--role", "analyst", "-o", "{tmp}/missing/out.csv"],
            "output folder {tmp}/missing does not exist",
        ),
        (
            ["snapshot", "--role", "analyst", "-o", "{tmp}/map.csv"],
            "suffix .csv is not one of .png, .pdf, .svg, .html",
        ),
        (
            ["snapshot", "--role", "analyst", "--width", "wide", "-o", "{tmp}/m.png"],
            "--width: 'wide' is not a whole",
        ),
        (
            ["snapshot", "--role", "analyst", "--dpi", "5000", "-o", "{tmp}/m.png"],
            "--dpi: 5000 is not from 50 to 600",
        ),
        (
            ["snapshot", "--role", "analyst", "--lang", "fr", "-o", "{tmp}/m.png"],
            "--lang: 'fr' is not one of es, en",
        ),
        (
            ["snapshot", "--role", "analyst", "--input", "{tmp}/none.csv", "-o", "{tmp}/m.png"],
            "none.csv: file not f",
        ),
    ],
)
def test_bad_outputs_and_pictures_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], message: str
) -> None:
    code, _, err = run_cli([arg.format(tmp=tmp_path) for arg in argv], capsys)
    assert code == 2
    assert message.format(tmp=tmp_path) in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


# --- snapshot -------------------------------------------------------------------------------


def test_snapshot_png_has_the_size_asked_and_the_region_colours(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "map.png"
    argv = ["snapshot", "--role", "analyst", "--width", "800", "--height", "600", "-o", str(out)]
    code, _, err = run_cli(argv, capsys)
    image = np.asarray(Image.open(out).convert("RGB")).astype(int)
    assert code == 0 and image.shape == (600, 800, 3)
    assert image.std() > 20  # not blank
    colours = {tuple(c) for c in image.reshape(-1, 3)[::7].tolist()}
    for rgb in REGION_FILL_RGB.values():  # the fills are translucent: look for the hue nearby
        assert any(_tinted_with(colour, rgb) for colour in colours)
    assert not any(_tinted_with(colour, (0, 200, 0)) for colour in colours)  # no pure green
    assert f"wrote {out}: 5000 incidents" in err


def test_snapshot_png_default_size_is_1600_by_1200(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "map.png"
    code, _, _ = run_cli(
        ["snapshot", "--role", "analyst", "--category", "protest", "-o", str(out)], capsys
    )
    assert code == 0 and Image.open(out).size == (1600, 1200)


def test_snapshot_svg_carries_caption_filter_and_legend(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "map.svg"
    argv = ["snapshot", "--role", "analyst", "--lang", "en", "--from", "2025-12-01",
            "--to", "2025-12-31", "--crossing", "chacalluta", "-o", str(out)]  # fmt: skip
    code, _, _ = run_cli(argv, capsys)
    svg = out.read_text(encoding="utf-8")
    assert code == 0
    assert "SYNTHETIC DATA" in svg and "Dec 2025" in svg and "(America/Santiago)" in svg
    assert "Chacalluta" in svg and "Legend" in svg and "Detention" in svg


def test_snapshot_pdf_and_html_into_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pdf = tmp_path / "map.pdf"
    page = tmp_path / "map.html"
    pdf_code, _, _ = run_cli(
        ["snapshot", "--role", "analyst", "--dpi", "300", "-o", str(pdf)], capsys
    )
    argv = ["snapshot", "--role", "analyst", "--input", str(CLEAN), "--lang", "en", "-o", str(page)]
    html_code, _, err = run_cli(argv, capsys)
    text = page.read_text(encoding="utf-8")
    assert (pdf_code, html_code) == (0, 0)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "Source: clean.csv." in text and "3 incidents · 43 people" in text
    assert not re.search(r"<script[^>]*\bsrc=|<link\b", text)
    assert f"wrote {page}: 3 incidents, 43 people (1 incident without a count)" in err


def test_snapshot_into_a_folder_gets_a_unique_map_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, _ = run_cli(
        ["snapshot", "--role", "analyst", "--format", "html", "-o", str(tmp_path)], capsys
    )
    (name,) = [path.name for path in tmp_path.iterdir()]
    assert code == 0 and UNIQUE_NAME.fullmatch(name) and name.startswith("hito-map-")


def test_picture_formats_are_geo_snapshots() -> None:
    assert PICTURE_FORMATS == snapshot.SNAPSHOT_FORMATS


def test_map_view_fits_the_box_at_the_largest_zoom() -> None:
    box = (-70.5, -18.5, -70.1, -18.1)  # 0.4° square near Arica
    (lat, lon), zoom = map_view(box, 1600, 1200)
    assert (lat, lon) == pytest.approx((-18.3, -70.3))
    # At zoom z the world is 256·2^z px wide. 0.4° of longitude fills 1600 px at z = 12.46;
    # 0.4° of latitude here spans 0.007353 rad of Mercator y, filling 1200 px at z = 11.97.
    assert zoom == 11
    assert map_view(box, 10_000, 10_000)[1] == 15  # z = 15.10 across, 15.03 down
    assert map_view((-180.0, -80.0, 180.0, 80.0), 800, 600)[1] == 5  # the map's minimum zoom


def _tinted_with(colour: tuple[int, ...], rgb: tuple[int, int, int]) -> bool:
    """Tell whether `colour` is `rgb` laid translucently over a light background."""
    for alpha in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7):
        for background in (255, 243):
            mixed = [alpha * c + (1 - alpha) * background for c in rgb]
            if all(abs(a - b) <= 6 for a, b in zip(colour, mixed, strict=True)):
                return True
    return False


@pytest.mark.parametrize("day", ["20251201", "2025-W49-1", "2025-12-1"])
def test_dates_must_be_written_yyyy_mm_dd(
    day: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_cli(
        ["export", "--role", "analyst", "--from", day, "-o", str(tmp_path / "x.csv")], capsys
    )
    assert code == 2
    assert f"--from: '{day}' is not a date (YYYY-MM-DD)" in err


def test_exports_are_public_by_default_and_pass_the_privacy_gate(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "public.csv"
    code, _, err = run_cli(["export", "--to", "2025-12-31", "-o", str(out)], capsys)  # store
    assert code == 0
    assert "privacy gate (public):" in err and "rows withheld" in err
    rows = csv_rows(out)
    assert rows and not {"incident_id", "description", "source_url"} & set(rows[0])
    analyst = tmp_path / "analyst.csv"
    run_cli(["export", "--role", "analyst", "--to", "2025-12-31", "-o", str(analyst)], capsys)
    full = csv_rows(analyst)
    assert len(full) > len(rows)  # the public gets the groups of at least k reports only
    exact = {(row["lat"], row["lon"]) for row in full}
    assert not exact & {(row["lat"], row["lon"]) for row in rows}  # no input coordinate
