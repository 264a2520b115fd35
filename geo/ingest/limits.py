"""Refuse incident files too large or too odd to read safely: cheap checks before and while reading.

Before any parsing, on the bytes (vectorised, well under a second for a 50 MB file):
- any file: no NUL character (databases cut or refuse text at it; a NUL in the first 8 KB
  already marks a binary file in geo.ingest.detect).
- CSV: the header may have at most `max_columns` fields and no line may be longer than
  `max_line_bytes` (UTF-8 bytes; a line ends at LF, CRLF or a lone CR, as the csv module reads).
  The line limit is not applied to GeoJSON, whose minified exports are one long line.
- GeoJSON: arrays and objects may nest at most `max_json_depth` deep (Python's json would hit
  its recursion limit) and no number may have more than `max_number_digits` digits (Python
  refuses to turn more than 4,300 digits into an int), and no \\u0000 escape (a NUL).
While reading: at most `max_rows` data rows (CSV records or features), and the whole read may
take at most `parse_seconds`, checked between stages (no thread is stopped). Every refusal is an
IngestError naming the file, the line where it applies, the limit and the reason.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np

from geo.ingest.report import IngestError

MAX_ROWS_ENV: Final = "HITO_MAX_ROWS"
PARSE_SECONDS_ENV: Final = "HITO_PARSE_SECONDS"
CHUNK_BYTES: Final = 1 << 22  # bytes compared at a time: masks stay small for any file size
LF, CR, QUOTE = ord("\n"), ord("\r"), ord('"')
CSV_DELIMITERS: Final = (ord(","), ord(";"), ord("\t"))  # as geo.ingest.detect.CSV_DELIMITERS
# JSON bytes that matter for nesting: code 1 opens, 2 closes, 3 is a quote (strings).
_JSON_CODES: Final = np.zeros(256, dtype=np.int8)
_JSON_CODES[[ord("["), ord("{")]] = 1
_JSON_CODES[[ord("]"), ord("}")]] = 2
_JSON_CODES[QUOTE] = 3

# The clock the parse time limit reads (tests replace it with a fake one).
clock: Callable[[], float] = time.monotonic


@dataclass(frozen=True)
class Limits:
    """The largest file ingest reads; each limit is refused with a clear IngestError."""

    # Data rows (CSV records after the header, or GeoJSON features) per file; env HITO_MAX_ROWS.
    max_rows: int = 1_000_000
    # Seconds one file may take to decode, split and validate; env HITO_PARSE_SECONDS.
    parse_seconds: float = 60.0
    # UTF-8 bytes per CSV line (1 MiB): a longer line is not a table row.
    max_line_bytes: int = 1 << 20
    # Fields in a CSV header: a table of incident reports has a few dozen columns.
    max_columns: int = 500
    # Nesting of JSON arrays and objects: a GeoJSON Point feature needs 5, a MultiPolygon 8.
    max_json_depth: int = 64
    # Digits in one JSON number (Python's int conversion limit).
    max_number_digits: int = sys.int_info.default_max_str_digits or 4_300

    def __post_init__(self) -> None:
        for name in ("max_rows", "max_line_bytes", "max_columns", "max_json_depth",
                     "max_number_digits"):  # fmt: skip
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"Limits.{name}: {value!r} is not a whole number of at least 1")
        seconds = self.parse_seconds
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds > 0:
            raise ValueError(f"Limits.parse_seconds: {seconds!r} is not a number of seconds > 0")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """Return the default limits with HITO_MAX_ROWS and HITO_PARSE_SECONDS applied.

        Raises ValueError naming the variable and its value when either is not a positive number.
        """
        env = os.environ if environ is None else environ
        rows, seconds = env.get(MAX_ROWS_ENV, "").strip(), env.get(PARSE_SECONDS_ENV, "").strip()
        default = cls()
        return cls(
            max_rows=int(_env_number(MAX_ROWS_ENV, rows, int)) if rows else default.max_rows,
            parse_seconds=(
                _env_number(PARSE_SECONDS_ENV, seconds, float) if seconds else default.parse_seconds
            ),
        )


def _env_number(name: str, text: str, kind: type[int] | type[float]) -> int | float:
    try:
        value = kind(text.replace("_", ""))
    except ValueError:
        value = 0
    if not (value > 0 and np.isfinite(value)):
        wanted = "a whole number of at least 1" if kind is int else "a number of seconds above 0"
        raise ValueError(f"environment variable {name}={text!r} is not {wanted}")
    return value


class Deadline:
    """The time one file may take to read: check() between stages raises once it is past."""

    def __init__(self, file: str, seconds: float) -> None:
        self.file, self.seconds, self.started = file, seconds, clock()

    def check(self, stage: str) -> None:
        """Raise IngestError when more than the allowed seconds have passed since the start."""
        elapsed = clock() - self.started
        if elapsed > self.seconds:
            raise IngestError(
                f"{self.file}: reading took longer than {self.seconds:g} s, the limit per file "
                f"({elapsed:.1f} s when {stage} ended): split the file into smaller ones"
            )


def check_rows(total: int, file: str, limits: Limits) -> None:
    """Raise IngestError when a file holds more data rows than the row limit."""
    if total > limits.max_rows:
        raise IngestError(
            f"{file} holds {total:,} rows, over the limit of {limits.max_rows:,} rows per file: "
            "split it into smaller files"
        )


def check_no_nul(data: bytes, file: str) -> None:
    """Refuse text holding a NUL character: databases cut or refuse text at it."""
    position = data.find(b"\x00")
    if position >= 0:
        raise IngestError(
            f"{file}: line {_line_at(data, position)}: holds a NUL byte (U+0000): a text file "
            "holds none; is it binary data or UTF-16 text without a byte-order mark?"
        )


def check_csv_shape(data: bytes, file: str, limits: Limits, first_line: int = 1) -> None:
    """Refuse CSV bytes whose header has too many fields or which have a too long line.

    `data` is the file as UTF-8 from its header on; `first_line` is the header's line in the
    file (2 after an Excel "sep=" line), so messages name the file's own lines.
    """
    header_end = _first_line_end(data)
    columns = _header_columns(data[:header_end])
    if columns > limits.max_columns:
        raise IngestError(
            f"{file}: line {first_line}: the header has {columns:,} columns, over the limit of "
            f"{limits.max_columns:,} columns: not a table of incident reports"
        )
    length, index = longest_line(data)
    if length > limits.max_line_bytes:
        raise IngestError(
            f"{file}: line {first_line + index}: {length:,} bytes long, over the limit of "
            f"{limits.max_line_bytes:,} bytes per line: not a row of a table of incident reports"
        )


def check_json_shape(data: bytes, file: str, limits: Limits) -> None:
    """Refuse JSON bytes nested deeper than the depth limit or holding a too long number."""
    plain = _without_escapes(data)
    depth, position = _deepest_nesting(plain)
    if depth > limits.max_json_depth:
        raise IngestError(
            f"{file}: line {_line_at(plain, position)}: arrays and objects nested {depth:,} deep, "
            f"over the limit of {limits.max_json_depth} levels: not GeoJSON incident reports"
        )
    position = plain.find(b"\\u0000")
    if position >= 0:
        raise IngestError(
            f"{file}: line {_line_at(plain, position)}: a text holds the NUL character "
            "(\\u0000): databases cut or refuse text at it"
        )
    number_at = _long_number(plain, limits.max_number_digits)
    if number_at is not None:
        raise IngestError(
            f"{file}: line {_line_at(plain, number_at)}: a number with more than "
            f"{limits.max_number_digits:,} digits, over the limit for one number"
        )


def longest_line(data: bytes) -> tuple[int, int]:
    """Return (length in bytes, 0-based index) of the longest line, without its line end.

    A line ends at an LF, a CRLF or a lone CR, as the csv module reads.

    Works a chunk at a time, keeping no array as long as the file.
    """
    chars = np.frombuffer(data, dtype=np.uint8)
    best, best_index, lines_before, previous_end = 0, 0, 0, -1
    for start in range(0, len(chars), CHUNK_BYTES):
        ends = _line_ends(chars, start, min(start + CHUNK_BYTES, len(chars)))
        if ends.size:
            lengths = np.diff(ends, prepend=previous_end) - 1
            lengths -= (chars[ends] == LF) & (chars[np.maximum(ends - 1, 0)] == CR) & (ends > 0)
            longest = int(np.argmax(lengths))
            if lengths[longest] > best:
                best, best_index = int(lengths[longest]), lines_before + longest
            lines_before += ends.size
            previous_end = int(ends[-1])
    if len(chars) - previous_end - 1 > best:  # the last line, without a line end
        best, best_index = len(chars) - previous_end - 1, lines_before
    return best, best_index


def _line_ends(chars: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Return the offsets in [start, stop) of each LF, and of each CR not before an LF."""
    piece = chars[start:stop]
    following = chars[start + 1 : stop + 1]
    lone_cr = piece[: len(following)] == CR
    lone_cr &= following != LF
    ends = piece == LF
    ends[: len(following)] |= lone_cr
    if len(following) < len(piece):  # a CR as the file's very last byte
        ends[-1] |= piece[-1] == CR
    return np.flatnonzero(ends) + start


