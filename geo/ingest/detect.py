"""Tell what a file holds from its bytes: binary kind, text encoding, JSON or CSV, delimiter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Final, Literal

from geo.ingest.report import IngestError, Notice
from geo.schema import fold_text

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
# A well-formed UTF-8 sequence of two to four bytes (RFC 3629): its presence in a file that is
# not valid UTF-8 means the file is UTF-8 with a few bad bytes, not Latin-1.
UTF8_MULTIBYTE: Final = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
ESCAPED_BYTE: Final = re.compile("[\udc80-\udcff]")  # a bad byte, decoded with surrogateescape
EXCEL_SEPARATOR: Final = re.compile(r'^"?sep=([^\r\n"])"?[ \t]*(?:\r?\n|$)', re.IGNORECASE)
MAX_LINE_TEXT: Final = 200  # characters of a bad line quoted in its problem

ContentKind = Literal["json", "csv"]


@dataclass(frozen=True)
class BadByte:
    """A byte that is not UTF-8 in an otherwise UTF-8 file (read as U+FFFD)."""

    offset: int  # position of its U+FFFD in DecodedText.text
    line: int  # physical line in the file
    byte: int

    def reason(self) -> str:
        """Return the rejection reason for the row holding this byte."""
        return f"not valid UTF-8 (byte 0x{self.byte:02X}); the rest of the file is UTF-8"


@dataclass
class DecodedText:
    """A file's text, its UTF-8 bytes (no BOM, for pyarrow) and what decoding found.

    `bad_bytes` lists, in order, the bytes of a mixed file (UTF-8 with a few non-UTF-8
    bytes, each read as U+FFFD): readers reject the rows holding them. `first_line` is the
    physical line of the text's first line (2 once an Excel "sep=" line is cut off).
    """

    text: str
    utf8: bytes
    notices: list[Notice] = field(default_factory=list)
    bad_bytes: list[BadByte] = field(default_factory=list)
    first_line: int = 1

    def after_first_line(self) -> DecodedText:
        """Return the text without its first line; line numbers stay those of the file."""
        cut, cut_bytes = self.text.find("\n") + 1, self.utf8.find(b"\n") + 1
        moved = [replace(bad, offset=bad.offset - cut) for bad in self.bad_bytes]
        return DecodedText(
            self.text[cut:], self.utf8[cut_bytes:], list(self.notices), moved, self.first_line + 1
        )

    def shown_line(self, bad: BadByte) -> str:
        """Return the line holding `bad` as given, each bad byte written as \\xNN.

        A long line (a minified GeoJSON file) is cut to MAX_LINE_TEXT characters around it.
        """
        start = self.text.rfind("\n", 0, bad.offset) + 1
        end = self.text.find("\n", bad.offset)
        end = len(self.text) if end < 0 else end
        if self.text[start:end].endswith("\r"):
            end -= 1
        low = max(start, min(bad.offset - MAX_LINE_TEXT // 2, end - MAX_LINE_TEXT))
        high = min(end, low + MAX_LINE_TEXT)
        marks = {b.offset: b.byte for b in self.bad_bytes if low <= b.offset < high}
        piece = "".join(
            f"\\x{marks[at]:02X}" if at in marks else self.text[at] for at in range(low, high)
        )
        return ("…" if low > start else "") + piece + ("…" if high < end else "")


def decode(data: bytes, file: str) -> DecodedText:
    """Decode UTF-8 (with or without BOM) or UTF-16 with BOM, else Latin-1 with a notice.

    A file with well-formed multi-byte UTF-8 and some invalid bytes is UTF-8 with bad lines
    (see DecodedText); only a file without any multi-byte UTF-8 is read as Latin-1.
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
        if UTF8_MULTIBYTE.search(body):
            return _decode_mixed(body)
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
    byte = body[error.start]
    message = (
        f"file is not valid UTF-8 (first bad byte 0x{byte:02X} on line {line}) and holds no "
        f"multi-byte UTF-8: read as {encoding}"
    )
    return DecodedText(text, text.encode(), [Notice(line, None, None, message)])


def _decode_mixed(body: bytes) -> DecodedText:
    """Decode UTF-8 whose bad bytes become U+FFFD; list every bad byte with its line."""
    escaped = body.decode("utf-8", errors="surrogateescape")
    bad_bytes: list[BadByte] = []
    line, counted_to = 1, 0
    for match in ESCAPED_BYTE.finditer(escaped):
        line += escaped.count("\n", counted_to, match.start())
        counted_to = match.start()
        bad_bytes.append(BadByte(match.start(), line, ord(match.group()) - 0xDC00))
    lines = len({bad.line for bad in bad_bytes})
    first = bad_bytes[0]
    message = (
        f"file is UTF-8 but {lines} line(s) hold bytes that are not (first: line "
        f"{first.line}, byte 0x{first.byte:02X}): their rows are rejected; save the file as UTF-8"
    )
    text = ESCAPED_BYTE.sub("\ufffd", escaped)
    return DecodedText(text, text.encode(), [Notice(None, None, None, message)], bad_bytes)


def excel_separator(text: str) -> str | None:
    """Return the delimiter named by an Excel "sep=;" first line, or None without one."""
    match = EXCEL_SEPARATOR.match(text)
    return match.group(1) if match else None


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
    """Return a column name folded for matching (fold_text), words joined by underscores."""
    return fold_text(name).replace(" ", "_")


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
