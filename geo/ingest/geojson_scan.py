"""Parse a GeoJSON FeatureCollection's JSON, noting where in the text each feature starts."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from itertools import repeat
from json.scanner import make_scanner
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from geo.ingest.gc_pause import paused_garbage_collection
from geo.ingest.report import IngestError

WHITESPACE: Final = re.compile(r"[ \t\n\r]*")
SEPARATOR: Final = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")  # between two features of the array
_DECODER: Final = json.JSONDecoder()
# (text, offset) -> (value, end): the C scanner JSONDecoder.raw_decode calls; typeshed wants
# a make_scanner as its argument where any object with the decoder's attributes will do.
_SCAN_ONCE: Final = make_scanner(_DECODER)  # type: ignore[arg-type]


@dataclass
class ArrowFeatures:
    """A features array read by pyarrow, and where each feature starts (see read_with_arrow)."""

    table: pa.Table  # one row per feature, one column per member of the features
    lines: np.ndarray  # physical line on which each feature starts
    body: bytearray = field(repr=False)  # the array's JSON, separators made whitespace
    starts: np.ndarray = field(repr=False)  # offset in body of each feature's "{"
    ends: np.ndarray = field(repr=False)  # offset in body just past each feature

    def feature(self, index: int) -> Any:
        """Return feature `index` (0-based) as json decodes it (for the few messages quote)."""
        return json.loads(self.body[int(self.starts[index]) : int(self.ends[index])])


@dataclass
class ScannedCollection:
    """A FeatureCollection's top-level members (but features), its features and their spans.

    With `arrow` set, pyarrow read the features: `features`, `starts` and `ends` are empty.
    """

    members: dict[str, Any]
    features: list[Any]
    starts: list[int]  # offset in the text of each feature's first character
    ends: list[int]  # offset just past each feature
    arrow: ArrowFeatures | None = None


class _Cursor:
    """A position in the JSON text, with helpers that raise IngestError naming line and column."""

    def __init__(self, text: str, file: str) -> None:
        self.text, self.file, self.pos = text, file, 0

    def skip(self) -> str:
        """Skip whitespace; return the next character ("" at the end)."""
        match = WHITESPACE.match(self.text, self.pos)
        self.pos = match.end() if match else self.pos
        return self.text[self.pos : self.pos + 1]

    def value(self) -> Any:
        """Decode one JSON value at the cursor (after whitespace)."""
        self.skip()
        try:
            value, self.pos = _DECODER.raw_decode(self.text, self.pos)
        except json.JSONDecodeError as error:
            raise self.invalid(error) from error
        return value

    def invalid(self, error: json.JSONDecodeError) -> IngestError:
        """Return the IngestError for a JSON decoding error, naming its line and column."""
        where = f"line {error.lineno}, column {error.colno}"
        return IngestError(f"{self.file}: not valid JSON at {where}: {error.msg}")

    def expect(self, characters: str) -> str:
        """Consume one of `characters` (after whitespace) and return it, else raise."""
        found = self.skip()
        if not found or found not in characters:
            self.fail(f"expected {' or '.join(repr(c) for c in characters)}")
        self.pos += 1
        return found

    def fail(self, message: str) -> None:
        line = self.text.count("\n", 0, self.pos) + 1
        column = self.pos - (self.text.rfind("\n", 0, self.pos) + 1) + 1
        raise IngestError(f"{self.file}: not valid JSON at line {line}, column {column}: {message}")


def scan_feature_collection(text: str, file: str, utf8: bytes | None = None) -> ScannedCollection:
    """Return the collection's members, features and feature spans.

    Given `utf8` (the text as UTF-8), the features array is read by pyarrow into `arrow`
    when pyarrow reads it as json would (see read_with_arrow).
    Raises IngestError for invalid JSON or JSON that is not a FeatureCollection object.
    """
    cursor = _Cursor(text, file)
    if cursor.skip() != "{":
        kind = type(cursor.value()).__name__
        raise IngestError(f"{file} is JSON ({kind}) but not a GeoJSON FeatureCollection object")
    cursor.pos += 1
    scanned = ScannedCollection({}, [], [], [])
    found_features = False
    while cursor.skip() != "}":
        key = cursor.value()
        if not isinstance(key, str):
            cursor.fail("expected a property name in double quotes")
        cursor.expect(":")
        if key == "features" and cursor.skip() == "[":
            scanned.starts, scanned.ends, scanned.features = [], [], []
            scanned.arrow = read_with_arrow(cursor, utf8) if utf8 is not None else None
            if scanned.arrow is None:
                scanned.features = _scan_array(cursor, scanned)
            found_features = True
        else:
            scanned.members[key] = cursor.value()
        if cursor.expect(",}") == "}":
            cursor.pos -= 1
    cursor.pos += 1
    if cursor.skip():
        cursor.fail("extra data after the top-level object")
    _check_collection(scanned.members, found_features, file)
    return scanned


def _scan_array(cursor: _Cursor, scanned: ScannedCollection) -> list[Any]:
    """Decode the features array at the cursor, one value at a time to note each span."""
    cursor.pos += 1
    if cursor.skip() == "]":
        cursor.pos += 1
        return []
    items: list[Any] = []
    text, position = cursor.text, cursor.pos
    with paused_garbage_collection():
        while True:
            scanned.starts.append(position)
            try:
                item, position = _SCAN_ONCE(text, position)
            except StopIteration as stop:  # what JSONDecoder.raw_decode turns into an error
                error = json.JSONDecodeError("Expecting value", text, stop.value)
                raise cursor.invalid(error) from None
            except json.JSONDecodeError as error:
                raise cursor.invalid(error) from error
            items.append(item)
            scanned.ends.append(position)
            separator = SEPARATOR.match(text, position)
            if separator is None:
                break
            position = separator.end()
    cursor.pos = position
    cursor.expect(",]")  # "]" here: a "," would have matched SEPARATOR
    return items


def read_with_arrow(cursor: _Cursor, utf8: bytes) -> ArrowFeatures | None:
    """Read the features array at the cursor with pyarrow, if it reads it as json would.

    json decodes the first feature and what separates it from the second (say ",\n" or
    ", "); every "{" after "}" and that separator is taken as a feature's start. With the
    commas of those separators made whitespace the array is a run of JSON objects for
    pyarrow. A comma that stood inside an object would leave it invalid, so each run of
    text between two such commas holds at least one whole object; when pyarrow reads as
    many rows as there are runs, each run held exactly one feature, starting where taken,
    and the array was valid JSON too. Returns None (cursor unmoved) when any of that fails,
    or pyarrow read a number json would not (see _all_finite); else moves past the "]".
    """
    text, first = cursor.text, cursor.pos + 1
    space = WHITESPACE.match(text, first)
    first = space.end() if space else first
    found, close = _first_feature(text, first), text.rfind("]")
    if found is None or close < first:
        return None
    feature, separator = found
    region = memoryview(utf8)[len(text[:first].encode("utf-8")) : utf8.rfind(b"]")]
    newlines = _positions(np.frombuffer(region, dtype=np.uint8), ord("\n"))
    split = _split(region, separator, newlines)
    if split is None:
        return None
    body, starts, ends, multiline = split
    table = _read_rows(body, feature, multiline)
    if table is None or table.num_rows != len(starts):
        return None
    if not all(_all_finite(column) for column in table.columns):
        return None
    lines = text.count("\n", 0, first) + 1 + np.searchsorted(newlines, starts)
    cursor.pos = close + 1
    return ArrowFeatures(table, lines, body, starts, ends)


def _first_feature(text: str, first: int) -> tuple[Any, bytes] | None:
    """Return the first feature as json decodes it and the separator after it (b"": none)."""
    if not text.startswith("{", first):
        return None
    try:
        feature, end = _SCAN_ONCE(text, first)
    except (StopIteration, ValueError):
        return None
    gap = SEPARATOR.match(text, end)
    if gap is None:
        return feature, b""
    return (feature, text[end : gap.end()].encode()) if text.startswith("{", gap.end()) else None


def _split(
    region: memoryview, separator: bytes, newlines: np.ndarray
) -> tuple[bytearray, np.ndarray, np.ndarray, bool] | None:
    """Return (body, feature starts, feature ends, whether a feature spans lines).

    The body is the region with each separator's comma made whitespace: a space when the
    separator holds a newline, else a newline. Either way a separator found inside a text
    leaves a newline in that text, which neither json nor pyarrow reads.
    """
    tail = bytes(region[-256:])
    last = len(region) - len(tail) + len(tail.rstrip(b" \t\r\n"))  # just past the last "}"
    if not tail.rstrip(b" \t\r\n").endswith(b"}"):
        return None
    starts = np.zeros(1, dtype=np.int64)
    if separator:
        pattern = b"}" + separator + b"{"
        starts = np.append(starts, _after(np.frombuffer(region, dtype=np.uint8), pattern))
    commas = starts[1:] - len(separator) + separator.find(b",")
    expected = (len(starts) - 1) * separator.count(b"\n") + int((newlines >= last).sum())
    multiline = len(newlines) != expected
    body = bytearray(region)
    np.frombuffer(body, dtype=np.uint8)[commas] = ord(" " if b"\n" in separator else "\n")
    return body, starts, np.append(commas, last), multiline


def _after(chars: np.ndarray, pattern: bytes) -> np.ndarray:
    """Return the offset of the last byte of each occurrence of `pattern` in `chars`."""
    anchor = pattern.find(b"\n") if b"\n" in pattern else len(pattern) - 1
    found = _positions(chars, pattern[anchor]) - anchor  # where each occurrence would begin
    found = found[(found >= 0) & (found + len(pattern) <= len(chars))]
    for index in sorted(range(len(pattern)), key=lambda i: pattern[i] in b" \t"):
        found = found[chars[found + index] == pattern[index]]
    return found + len(pattern) - 1


def _positions(chars: np.ndarray, byte: int, chunk: int = 1 << 22) -> np.ndarray:
    """Return the offsets of `byte` in `chars`, comparing a chunk at a time.

    One comparison of the whole text would allocate (and fault in) a mask as large as it.
    """
    mask = np.empty(min(chunk, len(chars)), dtype=bool)
    found = [np.zeros(0, dtype=np.int64)]
    for start in range(0, len(chars), chunk):
        piece = chars[start : start + chunk]
        np.equal(piece, byte, out=mask[: len(piece)])
        found.append(np.flatnonzero(mask[: len(piece)]) + start)
    return np.concatenate(found)


def _read_rows(body: bytearray, first: Any, multiline: bool) -> pa.Table | None:
    """Read the body's objects; properties that are text in the first feature stay text.

    (pyarrow would turn ISO 8601 texts into timestamps.) Returns None when pyarrow fails.
    """
    properties = first.get("properties") if isinstance(first, dict) else None
    if not isinstance(properties, dict):
        properties = {}
    texts = [(key, pa.string()) for key, value in properties.items() if isinstance(value, str)]
    options = pa_json.ParseOptions(
        explicit_schema=pa.schema([("properties", pa.struct(texts))]) if texts else None,
        newlines_in_values=multiline,
        unexpected_field_behavior="infer",
    )
    try:
        return pa_json.read_json(pa.BufferReader(pa.py_buffer(body)), parse_options=options)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _all_finite(values: pa.ChunkedArray) -> bool:
    """Return False when any number, however nested, is NaN or infinite.

    json reads NaN, Infinity and -Infinity; pyarrow also reads Inf and -NaN: such files are
    left to json, which decides.
    """
    kind = values.type
    if pa.types.is_floating(kind):
        return not pc.any(pc.invert(pc.is_finite(values))).as_py()
    if pa.types.is_struct(kind):
        return all(_all_finite(pc.struct_field(values, [i])) for i in range(kind.num_fields))
    if pa.types.is_list(kind):
        return _all_finite(pc.list_flatten(values))
    return True


def start_lines(text: str, starts: list[int]) -> np.ndarray:
    """Return the physical line (1-based) of each offset in `starts` (ascending)."""
    begins = [0, *starts[:-1]]
    newlines = np.fromiter(map(text.count, repeat("\n"), begins, starts), "int64", len(starts))
    return np.cumsum(newlines) + 1


def _check_collection(members: dict[str, Any], found_features: bool, file: str) -> None:
    kind = members.get("type")
    if kind != "FeatureCollection":
        raise IngestError(
            f"{file} is JSON of type {kind!r}, not a GeoJSON FeatureCollection "
            "(wrap single features in a FeatureCollection)"
        )
    if not found_features:
        raise IngestError(f"{file} is a FeatureCollection without a features array")
