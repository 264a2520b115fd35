"""Split CSV text into string columns, keeping each row's file line; catch wrong field counts.

Fast path: pyarrow reads every column as text when each record sits on one physical line
(no blank lines, no quoted newlines), so the record after the header on line 1 is on line 2,
and so on. Otherwise the csv module reads the file and `reader.line_num` gives each line.
Lines are always those of the file (an Excel "sep=" line cut off before still counts), and
a record holding a byte that is not UTF-8 (see detect.BadByte) is rejected.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from geo.ingest.detect import DecodedText
from geo.ingest.report import IngestError, Notice, Problem

ROW_FIELD = "(row)"  # the field named by problems about a whole row
MAX_ROW_TEXT = 200  # characters of a bad row quoted in its problem
HEADER_PREFIX = 65_536  # characters read to find the header (grown when a header is longer)


@dataclass
class CsvRows:
    """The header, one text column per header position and the file line of each kept row.

    `problems` name kept rows (bad bytes) and dropped ones (wrong field count);
    `spans` gives the (first, last) file line of every record, header included.
    """

    header: list[str]
    columns: list[pa.ChunkedArray]
    lines: np.ndarray
    problems: list[Problem] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    spans: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), dtype="int64"))

    @property
    def total(self) -> int:
        """Return the number of data records, including rows with the wrong field count."""
        problem_lines = np.fromiter({p.line for p in self.problems}, dtype="int64")
        return len(self.lines) + int((~np.isin(problem_lines, self.lines)).sum())


def read_header(text: str, delimiter: str) -> list[str]:
    """Return the column names of the first record (whitespace trimmed)."""
    return _read_header(text, delimiter)[0]


def split_csv(decoded: DecodedText, delimiter: str, file: str) -> CsvRows:
    """Return the rows of a CSV text; rows with the wrong number of fields become problems.

    Raises IngestError for a header-only file or text the csv module cannot split.
    """
    header, header_lines = _read_header(decoded.text, delimiter)
    rows = _split_with_arrow(decoded.utf8, header, delimiter) if header_lines == 1 else None
    if rows is None:
        rows = _split_with_csv_module(decoded.text, header, delimiter, file)
    if rows.total == 0:
        raise IngestError(f"{file} has a header but no rows")
    _move_lines(rows, decoded.first_line - 1)
    _reject_bad_bytes(rows, decoded)
    return rows


def _move_lines(rows: CsvRows, offset: int) -> None:
    """Add `offset` to every line number (lines cut off before the header)."""
    if offset:
        rows.lines = rows.lines + offset
        rows.spans = rows.spans + offset
        rows.problems = [replace(p, line=p.line + offset) for p in rows.problems]


def _reject_bad_bytes(rows: CsvRows, decoded: DecodedText) -> None:
    """Add a Problem for each record holding a non-UTF-8 byte (a notice for the header).

    One problem per bad line: the first bad byte of the line names it.
    """
    first_per_line = list({bad.line: bad for bad in reversed(decoded.bad_bytes)}.values())[::-1]
    if not first_per_line:
        return
    found = np.array([bad.line for bad in first_per_line], dtype="int64")
    records = np.searchsorted(rows.spans[:, 0], found, side="right") - 1
    for bad, index in zip(first_per_line, records.tolist(), strict=True):
        first, last = (int(x) for x in rows.spans[index])
        if not first <= bad.line <= last:
            continue  # unreachable: a blank line holds no byte; every other line is a record
        shown = decoded.shown_line(bad)
        if index == 0:
            message = f"the header is not valid UTF-8 (byte 0x{bad.byte:02X}): read with U+FFFD"
            rows.notices.append(Notice(bad.line, None, shown, message))
            continue
        where = "" if bad.line == first else f" (on line {bad.line} of this record)"
        rows.problems.append(Problem(first, ROW_FIELD, shown, bad.reason() + where))


def _read_header(text: str, delimiter: str) -> tuple[list[str], int]:
    """Return the first record's names and the number of lines it spans."""
    prefix = HEADER_PREFIX
    while True:  # read a prefix only: copying a 100 MB text into StringIO costs a second
        reader = csv.reader(io.StringIO(text[:prefix], newline=""), delimiter=delimiter)
        header = next(reader, [])
        if reader.line_num < text.count("\n", 0, prefix) or prefix >= len(text):
            return [name.strip() for name in header], reader.line_num
        prefix *= 4


def _wrong_count(line: int, text: str, expected: int, found: int) -> Problem:
    shown = text if len(text) <= MAX_ROW_TEXT else text[:MAX_ROW_TEXT] + "…"
    return Problem(line, ROW_FIELD, shown, f"expected {expected} fields, found {found}")


def _split_with_arrow(data: bytes, header: list[str], delimiter: str) -> CsvRows | None:
    """Read with pyarrow; return None when records and physical lines do not line up."""
    names = [f"c{index}" for index in range(len(header))]
    invalid: list[pa_csv.InvalidRow] = []

    def keep_invalid(row: pa_csv.InvalidRow) -> str:
        invalid.append(row)
        return "skip"

    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1, use_threads=False),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=keep_invalid
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    physical_lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if table.num_rows + len(invalid) + 1 != physical_lines or any(
        r.number is None for r in invalid
    ):
        return None
    bad_lines = np.array([row.number for row in invalid], dtype="int64")
    every_line = np.arange(1, physical_lines + 1, dtype="int64")
    lines = every_line[1:]
    if len(bad_lines):
        lines = lines[~np.isin(lines, bad_lines)]
    problems = [
        _wrong_count(int(row.number), row.text, len(header), row.actual_columns) for row in invalid
    ]
    spans = np.column_stack([every_line, every_line])
    return CsvRows(header, [table.column(name) for name in names], lines, problems, spans=spans)


def _split_with_csv_module(text: str, header: list[str], delimiter: str, file: str) -> CsvRows:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    cells: list[list[str | None]] = [[] for _ in header]
    lines: list[int] = []
    problems: list[Problem] = []
    spans: list[tuple[int, int]] = []
    previous_line = 0
    try:
        for index, record in enumerate(reader):
            start, previous_line = previous_line + 1, reader.line_num
            if record:
                spans.append((start, previous_line))
            if index == 0 or not record:
                continue
            if len(record) != len(header):
                problems.append(
                    _wrong_count(start, delimiter.join(record), len(header), len(record))
                )
                continue
            lines.append(start)
            for column, value in zip(cells, record, strict=True):
                column.append(value or None)
    except csv.Error as error:
        raise IngestError(
            f"{file}: line {reader.line_num + 1}: cannot split the CSV: {error}"
        ) from error
    columns = [pa.chunked_array([pa.array(column, type=pa.string())]) for column in cells]
    span_array = np.array(spans, dtype="int64").reshape(-1, 2)
    return CsvRows(header, columns, np.array(lines, dtype="int64"), problems, spans=span_array)
