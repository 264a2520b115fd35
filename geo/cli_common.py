"""The pieces every `hito` subcommand shares: exit codes, one-line errors, reading, report text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Final, TextIO

import geopandas as gpd

from geo.ingest import IngestError, IngestResult, read_incidents
from geo.layers import LayerError, Layers, load_layers
from geo.writers import check_output_path, write_incidents

EXIT_OK: Final = 0
EXIT_REJECTED: Final = 1  # the file was read but some rows were rejected (or in conflict)
EXIT_UNREADABLE: Final = 2  # the file (or a layer, or the store) could not be read; bad arguments


class UserError(Exception):
    """An expected failure to report as one line on stderr (exit 2), never a traceback."""


# --- steps that turn expected failures into UserError ----------------------------------------


def read_file(path: Path, layers: Layers | None) -> IngestResult:
    """Read and validate an incident file; a missing or unreadable file is a UserError."""
    if not path.is_file():
        raise UserError(f"{path}: file not found")
    try:
        return read_incidents(path, layers=layers)
    except (IngestError, OSError, UnicodeDecodeError) as error:
        raise UserError(str(error)) from error


def load_layers_or_fail() -> Layers:
    """Return the bundled reference layers; a broken layer file is a UserError."""
    try:
        return load_layers()
    except (LayerError, OSError) as error:
        raise UserError(str(error)) from error


def check_output(path: Path) -> None:
    """Refuse an output path of an unknown format or in a folder that does not exist."""
    guard(lambda: check_output_path(path))
    if not path.parent.is_dir():
        raise UserError(f"{path}: output folder {path.parent} does not exist")


def write_frame(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write incidents to `path` (format by suffix); failures are UserErrors naming it."""
    try:
        write_incidents(frame, path)
    except ValueError as error:  # its message names the file already
        raise UserError(str(error)) from error
    except OSError as error:
        raise UserError(f"{path}: cannot write: {error.strerror or error}") from error


def guard(step: Callable[[], Any]) -> Any:
    """Run `step`, turning a ValueError (bad input, with its own clear message) into UserError."""
    try:
        return step()
    except ValueError as error:
        raise UserError(str(error)) from error


# --- report text ----------------------------------------------------------------------------


def print_report(report: dict[str, Any], stream: TextIO, limit: int | None) -> None:
    """Print counts, then one line per problem, then notices (at most `limit` of each)."""
    print(f"{report['file']} ({report['format']}): {report['total']} rows, "
          f"{report['accepted']} accepted, {report['rejected']} rejected, "
          f"{len(report['notices'])} notices", file=stream)  # fmt: skip
    for key, text_key in (("problems", "reason"), ("notices", "message")):
        entries: Sequence[dict[str, Any]] = report[key]
        if not entries:
            continue
        print(f"{key} ({len(entries)}):", file=stream)
        for entry in entries[:limit]:
            print(f"  {entry_line(entry, text_key)}", file=stream)
        if limit is not None and len(entries) > limit:
            more = len(entries) - limit
            hint = f"run `hito validate {report['file']}` for all"
            print(f"  … and {more} more ({hint})", file=stream)


def entry_line(entry: dict[str, Any], text_key: str) -> str:
    """Return `line N, field F, value 'V': text`, leaving out the parts a notice lacks."""
    parts = [
        f"line {entry['line']}" if entry.get("line") is not None else "",
        f"feature {entry['feature']}" if entry.get("feature") is not None else "",
        f"field {entry['field']}" if entry.get("field") is not None else "",
        f"value '{entry['value']}'" if entry.get("value") is not None else "",
    ]
    where = ", ".join(part for part in parts if part)
    return f"{where}: {entry[text_key]}" if where else str(entry[text_key])
