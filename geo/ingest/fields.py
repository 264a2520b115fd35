"""Read the plain incident fields: category, crossing, people count, nationalities, flags, text.

Each reader parses every distinct value once and spreads the results over the rows, so a
million rows with a few hundred distinct values cost a few hundred Python calls.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from geo.ingest.report import Problem
from geo.ingest.textcols import TextColumn, map_distinct, problems_at, quoted, trimmed
from geo.schema import CATEGORIES, normalise_category, normalise_nationality

WHOLE_NUMBER: Final = re.compile(r"^\+?(\d{1,12})(?:\.0*)?$")
NEGATIVE_NUMBER: Final = re.compile(r"^-\s*\d+(?:[.,]\d*)?$")
DECIMAL_NUMBER: Final = re.compile(r"^\+?\d*[.,]\d+$")
LIST_SEPARATORS: Final = re.compile(r"[;|,]")
TRUE_WORDS: Final = frozenset({"true", "yes", "si", "sí", "1", "verdadero"})
FALSE_WORDS: Final = frozenset({"false", "no", "0", "falso"})
TEXT_SAMPLE_ROWS: Final = 10_000  # rows looked at to tell repeated text from distinct text


@dataclass
class Field:
    """One field read for every row: values (numpy or pandas array) and the problems found."""

    values: np.ndarray | pd.api.extensions.ExtensionArray
    problems: list[Problem] = field(default_factory=list)


class Reason(str):
    """A parse failure, told apart from a successfully parsed string value."""


@dataclass
class Distinct:
    """Results of parsing each distinct value once: `results[codes[i]]` belongs to row i."""

    codes: np.ndarray  # -1 (missing cell) picks the last result: the value for empty cells
    results: list[object]

    def spread(self, per_result: Iterable[object], dtype: str | type = object) -> np.ndarray:
        """Return per-row values from one value per distinct result."""
        table = np.empty(len(self.results), dtype=dtype)
        for index, value in enumerate(per_result):
            table[index] = value
        return table[self.codes]

    def problems(self, cells: TextColumn, lines: np.ndarray, name: str) -> list[Problem]:
        """Return a Problem for each row whose result is a Reason."""
        failed = self.spread((isinstance(r, Reason) for r in self.results), dtype=bool)
        rows = np.flatnonzero(failed)
        reasons = [str(self.results[code]) for code in self.codes[rows].tolist()]
        return problems_at(rows, lines, name, quoted(cells, rows), reasons)


def read_distinct(cells: TextColumn, parse: Callable[[str], object], empty: object) -> Distinct:
    """Parse each distinct value once, trimmed; `empty` is the result for blank or missing cells."""

    def parse_trimmed(value: str) -> object:
        text = value.strip()
        return parse(text) if text else empty

    codes, results = map_distinct(cells, parse_trimmed)
    return Distinct(codes, [*results, empty])


# --- category ----------------------------------------------------------------------------------


def read_categories(cells: TextColumn, lines: np.ndarray, name: str) -> Field:
    """Map categories and declared aliases onto the vocabulary; anything else is rejected."""

    def parse(value: str) -> str | Reason:
        category = normalise_category(value)
        if category is None:
            return Reason(f"unknown category (expected one of {', '.join(CATEGORIES)} or an alias)")
        return category

    distinct = read_distinct(cells, parse, Reason("empty: a category is required"))
    values = distinct.spread(None if isinstance(r, Reason) else r for r in distinct.results)
    return Field(values, distinct.problems(cells, lines, name))


# --- crossing ----------------------------------------------------------------------------------


def crossing_key(text: str) -> str:
    """Return a crossing id or name folded for matching (case, accents, dashes ignored)."""
    folded = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(char for char in folded if not unicodedata.combining(char))
    return " ".join(plain.replace("-", " ").replace("_", " ").split())


def read_crossings(
    cells: TextColumn, lines: np.ndarray, name: str, known: Iterable[tuple[str, str]]
) -> Field:
    """Map crossing ids or names onto crossing ids; missing = null, unknown = rejected.

    `known` holds (id, name) pairs from the crossings layer.
    """
    pairs = list(known)
    by_key = {
        crossing_key(text): crossing_id
        for crossing_id, title in pairs
        for text in (crossing_id, title)
    }
    listed = ", ".join(crossing_id for crossing_id, _ in pairs)

    def parse(value: str) -> str | Reason:
        return by_key.get(crossing_key(value)) or Reason(f"unknown crossing (known: {listed})")

    distinct = read_distinct(cells, parse, None)
    values = distinct.spread(None if isinstance(r, Reason) else r for r in distinct.results)
    return Field(values, distinct.problems(cells, lines, name))


# --- people count ------------------------------------------------------------------------------


def parse_count(value: str) -> int | Reason:
    """Return a whole number ≥ 0 from text ("12", "12.0"), or the reason it is not one."""
    whole = WHOLE_NUMBER.match(value)
    if whole:
        return int(whole.group(1))
    if NEGATIVE_NUMBER.match(value):
        return Reason("negative: a count of people must be 0 or more")
    if DECIMAL_NUMBER.match(value):
        return Reason("not a whole number of people")
    return Reason("not a number: write the count of people in digits (e.g. 12)")


def read_counts(cells: TextColumn, lines: np.ndarray, name: str) -> Field:
    """Read whole numbers ≥ 0 into an Int64 array (missing = <NA>)."""
    distinct = read_distinct(cells, parse_count, None)
    is_number = [type(r) is int for r in distinct.results]
    numbers = distinct.spread(
        (r if ok else 0 for r, ok in zip(distinct.results, is_number, strict=True)), "int64"
    )
    mask = ~distinct.spread(is_number, dtype=bool)
    return Field(pd.arrays.IntegerArray(numbers, mask), distinct.problems(cells, lines, name))


# --- nationalities -----------------------------------------------------------------------------


def parse_nationalities(value: str) -> list[str] | Reason:
    """Return ISO 3166-1 alpha-3 codes from codes or names separated by ; | or ,."""
    codes: list[str] = []
    for token in (part.strip() for part in LIST_SEPARATORS.split(value)):
        if not token:
            continue
        code = normalise_nationality(token)
        if code is None:
            return Reason(f"unknown nationality {token!r} (use ISO 3166-1 alpha-3 codes like VEN)")
        if code not in codes:
            codes.append(code)
    return codes


def read_nationalities(cells: TextColumn, lines: np.ndarray, name: str) -> Field:
    """Read nationality lists; rows with the same cell share one list object (copy to mutate)."""
    distinct = read_distinct(cells, parse_nationalities, [])
    values = distinct.spread([] if isinstance(r, Reason) else r for r in distinct.results)
    return Field(values, distinct.problems(cells, lines, name))


# --- yes/no flags and free text ----------------------------------------------------------------


def parse_flag(value: str) -> bool | Reason:
    """Return True/False from true/false, yes/no, sí/no, 1/0 (any case), else the reason."""
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return Reason("not a yes/no value (use true/false, yes/no, sí/no or 1/0)")


def read_flags(cells: TextColumn | None, lines: np.ndarray, name: str) -> Field:
    """Read a yes/no column into a boolean array (missing cell or column = False)."""
    if cells is None:
        return Field(pd.array(np.zeros(len(lines), dtype=bool), dtype="boolean"))
    distinct = read_distinct(cells, parse_flag, False)
    flags = distinct.spread((r is True for r in distinct.results), dtype=bool)
    return Field(pd.array(flags, dtype="boolean"), distinct.problems(cells, lines, name))


def read_text(cells: TextColumn | None, size: int) -> Field:
    """Return free text trimmed, as a pandas string array (blank or missing = <NA>)."""
    if cells is None:
        return Field(pd.array([pd.NA] * size, dtype="string"))
    sample = cells.slice(0, TEXT_SAMPLE_ROWS)
    if len(pc.unique(sample)) * 4 > len(sample):  # mostly distinct: trim in pyarrow
        return Field(pd.StringDtype().__from_arrow__(trimmed(cells)))
    codes, texts = map_distinct(cells, lambda value: value.strip() or None)
    return Field(pd.array(np.array([*texts, None], dtype=object)[codes], dtype="string"))
