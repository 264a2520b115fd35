"""Ingest one incident file into a store, printing progress: the process the store tests start.

Usage: python tests/store/ingest_worker.py STORE_URL FILE [--chunk N]

Reads FILE with geo.ingest.read_incidents, enriches it with the bundled layers, brings the
store's schema up to date and ingests the rows, printing `progress <rows written>` after
each chunk and `done <added> <skipped> <conflicts>` at the end (every line flushed).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.layers import load_layers
from geo.store import open_store


def _print(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store_url")
    parser.add_argument("file", type=Path)
    parser.add_argument("--chunk", type=int, default=None, help="rows per written chunk")
    args = parser.parse_args(argv)
    layers = load_layers()
    result = read_incidents(args.file, layers=layers)
    incidents = enrich(result.incidents, layers)
    store = open_store(args.store_url)
    try:
        store.init()
        if args.chunk is not None:
            store.chunk_rows = args.chunk  # type: ignore[attr-defined]  # both backends have it
        record = store.ingest(
            incidents,
            file_name=args.file.name,
            file_sha256=hashlib.sha256(args.file.read_bytes()).hexdigest(),
            source_format=result.report.format,
            rejected=result.report.rejected,
            on_progress=lambda written: _print(f"progress {written}"),
        )
    finally:
        store.close()
    _print(f"done {record.added} {record.skipped} {record.conflicts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
