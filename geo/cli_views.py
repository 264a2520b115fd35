"""Read the view options of `hito snapshot` and `hito export`: filter, picture, format, output.

Options are read as plain text by argparse and checked here, so a bad value is reported
in one line naming the option and the value (raised as ValueError; geo.cli prints it).
"""

from __future__ import annotations

import argparse
import math
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import geopandas as gpd

from geo.exports import EXPORT_FORMATS
from geo.i18n import LANGS
from geo.layers import Layers
from geo.query import SIDES, Filter
from geo.schema import CATEGORIES, DISPLAY_ZONES

PICTURE_FORMATS: Final[tuple[str, ...]] = ("png", "pdf", "svg")  # geo.snapshot.SNAPSHOT_FORMATS
SNAPSHOT_OUTPUTS: Final[tuple[str, ...]] = (*PICTURE_FORMATS, "html")
EXPORT_OUTPUTS: Final[tuple[str, ...]] = EXPORT_FORMATS
SUFFIX_ALIASES: Final[dict[str, str]] = {"htm": "html"}
DEFAULT_ZONE: Final = "America/Santiago"
DEFAULT_WIDTH_PX: Final = 1600
DEFAULT_HEIGHT_PX: Final = 1200
DEFAULT_DPI: Final = 100
ISO_DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
NEGATIVE_START: Final = re.compile(r"-[0-9.]")  # a --bbox value, not an option


@dataclass(frozen=True)
class Picture:
    """How to draw a snapshot: extent (None = the filter's), size in pixels, dpi, language."""

    bbox: tuple[float, float, float, float] | None
    width_px: int
    height_px: int
    dpi: int
    lang: str


@dataclass(frozen=True)
class FilteredView:
    """The filtered incidents a snapshot or export shows, and where they came from."""

    layers: Layers
    flt: Filter
    filtered: gpd.GeoDataFrame
    source: str  # the input file's or store's name, or geo.caption.DEMO_SOURCE
    rejected: int  # input rows rejected by ingest (the accepted rest is used)
    role: str = "public"  # who the files are for: "public" rows passed geo.privacy.gate


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --from/--to/--tz/--crossing/--category/--region/--side, --input and --store."""
    group = parser.add_argument_group("filter (the same as the dashboard's sidebar)")
    group.add_argument("--from", dest="start", metavar="DATE", help="first day, YYYY-MM-DD")
    group.add_argument("--to", dest="end", metavar="DATE", help="last day, YYYY-MM-DD")
    group.add_argument("--tz", default=DEFAULT_ZONE, metavar="ZONE",
                       help=f"zone the days are read in: {', '.join(DISPLAY_ZONES)} "
                       f"(default {DEFAULT_ZONE})")  # fmt: skip
    for option, metavar, what in (
        ("--crossing", "ID", "crossing id"),
        ("--category", "C", "category"),
        ("--region", "R", "region id (CL-AP, PE-TAC)"),
        ("--side", "S", "side (CL, PE)"),
    ):
        group.add_argument(option, action="extend", nargs="+", default=[], metavar=metavar,
                           help=f"keep only this {what}; repeat or list several")  # fmt: skip
    group.add_argument("--bbox", metavar="MINX,MINY,MAXX,MAXY",
                       help="keep (and, for a snapshot, show) only this lon/lat box")  # fmt: skip
    group.add_argument("--role", choices=("public", "analyst"), default="public",
                       help="public (default): rows pass the privacy gate (1 km cells, days, "
                            "groups under k withheld, no ids or descriptions); analyst: full "
                            "records")  # fmt: skip
    source = group.add_mutually_exclusive_group()
    source.add_argument("--input", type=Path, metavar="FILE",
                        help="read this incident file instead of the store")  # fmt: skip
    source.add_argument("--store", metavar="URL",
                        help="the store to read (a .gpkg path or postgresql:// URL; default "
                             "$HITO_STORE, else data/hito.gpkg seeded with the synthetic "
                             "demo data)")  # fmt: skip


def add_output_arguments(parser: argparse.ArgumentParser, formats: tuple[str, ...]) -> None:
    """Add --format and -o/--output (a file, or a folder that gets a unique file name)."""
    parser.add_argument("--format", metavar="FMT",
                        help=f"{'|'.join(formats)} (default: from OUT's suffix)")  # fmt: skip
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="OUT",
                        help="output file, or an existing folder for a unique name")  # fmt: skip


def add_picture_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --width/--height/--dpi/--lang (numbers checked by picture_options)."""
    parser.add_argument("--width", default=str(DEFAULT_WIDTH_PX), metavar="PX",
                        help=f"picture width in pixels (default {DEFAULT_WIDTH_PX})")  # fmt: skip
    parser.add_argument("--height", default=str(DEFAULT_HEIGHT_PX), metavar="PX",
                        help=f"picture height in pixels (default {DEFAULT_HEIGHT_PX})")  # fmt: skip
    parser.add_argument("--dpi", default=str(DEFAULT_DPI), metavar="N",
                        help=f"dots per inch; 300 for print (default {DEFAULT_DPI})")  # fmt: skip
    parser.add_argument("--lang", default="es", metavar="LANG",
                        help=f"caption language: {'|'.join(LANGS)} (default es)")  # fmt: skip


