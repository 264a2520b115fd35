"""Open the store the app and the CLI use by default, creating and seeding it on first use."""

from __future__ import annotations

import hashlib
import os

from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.layers import Layers
from geo.settings import data_dir
from geo.store import STORE_ENV, IngestRecord, Store, default_store_url, open_store

DEMO_FILE = "demo_incidents.csv"


def open_default_store(layers: Layers, url: str | None = None) -> Store:
    """Open `url` (default: default_store_url()) and bring its schema up to date.

    The built-in default — no `url` and no $HITO_STORE — is a GeoPackage in the data
    folder that is seeded with the bundled synthetic demo incidents the first time it is
    opened (when it has no ingest yet). A store the user named is never seeded.
    """
    chosen = url or os.environ.get(STORE_ENV)
    store = open_store(chosen or default_store_url())
    store.init()
    if not chosen and not store.ingests():
        seed_demo(store, layers)
    return store


def seed_demo(store: Store, layers: Layers) -> IngestRecord:
    """Ingest the bundled demo incidents (every row synthetic) into `store`."""
    path = data_dir() / DEMO_FILE
    result = read_incidents(path, layers=layers)
    return store.ingest(
        enrich(result.incidents, layers),
        file_name=path.name,
        file_sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        source_format=result.report.format,
        rejected=result.report.rejected,
    )
