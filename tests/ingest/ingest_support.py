"""Helpers for the ingest tests: read a fixture, find the problems and notices of a line."""

from __future__ import annotations

from pathlib import Path

from geo.ingest import IngestResult, Notice, Problem, read_incidents
from geo.layers import Layers

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"


def read_fixture(name: str, layers: Layers) -> IngestResult:
    """Read tests/fixtures/ingest/<name> with the bundled layers."""
    return read_incidents(FIXTURES / name, layers=layers)


def problems_on(result: IngestResult, line: int) -> list[Problem]:
    """Return the problems reported for one file line."""
    return [problem for problem in result.report.problems if problem.line == line]


def only_problem(result: IngestResult, line: int) -> Problem:
    """Return the single problem of a line (fails when there are none or several)."""
    problems = problems_on(result, line)
    assert len(problems) == 1, problems
    return problems[0]


def notices_with(result: IngestResult, text: str) -> list[Notice]:
    """Return the notices whose message contains `text`."""
    return [notice for notice in result.report.notices if text in notice.message]


def ids(result: IngestResult) -> list[str]:
    """Return the accepted incident ids in file order."""
    return result.incidents["incident_id"].tolist()
