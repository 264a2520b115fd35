"""Run the store's subcommands: `hito ingest FILE…` and `hito db init | stats | history`."""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import pandas as pd

from geo.cli_common import (
    EXIT_OK,
    EXIT_REJECTED,
    UserError,
    guard,
    load_layers_or_fail,
    print_report,
    read_file,
)
from geo.enrich import enrich
from geo.layers import Layers
from geo.store import STORE_ENV, IngestRecord, Store, StoreError
from geo.store.seed import open_default_store

CONFLICT_IDS_SHOWN: Final = 20
HISTORY_HEADER: Final = (
    "id  time (UTC)            format   accepted rejected added skipped conflicts updated  "
    "file (sha256)"
)
Command = Callable[[argparse.Namespace], int]


def add_store_commands(commands: Any) -> None:
    """Register `db` (init, stats, history) and `ingest` on argparse's subparsers object."""
    ingest = commands.add_parser("ingest", help="validate, enrich and add incident files")
    ingest.add_argument("files", type=Path, nargs="+", metavar="FILE", help="incident files")
    add_store_argument(ingest)
    ingest.add_argument("--update", action="store_true",
                        help="replace rows whose id is stored with other content "
                             "(the previous version is kept in the history table)")  # fmt: skip
    ingest.set_defaults(command=_run_ingest, name="ingest")

    database = commands.add_parser("db", help="create the store, or show what it holds")
    actions = database.add_subparsers(title="actions", required=True, metavar="ACTION")
    for action, run, text in (
        ("init", _run_init, "create the store or bring its schema up to date"),
        ("stats", _run_stats, "print row counts by crossing and category, and the time span"),
        ("history", _run_history, "print every ingest: time, file, format and counts"),
    ):
        parser = actions.add_parser(action, help=text)
        add_store_argument(parser)
        parser.set_defaults(command=run, name=f"db {action}")


def add_store_argument(parser: argparse.ArgumentParser) -> None:
    """Add --store URL (a .gpkg path or a postgresql:// URL; default $HITO_STORE)."""
    parser.add_argument("--store", metavar="URL",
                        help=f"a .gpkg path or postgresql:// URL (default: ${STORE_ENV}, else "
                             "data/hito.gpkg seeded with the synthetic demo data)")  # fmt: skip


@contextmanager
def opened_store(url: str | None, layers: Layers) -> Iterator[Store]:
    """Open and initialise the store; StoreError and bad URLs become one-line UserErrors."""
    try:
        store = open_default_store(layers, url)
    except StoreError as error:
        raise UserError(str(error)) from error
    try:
        yield store
    except StoreError as error:
        raise UserError(str(error)) from error
    finally:
        store.close()


# --- subcommands ----------------------------------------------------------------------------


def _run_init(args: argparse.Namespace) -> int:
    with opened_store(args.store, load_layers_or_fail()) as store:
        print(f"{store.url}: schema version {store.schema_version()}, {store.count()} incidents")
    return EXIT_OK


def _run_ingest(args: argparse.Namespace) -> int:
    layers = load_layers_or_fail()
    worst = EXIT_OK
    with opened_store(args.store, layers) as store:
        for path in args.files:
            record, rejected = _ingest_file(store, path, layers, update=args.update)
            print(_record_line(record, store.url))
            if record.conflicts:
                print(_conflict_line(record), file=sys.stderr)
            if rejected or record.conflicts:
                worst = EXIT_REJECTED
    return worst


def _run_stats(args: argparse.Namespace) -> int:
    with opened_store(args.store, load_layers_or_fail()) as store:
        rows = store.query()
        print(f"{store.url}: schema version {store.schema_version()}, {len(rows)} incidents, "
              f"{len(store.ingests())} ingests")  # fmt: skip
        if not rows.empty:
            times = rows["occurred_at"]
            print(f"time span (UTC): {times.min().isoformat()} – {times.max().isoformat()}")
            synthetic = int(rows["synthetic"].astype("boolean").fillna(False).sum())
            print(f"synthetic rows: {synthetic}")
            for column in ("crossing", "category", "region"):
                print(f"by {column}: {_counts(rows[column])}")
    return EXIT_OK


def _run_history(args: argparse.Namespace) -> int:
    with opened_store(args.store, load_layers_or_fail()) as store:
        print(HISTORY_HEADER)
        for record in store.ingests():
            print(_history_line(record))
    return EXIT_OK


# --- steps ----------------------------------------------------------------------------------


def _ingest_file(
    store: Store, path: Path, layers: Layers, *, update: bool
) -> tuple[IngestRecord, int]:
    """Validate, enrich and ingest one file; print its report; return the record and rejects."""
    result = read_file(path, layers=layers)
    report = result.report
    print_report(report.to_dict(), sys.stderr, limit=20)
    enriched = guard(lambda: enrich(result.incidents, layers))
    record = guard(
        lambda: store.ingest(
            enriched,
            file_name=path.name,
            file_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            source_format=report.format,
            rejected=report.rejected,
            update=update,
        )
    )
    return record, report.rejected


def _record_line(record: IngestRecord, url: str) -> str:
    return (
        f"{record.file_name} → {url}: {record.added} added, {record.skipped} already stored, "
        f"{record.conflicts} in conflict, {record.updated} updated "
        f"({record.accepted} accepted, {record.rejected} rejected; ingest {record.ingest_id})"
    )


def _history_line(record: IngestRecord) -> str:
    counts = (
        f"{record.accepted:>8} {record.rejected:>8} {record.added:>5} {record.skipped:>7} "
        f"{record.conflicts:>9} {record.updated:>7}"
    )
    return (
        f"{record.ingest_id:<3} {record.at:%Y-%m-%d %H:%M:%S}   {record.source_format:<8} "
        f"{counts}  {record.file_name} ({record.file_sha256[:12]})"
    )


def _conflict_line(record: IngestRecord) -> str:
    shown = ", ".join(record.conflict_ids[:CONFLICT_IDS_SHOWN])
    more = len(record.conflict_ids) - CONFLICT_IDS_SHOWN
    tail = f" and {more} more" if more > 0 else ""
    return (
        f"{record.file_name}: {record.conflicts} ids are stored with other content and were "
        f"not changed: {shown}{tail} (run again with --update to replace them; the stored "
        "versions are kept in the history table)"
    )


def _counts(values: pd.Series) -> str:
    counted = values.astype("string").fillna("—").value_counts()
    return ", ".join(f"{name} {count}" for name, count in counted.items())
