"""Run Hito from the command line: validate, enrich, demo, snapshot, export, ingest and db."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import geopandas as gpd

from geo import cli_outputs as outputs
from geo import cli_views as views
from geo.caption import DEMO_SOURCE
from geo.cli_common import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_UNREADABLE,
    UserError,
    check_output,
    guard,
    load_layers_or_fail,
    print_report,
    read_file,
    write_frame,
)
from geo.cli_store import add_store_commands, opened_store
from geo.demo import generate_demo
from geo.enrich import enrich
from geo.exports import export_bytes, export_name
from geo.layers import Layers
from geo.privacy import gate, policy_from_env
from geo.query import Filter, apply_filter, prepare
from geo.settings import data_dir

PROBLEM_LINES_IN_SUMMARY: Final = 20  # `hito enrich` lists this many; `hito validate` lists all
COUNTRIES_FILE: Final = "countries.geojson"  # country outlines drawn under the snapshots


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
    add_store_commands(commands)
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
    result = read_file(args.file, layers=None)
    report = result.report
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print_report(report.to_dict(), sys.stdout, limit=None)
    return EXIT_REJECTED if report.rejected else EXIT_OK


def _run_enrich(args: argparse.Namespace) -> int:
    check_output(args.output)
    layers = load_layers_or_fail()
    result = read_file(args.file, layers=layers)
    print_report(result.report.to_dict(), sys.stderr, limit=PROBLEM_LINES_IN_SUMMARY)
    enriched = guard(lambda: enrich(result.incidents, layers))
    write_frame(enriched, args.output)
    print(f"wrote {len(enriched)} enriched incidents to {args.output}", file=sys.stderr)
    return EXIT_REJECTED if result.report.rejected else EXIT_OK


def _run_demo(args: argparse.Namespace) -> int:
    check_output(args.output)
    layers = load_layers_or_fail()
    frame = guard(lambda: generate_demo(args.n, args.seed, layers))
    write_frame(frame, args.output)
    print(f"wrote {len(frame)} SYNTHETIC demo incidents (seed {args.seed}) to {args.output}",
          file=sys.stderr)  # fmt: skip
    return EXIT_OK


def _run_snapshot(args: argparse.Namespace) -> int:
    made_at = datetime.now(UTC)
    fmt = guard(lambda: views.output_format(args.output, args.format, views.SNAPSHOT_OUTPUTS))
    picture: views.Picture = guard(lambda: views.picture_options(args))
    view = _load_view(args)
    countries = _countries()
    content = guard(lambda: outputs.draw_snapshot(view, countries, fmt, picture, made_at))
    path = _save(content, args.output, _FileName("map", view.flt, made_at, fmt))
    print(outputs.written_line(path, view, len(content)), file=sys.stderr)
    return EXIT_REJECTED if view.rejected else EXIT_OK


def _run_export(args: argparse.Namespace) -> int:
    made_at = datetime.now(UTC)
    fmt = guard(lambda: views.output_format(args.output, args.format, views.EXPORT_OUTPUTS))
    view = _load_view(args)
    content = guard(lambda: export_bytes(view.filtered, fmt, role=view.role))
    path = _save(content, args.output, _FileName("incidents", view.flt, made_at, fmt))
    print(outputs.written_line(path, view, len(content)), file=sys.stderr)
    return EXIT_REJECTED if view.rejected else EXIT_OK


# --- snapshot and export steps --------------------------------------------------------------


@dataclass(frozen=True)
class _FileName:
    """What a unique file name is made of, when -o is a folder."""

    kind: str
    flt: Filter
    made_at: datetime
    suffix: str


def _load_view(args: argparse.Namespace) -> views.FilteredView:
    """Check the output folder and the filter, then read the filtered incidents --role may
    take: from --input (read, enriched, filtered here) or from the store."""
    if not args.output.is_dir() and not args.output.parent.is_dir():
        raise UserError(f"{args.output}: output folder {args.output.parent} does not exist")
    layers = load_layers_or_fail()
    flt: Filter = guard(lambda: views.view_filter(args, layers))
    if args.input is None:
        return _view_from_store(args.store, layers, flt, args.role)
    result = read_file(args.input, layers=layers)
    report = result.report
    if report.rejected:
        print(f"{args.input}: {report.rejected} of {report.total} rows rejected; using the "
              f"{report.accepted} accepted rows (run `hito validate {args.input}` for the "
              "reasons)", file=sys.stderr)  # fmt: skip
    incidents = guard(lambda: _for_role(prepare(enrich(result.incidents, layers)), args.role))
    filtered = guard(lambda: apply_filter(incidents, flt))
    return views.FilteredView(layers, flt, filtered, args.input.name, report.rejected, args.role)


def _view_from_store(url: str | None, layers: Layers, flt: Filter, role: str) -> views.FilteredView:
    """Read the rows `flt` selects from the store: in the database for an analyst; for the
    public every row first passes the privacy gate (groups are judged on the whole data)."""
    with opened_store(url, layers) as store:
        rows = store.query(flt if role == "analyst" else None)
        filtered = guard(lambda: apply_filter(_for_role(prepare(rows), role), flt))
        name = store.url
    every_row_synthetic = bool(filtered["synthetic"].astype("boolean").fillna(False).all())
    source = DEMO_SOURCE if every_row_synthetic and len(filtered) else name
    return views.FilteredView(layers, flt, filtered, source, 0, role)


def _for_role(incidents: gpd.GeoDataFrame, role: str) -> gpd.GeoDataFrame:
    """Return what `role` may take out: the public's rows pass geo.privacy.gate."""
    if role == "analyst":
        return incidents
    gated = gate(incidents, "public", policy_from_env())
    if len(gated) < len(incidents):
        print(f"privacy gate (public): {len(incidents) - len(gated)} of {len(incidents)} rows "
              "withheld (groups under k reports); --role analyst gives full records",
              file=sys.stderr)  # fmt: skip
    return gated


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


if __name__ == "__main__":
    sys.exit(main())
