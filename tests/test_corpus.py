"""Hostile and broken files: each gives a clear error or a full report, and no traceback.

tests/corpus/ holds the small files; tests/corpus/make_big.py writes the big ones into a
temporary folder. tests/corpus/read_corpus.py reads every file in a subprocess (stopped after
CORPUS_TIMEOUT_S, so a hang fails the test instead of stalling the suite) with
geo.ingest.read_incidents and with the upload path (dashboard.upload_view.ingest_upload).
tests/corpus/README.md lists every file and its expected outcome (EXPECTED below).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from corpus.make_big import BIG_FILES, write_big_files

from geo.exports import FORMULA_PREFIXES, neutralise_formulas
from geo.ingest import read_incidents
from geo.layers import Layers

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "corpus"
WORKER = CORPUS / "read_corpus.py"
NOT_CORPUS = {"README.md", "make_big.py", "read_corpus.py", ".gitattributes"}
CORPUS_TIMEOUT_S = 600  # for every file together; a few seconds when nothing hangs
UPLOAD_OVER_SIZE = "48.1 MB is over the 20 MB upload limit"  # big_50mb.csv in the upload
PAYLOADS = (
    "<img src=x onerror=alert(1)>", "${alert(1)}", "`+alert(1)+`",
    "</script><script>alert(1)</script>",
)  # fmt: skip


@dataclass(frozen=True)
class Expect:
    """What a corpus file is and what reading it gives: an error (fragment) or row counts."""

    what: str
    error: str | None = None
    total: int | None = None
    accepted: int | None = None

    def outcome(self) -> str:
        """Return the outcome as tests/corpus/README.md writes it."""
        if self.error is not None:
            return f"error: {self.error}"
        return f"report: {self.total:,} rows, {self.accepted:,} accepted"


def _error(what: str, fragment: str) -> Expect:
    return Expect(what, error=fragment)


def _report(what: str, total: int, accepted: int) -> Expect:
    return Expect(what, total=total, accepted=accepted)


EXPECTED: dict[str, Expect] = {
    # Encodings
    "utf16le_bom.csv": _report("UTF-16 LE with byte-order mark, accents", 2, 2),
    "utf16be_bom.csv": _report("UTF-16 BE with byte-order mark, accents", 2, 2),
    "utf16le_no_bom.csv": _error("UTF-16 LE without byte-order mark", "looks like binary data"),
    "utf8_bom.csv": _report("UTF-8 with byte-order mark", 2, 2),
    "latin1.csv": _report("Latin-1 (ñ, é), read with a notice", 2, 2),
    "cp1252_smart_quotes.csv": _report("Windows-1252 smart quotes and dash", 1, 1),
    "mixed_utf8_latin1.csv": _report("UTF-8 with one Latin-1 line: that row rejected", 3, 2),
    "bom_only.csv": _error("only a UTF-8 byte-order mark", "missing required columns"),
    "high_bytes_no_nul.csv": _error("4 kB of bytes 0x80-0xFF", "missing required columns"),
    # Structure
    "empty.csv": _error("0 bytes", "is empty"),
    "whitespace_only.csv": _error("spaces, tabs and line ends", "is empty"),
    "header_only.csv": _error("a header and no row", "has a header but no rows"),
    "crlf.csv": _report("CRLF line ends", 2, 2),
    "cr_only.csv": _report("lone CR line ends (old Mac)", 2, 2),
    "wrong_field_counts.csv": _report("rows with 3 and 12 fields of 10", 4, 2),
    "duplicate_ids.csv": _report("one id on two rows: both rejected", 3, 1),
    "excel_sep_line.csv": _report('Excel "sep=;" first line', 1, 1),
    "html_page.csv": _error("an HTML page with a script", "looks like HTML or XML"),
    # Hostile text
    "formula_injection.csv": _report(
        "cells and a column name starting with = + - @ tab CR: kept verbatim, a formula "
        "category rejected", 5, 4,
    ),
    "script_payloads.csv": _report(
        "script payloads in source, description, category; javascript: source URL", 5, 4
    ),
    "unicode_tricks.csv": _report(
        "RTL override, zero-width space, emoji, full-width and NBSP category", 3, 3
    ),
    "nul_bytes.csv": _error("a NUL byte in the first 8 kB", "looks like binary data"),
    "nul_after_8k.csv": _error(
        "a NUL byte after 8 kB", "line 121: holds a NUL byte (U+0000)"
    ),
    "nul_escape.geojson": _error(
        "a \\u0000 escape in a description", "line 10: a text holds the NUL character"
    ),
    "escaped_backslash_u0000.geojson": _report('the text "\\u0000" (an escaped backslash)', 1, 1),
    # Numbers
    "nonfinite_coordinates.csv": _report("nan, inf, -inf, 1e309, Infinity coordinates", 7, 2),
    "nonfinite_coordinates.geojson": _report(
        "NaN, Infinity, 1e309 coordinates; 1e999999999 people", 5, 1
    ),
    "huge_people_count.csv": _report("a 400-digit and a 1e309 people count", 3, 1),
    # GeoJSON
    "invalid_geometries.geojson": _report(
        "null, Polygon, 1 or text coordinates, GeometryCollection, 3-D point, no properties, "
        "a string entry", 10, 2,
    ),
    "crs_projected.geojson": _report("crs member EPSG:32719, UTM coordinates", 2, 0),
    "projected_without_crs.geojson": _report("UTM coordinates without a crs member", 2, 1),
    "zero_features.geojson": _error("a FeatureCollection of 0 features", "has no features"),
    "single_feature_not_collection.geojson": _error(
        "one bare Feature", "is JSON of type 'Feature', not a GeoJSON FeatureCollection"
    ),
    "truncated.geojson": _error("cut off after 300 bytes", "not valid JSON at line 20, column 2"),
    "duplicate_ids.geojson": _report("one id on two features: both rejected", 3, 1),
    "duplicate_keys.geojson": _report(
        "a property named twice: the last wins, as in Python's json (see README)", 1, 1
    ),
    "nested_properties.geojson": _report("an unused property nested 9 deep", 1, 1),
    "utf8_bom.geojson": _report("GeoJSON with a UTF-8 byte-order mark", 1, 1),
    # Disguised binaries
    "zip_renamed.csv": _error("a ZIP archive named .csv", "looks like a ZIP archive"),
    "gzip_renamed.geojson": _error("gzip data named .geojson", "looks like a gzip-compressed file"),
    "png_renamed.csv": _error("a PNG image named .csv", "looks like a PNG image"),
    "binary_garbage.csv": _error("4 kB of random bytes", "looks like binary data"),
    # Big files (tests/corpus/make_big.py)
    "big_50mb.csv": _report(
        "50 MB, 416,666 rows, every 10,000th with a bad category", 416_666, 416_625
    ),
    "line_10mb.csv": _error(
        "a 10 MB line", "line 3: 10,000,068 bytes long, over the limit of 1,048,576 bytes per line"
    ),
    "million_columns.csv": _error(
        "a million columns in one line",
        "line 1: the header has 1,000,000 columns, over the limit of 500 columns",
    ),
    "long_field_600kb.csv": _report("a 600 kB quoted description", 2, 2),
    "long_field_600kb_multiline.csv": _error(
        "a 600 kB field and a quoted line break (the csv module reads it)",
        "cannot split the CSV: field larger than field limit (131072)",
    ),
    "deep_nesting.geojson": _error(
        "100,000 nested arrays as coordinates",
        "line 1: arrays and objects nested 100,004 deep, over the limit of 64 levels",
    ),
    "huge_number.geojson": _error(
        "a 100,000-digit people count", "line 1: a number with more than 4,300 digits"
    ),
}


def _committed_files() -> list[str]:
    return sorted(
        path.name for path in CORPUS.iterdir() if path.is_file() and path.name not in NOT_CORPUS
    )


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Run the worker over every corpus file; return file name -> its outcomes (or a hang)."""
    big = write_big_files(tmp_path_factory.mktemp("corpus-big"))
    paths = [str(CORPUS / name) for name in _committed_files()] + [str(p) for p in big.values()]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("HITO_MAX_ROWS", None)
    env.pop("HITO_PARSE_SECONDS", None)
    try:
        done = subprocess.run(
            [sys.executable, str(WORKER), *paths], capture_output=True, text=True, env=env,
            timeout=CORPUS_TIMEOUT_S, check=False, cwd=REPO,
        )  # fmt: skip
        stdout = done.stdout
    except subprocess.TimeoutExpired as expired:
        raw = expired.stdout or b""
        stdout = raw.decode() if isinstance(raw, bytes) else raw
    results: dict[str, dict[str, Any]] = {}
    for line in stdout.splitlines():
        entry = json.loads(line)
        if "start" in entry:
            results[entry["start"]] = {"hung": True}
        else:
            results[entry["file"]] = entry
    for entry in results.values():
        if "read_seconds" in entry:  # figures for the log, never asserted
            print(f"{entry['file']}: read {entry['read_seconds']} s, "
                  f"upload {entry['upload_seconds']} s")  # fmt: skip
    return results


