"""Read an incident file of any supported format, detected from its content, never its name."""

from __future__ import annotations

from pathlib import Path

from geo.ingest import acled, generic_csv, geojson, iom
from geo.ingest.assemble import build_result
from geo.ingest.detect import (
    DecodedText,
    content_kind,
    csv_flavour,
    decode,
    detect_delimiter,
    excel_separator,
    suffix_notice,
)
from geo.ingest.limits import (
    Deadline,
    Limits,
    check_csv_shape,
    check_json_shape,
    check_no_nul,
    check_rows,
)
from geo.ingest.raw import RawIncidents
from geo.ingest.report import IngestError, IngestResult, Notice
from geo.ingest.split_csv import read_header, split_csv
from geo.layers import Layers, load_layers
from geo.settings import DEFAULT_SETTINGS, Settings

CSV_READERS = {"csv": generic_csv, "acled": acled, "iom": iom}


def read_incidents(
    path: str | Path,
    *,
    layers: Layers | None = None,
    settings: Settings = DEFAULT_SETTINGS,
    limits: Limits | None = None,
) -> IngestResult:
    """Read an incident file (CSV, GeoJSON, ACLED or IOM MMP CSV) into canonical incidents.

    Every row is either an incident or named in the report's problems; raises IngestError
    when the file cannot be read at all or breaks one of `limits` (default: Limits.from_env(),
    see geo.ingest.limits). `layers` defaults to the bundled reference layers, loaded on each
    call (callers that read many files load them once and pass them in).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
        raise IngestError(f"{path}: cannot open: {error.strerror}") from error
    return read_incidents_bytes(
        data, str(path), layers=layers, settings=settings, limits=limits
    )


def read_incidents_bytes(
    data: bytes,
    name: str,
    *,
    layers: Layers | None = None,
    settings: Settings = DEFAULT_SETTINGS,
    limits: Limits | None = None,
) -> IngestResult:
    """Read incidents from bytes (an upload); `name` is used in messages and notices only.

    Raises IngestError as read_incidents does, limits included.
    """
    limits = limits if limits is not None else Limits.from_env()
    deadline = Deadline(name, limits.parse_seconds)
    decoded = decode(data, name)
    check_no_nul(decoded.utf8, name)
    kind = content_kind(decoded.text, name)
    deadline.check("decoding")
    raw = _read_json(decoded, name, limits) if kind == "json" else _read_csv(decoded, name, limits)
    check_rows(raw.total, name, limits)
    deadline.check("splitting into rows")
    mismatch = suffix_notice(name, kind)
    raw.notices[:0] = [*decoded.notices, *([mismatch] if mismatch else [])]
    result = build_result(raw, layers if layers is not None else _bundled_layers(), settings)
    deadline.check("validating")
    return result


def _read_json(decoded: DecodedText, name: str, limits: Limits) -> RawIncidents:
    check_json_shape(decoded.utf8, name, limits)
    return geojson.to_raw(decoded, name)


def _read_csv(decoded: DecodedText, name: str, limits: Limits) -> RawIncidents:
    separator = excel_separator(decoded.text)
    notices = []
    if separator is not None:
        notices.append(
            Notice(decoded.first_line, None, None, f"read the Excel 'sep={separator}' line")
        )
        decoded = decoded.after_first_line()
        if not decoded.text.strip():
            raise IngestError(f"{name} holds only an Excel 'sep={separator}' line")
    check_csv_shape(decoded.utf8, name, limits, decoded.first_line)
    delimiter = separator or detect_delimiter(decoded.text)
    header = read_header(decoded.text, delimiter)
    reader = CSV_READERS[csv_flavour(header)]
    reader.check_header(header, name)
    raw = reader.to_raw(split_csv(decoded, delimiter, name), name)
    raw.notices[:0] = notices
    return raw


def _bundled_layers() -> Layers:
    """Return the bundled reference layers, read now (caching belongs to dashboard/data.py)."""
    try:
        return load_layers()
    except (OSError, ValueError) as error:
        raise IngestError(f"cannot load the reference layers: {error}") from error
