"""Test helpers for the `hito` command line: run it in-process, read the CSV it wrote."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from geo.cli import main


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `hito argv…`; return its exit code, standard output and standard error."""
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def csv_rows(path: Path) -> list[dict[str, str]]:
    """Return the rows of a CSV file as dicts keyed by its header."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