def test_the_corpus_holds_at_least_30_files_each_with_an_expected_outcome() -> None:
    files = set(_committed_files()) | set(BIG_FILES)
    assert len(files) >= 30
    assert files == set(EXPECTED)


def test_the_readme_lists_every_file_with_its_expected_outcome() -> None:
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in readme.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = (cells[1], cells[2])
    expected = {name: (e.what, e.outcome().replace("|", "\\|")) for name, e in EXPECTED.items()}
    assert rows == expected


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reading_gives_a_clear_error_or_a_full_report(
    name: str, outcomes: dict[str, dict[str, Any]]
) -> None:
    entry = outcomes.get(name, {"missing": True})
    assert "hung" not in entry, f"{name}: no result within {CORPUS_TIMEOUT_S} s"
    assert "missing" not in entry, f"{name}: the worker never reached it"
    _assert_outcome(name, entry["read"], EXPECTED[name])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_upload_path_never_raises(name: str, outcomes: dict[str, dict[str, Any]]) -> None:
    entry = outcomes.get(name, {"hung": True})
    assert "hung" not in entry, f"{name}: no result within {CORPUS_TIMEOUT_S} s"
    upload = entry["upload"]
    if name == "big_50mb.csv":  # over the upload limit: refused before reading
        assert upload == {"kind": "error", "message": f"{name}: {UPLOAD_OVER_SIZE}"}
        return
    _assert_outcome(name, upload, EXPECTED[name])
    if upload["kind"] == "report":
        assert upload["rows"] == upload["report"]["accepted"]  # enriched, none lost


