"""Split CSV text into string columns, keeping each row's file line; catch wrong field counts.

Fast path: pyarrow reads every column as text when each record sits on one physical line
(no blank lines, no quoted newlines), so the record after the header on line 1 is on line 2,
and so on. Otherwise the csv module reads the file and `reader.line_num` gives each line.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv

from geo.ingest.detect import DecodedText
from geo.ingest.report import IngestError, Problem

ROW_FIELD = "(row)"  # the field named by problems about a whole row
MAX_ROW_TEXT = 200  # characters of a bad row quoted in its problem
HEADER_PREFIX = 65_536  # characters read to find the header (grown when a header is longer)


@dataclass
class CsvRows:
    """The header, one text column per header position and the file line of each kept row."""

    header: list[str]
    columns: list[pa.ChunkedArray]
    lines: np.ndarray
    problems: list[Problem] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Return the number of data records, including rows with the wrong field count."""
        return len(self.lines) + len(self.problems)


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
    return rows


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
    lines = np.arange(2, physical_lines + 1, dtype="int64")
    if len(bad_lines):
        lines = lines[~np.isin(lines, bad_lines)]
    problems = [
        _wrong_count(int(row.number), row.text, len(header), row.actual_columns) for row in invalid
    ]
    return CsvRows(header, [table.column(name) for name in names], lines, problems)


def _split_with_csv_module(text: str, header: list[str], delimiter: str, file: str) -> CsvRows:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    cells: list[list[str | None]] = [[] for _ in header]
    lines: list[int] = []
    problems: list[Problem] = []
    previous_line = 0
    try:
        for index, record in enumerate(reader):
            start, previous_line = previous_line + 1, reader.line_num
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
    return CsvRows(header, columns, np.array(lines, dtype="int64"), problems)
