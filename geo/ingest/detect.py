"""Tell what a file holds from its bytes: binary kind, text encoding, JSON or CSV, delimiter."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Final, Literal

from geo.ingest.report import IngestError, Notice

# Leading bytes of file kinds people upload by mistake, and how to name them.
BINARY_SIGNATURES: Final[tuple[tuple[bytes, str], ...]] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook, a .kmz or a zipped shapefile?)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"SQLite format 3\x00", "an SQLite database (a GeoPackage?)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls or other Office document"),
    (b"\x00\x00'\n", "an ESRI shapefile (.shp)"),
)
UTF8_BOM: Final = b"\xef\xbb\xbf"
UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
CSV_DELIMITERS: Final = (",", ";", "\t")
CSV_SUFFIXES: Final = frozenset({".csv", ".txt", ".tsv"})
JSON_SUFFIXES: Final = frozenset({".json", ".geojson"})
CONTENT_NAMES: Final = {"json": "GeoJSON", "csv": "CSV"}

ContentKind = Literal["json", "csv"]


@dataclass
class DecodedText:
    """A file's text, its UTF-8 bytes (no BOM, for pyarrow) and notices about the decoding."""

    text: str
    utf8: bytes
    notices: list[Notice] = field(default_factory=list)


def decode(data: bytes, file: str) -> DecodedText:
    """Decode UTF-8 (with or without BOM) or UTF-16 with BOM, else Latin-1 with a notice.

    Raises IngestError when the file is empty or looks like a binary file.
    """
    if not data or data.isspace():
        raise IngestError(f"{file} is empty")
    if data.startswith(UTF16_BOMS):
        text = data.decode("utf-16")
        notice = Notice(None, None, None, "file is UTF-16 text (it has a UTF-16 byte-order mark)")
        return DecodedText(text.lstrip("\ufeff"), text.lstrip("\ufeff").encode(), [notice])
    _reject_binary(data, file)
    body = data.removeprefix(UTF8_BOM)
    try:
        return DecodedText(body.decode("utf-8"), body)
    except UnicodeDecodeError as error:
        return _decode_latin1(body, error)


def _reject_binary(data: bytes, file: str) -> None:
    for signature, kind in BINARY_SIGNATURES:
        if data.startswith(signature):
            raise IngestError(f"{file} looks like {kind}, not CSV or GeoJSON")
    if b"\x00" in data[:8192]:
        raise IngestError(
            f"{file} looks like binary data (it contains NUL bytes), not CSV or GeoJSON"
        )


def _decode_latin1(body: bytes, error: UnicodeDecodeError) -> DecodedText:
    line = body.count(b"\n", 0, error.start) + 1
    try:
        text, encoding = body.decode("cp1252"), "Latin-1 (Windows-1252)"
    except UnicodeDecodeError:
        text, encoding = body.decode("latin-1"), "Latin-1 (ISO-8859-1)"
    byte = body[error.start : error.start + 1].hex()
    message = (
        f"file is not valid UTF-8 (first bad byte 0x{byte} on line {line}): read as {encoding}"
    )
    return DecodedText(text, text.encode(), [Notice(line, None, None, message)])


def content_kind(text: str, file: str) -> ContentKind:
    """Return "json" when the text starts like JSON, else "csv"; reject HTML and XML."""
    first = re.search(r"\S", text)
    start = first.group() if first else ""
    if start in ("{", "["):
        return "json"
    if start == "<":
        raise IngestError(
            f"{file} looks like HTML or XML (a KML file or a web page?), not CSV or GeoJSON"
        )
    return "csv"


def suffix_notice(file: str, kind: ContentKind) -> Notice | None:
    """Return a notice when the file name's suffix promises another format than its content."""
    suffix = PurePath(file).suffix.lower()
    expected = "json" if suffix in JSON_SUFFIXES else "csv" if suffix in CSV_SUFFIXES else None
    if expected is None or expected == kind:
        return None
    content = CONTENT_NAMES[kind]
    message = f"the name ends in {suffix} but the content is {content}: read as {content}"
    return Notice(None, None, None, message)


def detect_delimiter(text: str) -> str:
    """Return the delimiter (comma, semicolon or tab) most used outside quotes on the first line."""
    end = text.find("\n")
    first_line = text[: end if end >= 0 else len(text)]
    counts = dict.fromkeys(CSV_DELIMITERS, 0)
    quoted = False
    for char in first_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(CSV_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def header_key(name: str) -> str:
    """Return a column name folded for matching: lower case, no accents, spaces as underscores."""
    folded = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff").lower())
    plain = "".join(char for char in folded if not unicodedata.combining(char))
    return "_".join(plain.replace("-", " ").replace("_", " ").split())


CsvFlavour = Literal["csv", "acled", "iom"]
ACLED_MARKERS: Final = frozenset({"event_id_cnty", "event_id_no_cnty"})
IOM_MARKERS: Final = frozenset(
    {"total_number_of_dead_and_missing", "total_dead_and_missing", "number_of_dead", "number_dead",
     "minimum_estimated_number_of_missing", "cause_of_death"}
)  # fmt: skip
IOM_DATES: Final = frozenset({"incident_date", "reported_date"})


def csv_flavour(header: list[str]) -> CsvFlavour:
    """Return which CSV layout a header belongs to: an ACLED export, an IOM MMP export, or ours."""
    keys = {header_key(name) for name in header}
    if keys & ACLED_MARKERS or {"event_date", "event_type", "sub_event_type"} <= keys:
        return "acled"
    if keys & IOM_MARKERS and keys & IOM_DATES:
        return "iom"
    return "csv"
