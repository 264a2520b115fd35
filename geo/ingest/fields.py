"""Read the plain incident fields: category, crossing, people count, nationalities, flags, text.

Each reader parses every distinct value once and spreads the results over the rows, so a
million rows with a few hundred distinct values cost a few hundred Python calls.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.ingest.gc_pause import paused_garbage_collection
from geo.ingest.report import Notice, Problem
from geo.ingest.textcols import TextColumn, map_distinct, problems_at, quoted, trimmed
from geo.schema import (
    CATEGORIES,
    UNKNOWN_NATIONALITY,
    UNLISTED_NATIONALITIES,
    fold_text,
    normalise_category,
    normalise_nationality,
)

WHOLE_NUMBER: Final = re.compile(r"^\+?(\d{1,12})$")
THOUSANDS: Final = re.compile(r"^\+?\d{1,3}(?:([.,  \u202f])\d{3})(?:\1\d{3})*$")
NEGATIVE_NUMBER: Final = re.compile(r"^-\s*\d+(?:[.,]\d*)?$")
DECIMAL_NUMBER: Final = re.compile(r"^\+?\d*[.,]\d+$")
LIST_SEPARATORS: Final = re.compile(r"[;|,]")
TRUE_WORDS: Final = frozenset({"true", "yes", "si", "1", "verdadero"})  # folded: "Sí" is "si"
FALSE_WORDS: Final = frozenset({"false", "no", "0", "falso"})
TEXT_SAMPLE_ROWS: Final = 10_000  # rows looked at to tell repeated text from distinct text


@dataclass
class Field:
    """One field read for every row: values (numpy or pandas array), problems and notices.

    `hash_text`, when set, makes the field's text for stable ids (a pyarrow text column,
    null = missing, lists joined by ";") only when ids are made; otherwise ids.stable_ids
    derives it from `values`.
    """

    values: np.ndarray | pd.api.extensions.ExtensionArray
    problems: list[Problem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    hash_text: Callable[[], pa.Array | pa.ChunkedArray] | None = None


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

    def texts(self, per_result: Iterable[str | None]) -> pa.Array:
        """Return a pyarrow text column from one text (or None) per distinct result."""
        dictionary = pa.array(list(per_result), type=pa.string())
        indices = np.where(self.codes < 0, len(self.results) - 1, self.codes).astype("int32")
        return pa.DictionaryArray.from_arrays(indices, dictionary).dictionary_decode()

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
    categories = [None if isinstance(r, Reason) else str(r) for r in distinct.results]
    values = distinct.spread(categories)
    problems = distinct.problems(cells, lines, name)
    return Field(values, problems, hash_text=partial(distinct.texts, categories))


# --- crossing ----------------------------------------------------------------------------------


def read_crossings(
    cells: TextColumn, lines: np.ndarray, name: str, known: Iterable[tuple[str, str]]
) -> Field:
    """Map crossing ids or names onto crossing ids; missing = null, unknown = rejected.

    `known` holds (id, name) pairs from the crossings layer.
    """
    pairs = list(known)
    by_key = {
        fold_text(text): crossing_id
        for crossing_id, title in pairs
        for text in (crossing_id, title)
    }
    listed = ", ".join(crossing_id for crossing_id, _ in pairs)

    def parse(value: str) -> str | Reason:
        return by_key.get(fold_text(value)) or Reason(f"unknown crossing (known: {listed})")

    distinct = read_distinct(cells, parse, None)
    crossings = [None if isinstance(r, Reason) or r is None else str(r) for r in distinct.results]
    values = distinct.spread(crossings)
    problems = distinct.problems(cells, lines, name)
    return Field(values, problems, hash_text=partial(distinct.texts, crossings))


# --- people count ------------------------------------------------------------------------------


def parse_count(value: str) -> int | Reason:
    """Return a whole number ≥ 0 written in plain digits ("12"), or the reason it is not one.

    "1.000", "1,000" and "1 000" are refused (a thousands separator or three decimals cannot
    be told apart), as are decimals such as "3.5" and "12.0".
    """
    whole = WHOLE_NUMBER.match(value)
    if whole:
        return int(whole.group(1))
    if THOUSANDS.match(value):
        digits = re.sub(r"\D", "", value)
        return Reason(f"looks like a thousands separator: write {int(digits)}")
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
    texts = [str(r) if ok else None for r, ok in zip(distinct.results, is_number, strict=True)]
    values = pd.arrays.IntegerArray(numbers, mask)
    return Field(
        values, distinct.problems(cells, lines, name), hash_text=partial(distinct.texts, texts)
    )


# --- nationalities -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Nationalities:
    """The codes read from one cell, and what the reader did that a notice should say."""

    codes: tuple[str, ...]
    unlisted: bool = False  # a word like "Mixed": several nationalities, none named
    unknown_word: bool = False  # a word like "Unknown" read as UNK
    repeated: bool = False  # a nationality given more than once, kept once


def parse_nationalities(value: str) -> Nationalities | Reason:
    """Return ISO 3166-1 alpha-3 codes from codes or names separated by ; | or ,."""
    codes: list[str] = []
    unlisted = unknown_word = repeated = False
    for token in (part.strip() for part in LIST_SEPARATORS.split(value)):
        if not token:
            continue
        if fold_text(token) in UNLISTED_NATIONALITIES:
            unlisted = True
            continue
        code = normalise_nationality(token)
        if code is None:
            return Reason(f"unknown nationality {token!r} (use ISO 3166-1 alpha-3 codes like VEN)")
        unknown_word |= code == UNKNOWN_NATIONALITY and token.upper() != UNKNOWN_NATIONALITY
        repeated |= code in codes
        if code not in codes:
            codes.append(code)
    return Nationalities(tuple(codes), unlisted, unknown_word, repeated)


NATIONALITY_NOTES: Final = {
    "unlisted": "{n} rows say the nationalities are mixed (e.g. {example}) without naming them: "
    "read as no nationalities",
    "unknown_word": "{n} rows give the nationality as unknown (e.g. {example}): read as UNK",
    "repeated": "{n} rows name a nationality more than once (e.g. {example}): kept once",
}


def read_nationalities(cells: TextColumn, lines: np.ndarray, name: str) -> Field:
    """Read nationality lists: each row gets its own list object; notices count what was read."""
    distinct = read_distinct(cells, parse_nationalities, Nationalities(()))
    parsed = [r if isinstance(r, Nationalities) else Nationalities(()) for r in distinct.results]
    values = fresh_lists(distinct.spread(list(r.codes) for r in parsed))
    hash_text = partial(distinct.texts, [";".join(r.codes) for r in parsed])
    notices = []
    for key, message in NATIONALITY_NOTES.items():
        flags = [bool(getattr(result, key)) for result in parsed]
        notice = _count_notice(distinct, cells, name, flags, message)
        notices += [notice] if notice else []
    return Field(values, distinct.problems(cells, lines, name), notices, hash_text)


def fresh_lists(shared: np.ndarray) -> np.ndarray:
    """Return an object array holding a copy of each list, so that no two rows share one.

    The copies are made in one numpy call with the garbage collector paused: lists of
    strings make no reference cycles, and a million new lists would otherwise trigger many
    collections (0.3 s instead of 0.07 s at 1e6 rows).
    """
    with paused_garbage_collection():
        copies = np.frompyfunc(list.copy, 1, 1)(shared)
    return np.asarray(copies, dtype=object)


def empty_lists(size: int) -> np.ndarray:
    """Return an object array of `size` distinct empty lists."""
    template = np.empty(1, dtype=object)
    template[0] = []
    return fresh_lists(template[np.zeros(size, dtype="int64")])


def _count_notice(
    distinct: Distinct, cells: TextColumn, name: str, flags: list[bool], message: str
) -> Notice | None:
    """Return a notice counting the rows whose result is flagged, or None when there are none."""
    rows = np.flatnonzero(distinct.spread(flags, dtype=bool))
    if not rows.size:
        return None
    example = repr(quoted(cells, rows[:1])[0])
    return Notice(None, name, None, message.format(n=rows.size, example=example))


# --- yes/no flags and free text ----------------------------------------------------------------


def parse_flag(value: str) -> bool | Reason:
    """Return True/False from true/false, yes/no, sí/no, 1/0 (any case), else the reason."""
    word = fold_text(value)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return Reason("not a yes/no value (use true/false, yes/no, sí/no or 1/0)")


def read_flags(
    cells: TextColumn | None, lines: np.ndarray, name: str, *, blank: bool | None
) -> Field:
    """Read a yes/no column into a nullable boolean array; a blank cell or no column = `blank`.

    `blank=None` leaves blank cells unknown (<NA>), as for `verified`; `blank=False` reads
    them as no, as for `synthetic` (only generated demo rows say yes).
    """
    if cells is None:
        return Field(pd.array([blank] * len(lines), dtype="boolean"))
    distinct = read_distinct(cells, parse_flag, blank)
    flags = distinct.spread((r is True for r in distinct.results), dtype=bool)
    known = distinct.spread((isinstance(r, bool) for r in distinct.results), dtype=bool)
    values = pd.arrays.BooleanArray(flags, ~known)
    return Field(values, distinct.problems(cells, lines, name))


def read_text(cells: TextColumn | None, size: int) -> Field:
    """Return free text trimmed, as a pandas string array (blank or missing = <NA>)."""
    if cells is None:
        return Field(pd.array([pd.NA] * size, dtype="string"))
    sample = cells.slice(0, TEXT_SAMPLE_ROWS)
    if len(pc.unique(sample)) * 4 > len(sample):  # mostly distinct: trim in pyarrow
        text = trimmed(cells)
        return Field(pd.StringDtype().__from_arrow__(text), hash_text=lambda: text)
    codes, stripped = map_distinct(cells, lambda value: value.strip() or None)
    distinct = Distinct(codes, [*stripped, None])
    values = pd.array(distinct.spread(distinct.results), dtype="string")
    return Field(values, hash_text=partial(distinct.texts, [*stripped, None]))
