"""Run Hito from the command line: `hito validate`, `enrich`, `demo`, `snapshot`, `export`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, TextIO

import geopandas as gpd

from geo import cli_views as views
from geo.caption import DEMO_SOURCE
from geo.demo import generate_demo
from geo.enrich import enrich
from geo.exports import export_bytes, export_name
from geo.ingest import IngestError, IngestResult, read_incidents
from geo.layers import LayerError, Layers, load_layers
from geo.query import Filter, apply_filter, prepare
from geo.settings import data_dir
from geo.writers import check_output_path, write_incidents

EXIT_OK: Final = 0
EXIT_REJECTED: Final = 1  # the file was read but some rows were rejected
EXIT_UNREADABLE: Final = 2  # the file (or a layer) could not be read at all; bad arguments
PROBLEM_LINES_IN_SUMMARY: Final = 20  # `hito enrich` lists this many; `hito validate` lists all
DEMO_FILE: Final = "demo_incidents.csv"  # in geo.settings.data_dir(): the default --input
COUNTRIES_FILE: Final = "countries.geojson"  # country outlines drawn under the snapshots


class UserError(Exception):
    """An expected failure to report as one line on stderr (exit 2), never a traceback."""


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the subcommand and return its exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(views.attach_bbox_value(sys.argv[1:] if argv is None else argv))
    except SystemExit as exit_request:  # argparse has printed usage or help already
        return _exit_code(exit_request.code)
    command: Callable[[argparse.Namespace], int] = args.command
    try:
        return command(args)
    except UserError as error:
        print(f"hito {args.name}: {error}", file=sys.stderr)
        if getattr(args, "json", False):  # JSON readers get the failure on stdout too
            print(json.dumps({"file": str(args.file), "error": str(error)}, ensure_ascii=False))
        return EXIT_UNREADABLE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hito", description="Check, enrich, generate, draw and export incidents for Hito."
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check an incident file and print the report")
    validate.add_argument("file", type=Path, metavar="FILE", help="CSV or GeoJSON incident file")
    validate.add_argument("--json", action="store_true", help="print the report as JSON")
    validate.set_defaults(command=_run_validate, name="validate")

    enrich = commands.add_parser("enrich", help="validate, add derived columns, write rows")
    enrich.add_argument("file", type=Path, metavar="FILE", help="CSV or GeoJSON incident file")
    enrich.add_argument("-o", "--output", type=Path, required=True, metavar="OUT",
                        help="output file: .csv, .geojson or .gpkg")  # fmt: skip
    enrich.set_defaults(command=_run_enrich, name="enrich")

    demo = commands.add_parser("demo", help="write seeded, clearly synthetic demo incidents")
    demo.add_argument("--n", type=_non_negative_int, default=5000, help="rows (default 5000)")
    demo.add_argument("--seed", type=_non_negative_int, default=1, help="random seed (default 1)")
    demo.add_argument("-o", "--output", type=Path, required=True, metavar="FILE",
                      help="output file: .csv, .geojson or .gpkg")  # fmt: skip
    demo.set_defaults(command=_run_demo, name="demo")

    snapshot = commands.add_parser("snapshot", help="draw the filtered incidents as a map file")
    views.add_filter_arguments(snapshot)
    views.add_picture_arguments(snapshot)
    views.add_output_arguments(snapshot, views.SNAPSHOT_OUTPUTS)
    snapshot.set_defaults(command=_run_snapshot, name="snapshot")

    export = commands.add_parser("export", help="write the filtered incidents' public columns")
    views.add_filter_arguments(export)
    views.add_output_arguments(export, views.EXPORT_OUTPUTS)
    export.set_defaults(command=_run_export, name="export")
    return parser


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


def _exit_code(code: str | int | None) -> int:
    return code if isinstance(code, int) else (EXIT_OK if code is None else EXIT_UNREADABLE)


# --- subcommands ----------------------------------------------------------------------------


def _run_validate(args: argparse.Namespace) -> int:
    result = _read(args.file, layers=None)
    report = result.report
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_report(report.to_dict(), sys.stdout, limit=None)
    return EXIT_REJECTED if report.rejected else EXIT_OK


def _run_enrich(args: argparse.Namespace) -> int:
    _check_output(args.output)
    layers = _load_layers()
    result = _read(args.file, layers=layers)
    _print_report(result.report.to_dict(), sys.stderr, limit=PROBLEM_LINES_IN_SUMMARY)
    enriched = _guard(lambda: enrich(result.incidents, layers))
    _write(enriched, args.output)
    print(f"wrote {len(enriched)} enriched incidents to {args.output}", file=sys.stderr)
    return EXIT_REJECTED if result.report.rejected else EXIT_OK


def _run_demo(args: argparse.Namespace) -> int:
    _check_output(args.output)
    layers = _load_layers()
    frame = _guard(lambda: generate_demo(args.n, args.seed, layers))
    _write(frame, args.output)
    print(f"wrote {len(frame)} SYNTHETIC demo incidents (seed {args.seed}) to {args.output}",
          file=sys.stderr)  # fmt: skip
    return EXIT_OK


def _run_snapshot(args: argparse.Namespace) -> int:
    made_at = datetime.now(UTC)
    fmt = _guard(lambda: views.output_format(args.output, args.format, views.SNAPSHOT_OUTPUTS))
    picture: views.Picture = _guard(lambda: views.picture_options(args))
    view = _load_view(args)
    countries = _countries()
    content = _guard(lambda: views.draw_snapshot(view, countries, fmt, picture, made_at))
    path = _save(content, args.output, _FileName("map", view.flt, made_at, fmt))
    print(views.written_line(path, view, len(content)), file=sys.stderr)
    return EXIT_REJECTED if view.rejected else EXIT_OK


def _run_export(args: argparse.Namespace) -> int:
    made_at = datetime.now(UTC)
    fmt = _guard(lambda: views.output_format(args.output, args.format, views.EXPORT_OUTPUTS))
    view = _load_view(args)
    content = _guard(lambda: export_bytes(view.filtered, fmt))
    path = _save(content, args.output, _FileName("incidents", view.flt, made_at, fmt))
    print(views.written_line(path, view, len(content)), file=sys.stderr)
    return EXIT_REJECTED if view.rejected else EXIT_OK


# --- snapshot and export steps --------------------------------------------------------------


@dataclass(frozen=True)
class _FileName:
    """What a unique file name is made of, when -o is a folder."""

    kind: str
    flt: Filter
    made_at: datetime
    suffix: str


def _load_view(args: argparse.Namespace) -> views.View:
    """Check the output folder and the filter, read and enrich the input, apply the filter."""
    if not args.output.is_dir() and not args.output.parent.is_dir():
        raise UserError(f"{args.output}: output folder {args.output.parent} does not exist")
    layers = _load_layers()
    flt: Filter = _guard(lambda: views.view_filter(args, layers))
    path = args.input if args.input is not None else data_dir() / DEMO_FILE
    result = _read(path, layers=layers)
    report = result.report
    if report.rejected:
        print(f"{path}: {report.rejected} of {report.total} rows rejected; using the "
              f"{report.accepted} accepted rows (run `hito validate {path}` for the reasons)",
              file=sys.stderr)  # fmt: skip
    incidents = _guard(lambda: prepare(enrich(result.incidents, layers)))
    filtered = _guard(lambda: apply_filter(incidents, flt))
    source = path.name if args.input is not None else DEMO_SOURCE
    return views.View(layers, flt, filtered, source, report.rejected)


def _countries() -> gpd.GeoDataFrame:
    path = data_dir() / COUNTRIES_FILE
    try:
        return gpd.read_file(path)
    except OSError as error:
        raise UserError(f"{path}: cannot read the country outlines: {error}") from error


def _save(content: bytes, output: Path, name: _FileName) -> Path:
    """Write `content` to `output`, or to a unique name inside it when it is a folder."""
    path = output
    if output.is_dir():
        path = output / export_name(name.kind, name.flt, content, name.made_at, name.suffix)
    try:
        path.write_bytes(content)
    except OSError as error:
        raise UserError(f"{path}: cannot write: {error.strerror or error}") from error
    return path


# --- steps that turn expected failures into UserError ----------------------------------------


def _read(path: Path, layers: Layers | None) -> IngestResult:
    if not path.is_file():
        raise UserError(f"{path}: file not found")
    try:
        return read_incidents(path, layers=layers)
    except (IngestError, OSError, UnicodeDecodeError) as error:
        raise UserError(str(error)) from error


def _load_layers() -> Layers:
    try:
        return load_layers()
    except (LayerError, OSError) as error:
        raise UserError(str(error)) from error


def _check_output(path: Path) -> None:
    _guard(lambda: check_output_path(path))
    if not path.parent.is_dir():
        raise UserError(f"{path}: output folder {path.parent} does not exist")


def _write(frame: gpd.GeoDataFrame, path: Path) -> None:
    try:
        write_incidents(frame, path)
    except ValueError as error:  # its message names the file already
        raise UserError(str(error)) from error
    except OSError as error:
        raise UserError(f"{path}: cannot write: {error.strerror or error}") from error


def _guard(step: Callable[[], Any]) -> Any:
    """Run `step`, turning a ValueError (bad input, with its own clear message) into UserError."""
    try:
        return step()
    except ValueError as error:
        raise UserError(str(error)) from error


# --- report text ----------------------------------------------------------------------------


def _print_report(report: dict[str, Any], stream: TextIO, limit: int | None) -> None:
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
            print(f"  {_entry_line(entry, text_key)}", file=stream)
        if limit is not None and len(entries) > limit:
            more = len(entries) - limit
            hint = f"run `hito validate {report['file']}` for all"
            print(f"  … and {more} more ({hint})", file=stream)


def _entry_line(entry: dict[str, Any], text_key: str) -> str:
    """Return `line N, field F, value 'V': text`, leaving out the parts a notice lacks."""
    parts = [
        f"line {entry['line']}" if entry.get("line") is not None else "",
        f"feature {entry['feature']}" if entry.get("feature") is not None else "",
        f"field {entry['field']}" if entry.get("field") is not None else "",
        f"value '{entry['value']}'" if entry.get("value") is not None else "",
    ]
    where = ", ".join(part for part in parts if part)
    return f"{where}: {entry[text_key]}" if where else str(entry[text_key])


if __name__ == "__main__":
    sys.exit(main())