def _first_line_end(data: bytes) -> int:
    ends = [found for found in (data.find(b"\n"), data.find(b"\r")) if found >= 0]
    return min(ends) if ends else len(data)


def _header_columns(line: bytes) -> int:
    """Return 1 + the count of the most used delimiter outside double quotes on the line."""
    if b'"' not in line:
        return 1 + max(line.count(bytes([delimiter])) for delimiter in CSV_DELIMITERS)
    chars = np.frombuffer(line, dtype=np.uint8)
    # A running count of quotes in one byte per character: wrapping at 256 keeps its parity.
    outside = np.cumsum(chars == QUOTE, dtype=np.uint8) % 2 == 0
    return 1 + max(int(np.count_nonzero((chars == delimiter) & outside))
                   for delimiter in CSV_DELIMITERS)  # fmt: skip


def _without_escapes(data: bytes) -> bytes:
    r"""Return the JSON with each escaped backslash and quote (\\, \") made two underscores.

    Same length and lines as `data`, and every remaining quote opens or closes a string.
    """
    return data.replace(b"\\\\", b"__").replace(b'\\"', b"__")


def _deepest_nesting(plain: bytes) -> tuple[int, int]:
    """Return the deepest nesting of [ and { outside strings, and the offset where it is reached."""
    chars = np.frombuffer(plain, dtype=np.uint8)
    depth, in_string, best, best_at = 0, 0, 0, 0
    for start in range(0, len(chars), CHUNK_BYTES):
        codes = _JSON_CODES[chars[start : start + CHUNK_BYTES]]
        where = np.flatnonzero(codes)
        kinds = codes[where]
        quotes = np.cumsum(kinds == 3) + in_string
        outside = quotes % 2 == 0
        steps = np.where(outside & (kinds == 1), 1, 0) - np.where(outside & (kinds == 2), 1, 0)
        levels = depth + np.cumsum(steps)
        if levels.size:
            deepest = int(np.argmax(levels))
            if levels[deepest] > best:
                best, best_at = int(levels[deepest]), start + int(where[deepest])
            depth = int(levels[-1])
            in_string = int(quotes[-1]) % 2
    return best, best_at


def _long_number(plain: bytes, digits: int) -> int | None:
    """Return the offset of the first run of more than `digits` digits outside strings.

    Works a chunk at a time; each chunk is read on past its end far enough to see whether a
    run starting in it is too long. A run going on from the chunk before was checked there
    (in a string or not, as the part in this chunk, since a run holds no quote).
    """
    chars = np.frombuffer(plain, dtype=np.uint8)
    quotes, counted_to = 0, 0
    for start in range(0, len(chars), CHUNK_BYTES):
        piece = chars[start : start + CHUNK_BYTES + digits + 1]
        edges = np.diff(((piece >= ord("0")) & (piece <= ord("9"))).astype(np.int8),
                        prepend=np.int8(0), append=np.int8(0))  # fmt: skip
        begins, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        long_runs = begins[(ends - begins > digits) & (begins < CHUNK_BYTES)] + start
        for begin in long_runs.tolist():
            quotes += plain.count(b'"', counted_to, begin)
            counted_to = begin
            if quotes % 2 == 0:
                return int(begin)
    return None


def _line_at(data: bytes, offset: int) -> int:
    """Return the 1-based line of `offset` (lines end at LF, as json's error messages count)."""
    return data.count(b"\n", 0, offset) + 1