def _assert_outcome(name: str, outcome: dict[str, Any], expect: Expect) -> None:
    assert outcome["kind"] != "crash", outcome.get("traceback")
    if expect.error is not None:
        assert outcome["kind"] == "error", outcome
        assert outcome["message"].startswith(name) or f"/{name}" in outcome["message"]
        assert expect.error in outcome["message"]
        return
    assert outcome["kind"] == "report", outcome
    report = outcome["report"]
    assert (report["total"], report["accepted"]) == (expect.total, expect.accepted)
    assert report["accepted"] + report["rejected"] == report["total"]
    assert outcome["rows"] == report["accepted"]
    rejected_rows = {(p["line"], p.get("feature")) for p in report["problems"]}
    assert len(rejected_rows) == report["rejected"]
    for problem in report["problems"]:
        assert problem["line"] >= 1 and problem["field"] and problem["reason"], problem
        assert isinstance(problem["value"], str), problem


def test_formula_cells_are_kept_verbatim_and_neutralised_on_export(layers: Layers) -> None:
    result = read_incidents(CORPUS / "formula_injection.csv", layers=layers)
    # Ingest trims the white space around a text (the tab and CR): the rest stays as given.
    assert result.incidents["description"].tolist() == ["=1+1", "-2+3", "TAB=1", "=2+5"]
    assert result.incidents["source"].tolist()[:3] == [
        '=HYPERLINK("http://evil.example")', "+SUM(A1:A9)", "@SUM(A1)",
    ]  # fmt: skip
    for column in ("description", "source"):
        safe = neutralise_formulas(result.incidents[column].astype("string"))
        assert not safe.str.startswith(FORMULA_PREFIXES).any()


def test_script_payloads_are_kept_as_data(layers: Layers) -> None:
    result = read_incidents(CORPUS / "script_payloads.csv", layers=layers)
    assert result.incidents["description"].tolist() == list(PAYLOADS)
    assert result.incidents["source"].tolist() == list(PAYLOADS)
    assert result.incidents["source_url"].tolist() == ["javascript:alert(1)"] * 4
    (problem,) = result.report.problems
    assert (problem.line, problem.field, problem.value) == (6, "category", PAYLOADS[0])
