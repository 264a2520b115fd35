"""Parse a GeoJSON FeatureCollection's JSON, noting where in the text each feature starts."""

from __future__ import annotations

import json
import re
from typing import Any, Final

from geo.ingest.report import IngestError

WHITESPACE: Final = re.compile(r"[ \t\n\r]*")
_DECODER: Final = json.JSONDecoder()


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
            where = f"line {error.lineno}, column {error.colno}"
            raise IngestError(f"{self.file}: not valid JSON at {where}: {error.msg}") from error
        return value

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


def scan_feature_collection(
    text: str, file: str
) -> tuple[dict[str, Any], list[tuple[int, int]], list[Any]]:
    """Return (top-level members other than features, feature (start, end) offsets, features).

    Raises IngestError for invalid JSON or JSON that is not a FeatureCollection object.
    """
    cursor = _Cursor(text, file)
    if cursor.skip() != "{":
        kind = type(cursor.value()).__name__
        raise IngestError(f"{file} is JSON ({kind}) but not a GeoJSON FeatureCollection object")
    cursor.pos += 1
    members: dict[str, Any] = {}
    spans: list[tuple[int, int]] = []
    features: list[Any] | None = None
    while cursor.skip() != "}":
        key = cursor.value()
        if not isinstance(key, str):
            cursor.fail("expected a property name in double quotes")
        cursor.expect(":")
        if key == "features" and cursor.skip() == "[":
            features = _scan_array(cursor, spans)
        else:
            members[key] = cursor.value()
        if cursor.expect(",}") == "}":
            cursor.pos -= 1
    cursor.pos += 1
    if cursor.skip():
        cursor.fail("extra data after the top-level object")
    _check_collection(members, features, file)
    return members, spans, features or []


def _scan_array(cursor: _Cursor, spans: list[tuple[int, int]]) -> list[Any]:
    cursor.pos += 1
    items: list[Any] = []
    if cursor.skip() == "]":
        cursor.pos += 1
        return items
    while True:
        cursor.skip()
        start = cursor.pos
        items.append(cursor.value())
        spans.append((start, cursor.pos))
        if cursor.expect(",]") == "]":
            return items


def _check_collection(members: dict[str, Any], features: list[Any] | None, file: str) -> None:
    kind = members.get("type")
    if kind != "FeatureCollection":
        raise IngestError(
            f"{file} is JSON of type {kind!r}, not a GeoJSON FeatureCollection "
            "(wrap single features in a FeatureCollection)"
        )
    if features is None:
        raise IngestError(f"{file} is a FeatureCollection without a features array")