def attach_bbox_value(argv: list[str]) -> list[str]:
    """Return argv with "--bbox -70.4,…" written "--bbox=-70.4,…" (argparse reads an option)."""
    joined: list[str] = []
    for arg in argv:
        if joined and joined[-1] == "--bbox" and NEGATIVE_START.match(arg):
            joined[-1] = f"--bbox={arg}"
        else:
            joined.append(arg)
    return joined


# --- checks ---------------------------------------------------------------------------------


def view_filter(args: argparse.Namespace, layers: Layers) -> Filter:
    """Return the Filter the options describe; ValueError names the first bad option."""
    start = _day("--from", args.start)
    end = _day("--to", args.end)
    if start is not None and end is not None and start > end:
        raise ValueError(f"--from {start.isoformat()} is after --to {end.isoformat()}")
    _one_of("--tz", [args.tz], DISPLAY_ZONES)
    _one_of("--crossing", args.crossing, tuple(str(i) for i in layers.crossings["id"]))
    _one_of("--category", args.category, CATEGORIES)
    _one_of("--region", args.region, tuple(str(i) for i in layers.regions["id"]))
    _one_of("--side", args.side, SIDES)
    return Filter(
        start=start,
        end=end,
        zone=args.tz,
        crossings=_unique(args.crossing),
        categories=_unique(args.category),
        regions=_unique(args.region),
        sides=_unique(args.side),
        bbox=parse_bbox(args.bbox),
    )


def picture_options(args: argparse.Namespace) -> Picture:
    """Return the checked picture options (geo.snapshot's limits); ValueError names the option."""
    from geo.snapshot import DPI_RANGE, SIZE_RANGE_PX  # matplotlib loads for snapshots only

    _one_of("--lang", [args.lang], LANGS)
    return Picture(
        bbox=parse_bbox(args.bbox),
        width_px=_whole("--width", args.width, *SIZE_RANGE_PX),
        height_px=_whole("--height", args.height, *SIZE_RANGE_PX),
        dpi=_whole("--dpi", args.dpi, *DPI_RANGE),
        lang=args.lang,
    )


def output_format(output: Path, requested: str | None, formats: tuple[str, ...]) -> str:
    """Return the format to write: --format, else OUT's suffix; ValueError when they disagree.

    An existing folder as OUT takes its format from --format alone.
    """
    if requested is not None:
        _one_of("--format", [requested], formats)
    if output.is_dir():
        if requested is None:
            raise ValueError(f"-o {output} is a folder: give --format ({'|'.join(formats)})")
        return requested
    suffix = output.suffix.lower().lstrip(".")
    suffix = SUFFIX_ALIASES.get(suffix, suffix)
    if suffix not in formats:
        shown = output.suffix or "(none)"
        raise ValueError(f"-o {output}: suffix {shown} is not one of .{', .'.join(formats)}")
    if requested is not None and requested != suffix:
        raise ValueError(f"--format {requested} does not match -o {output} (.{suffix})")
    return suffix


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """Return "minx,miny,maxx,maxy" (degrees) as floats; ValueError naming --bbox if bad."""
    if text is None:
        return None
    parts = text.split(",")
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        values = ()
    if len(values) != 4 or not all(math.isfinite(value) for value in values):
        raise ValueError(f"--bbox: {text!r} is not four numbers minx,miny,maxx,maxy")
    minx, miny, maxx, maxy = values
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise ValueError(f"--bbox: {text!r} is not a lon/lat box with minx < maxx, miny < maxy")
    return minx, miny, maxx, maxy


# --- what the commands draw and print -------------------------------------------------------


def _day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        if not ISO_DAY.fullmatch(text):  # fromisoformat alone also takes 20251201 and 2025-W49
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{option}: {text!r} is not a date (YYYY-MM-DD)") from None


def _whole(option: str, text: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{option}: {text!r} is not a whole number") from None
    if not low <= value <= high:
        raise ValueError(f"{option}: {value} is not from {low} to {high}")
    return value


def _one_of(option: str, values: list[str], known: tuple[str, ...]) -> None:
    for value in values:
        if value not in known:
            raise ValueError(f"{option}: {value!r} is not one of {', '.join(known)}")


def _unique(values: list[str]) -> tuple[str, ...]:
    """Return the values in the order given, each once."""
    return tuple(dict.fromkeys(values))
