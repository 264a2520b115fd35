"""Keep incidents over months: open the store a URL names (a GeoPackage file or PostGIS)."""

from __future__ import annotations

import os
from pathlib import Path

from geo.settings import data_dir
from geo.store.base import SCHEMA_VERSION, STORE_ENV, IngestRecord, Store, StoreError

DEFAULT_STORE_FILE = "hito.gpkg"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")

__all__ = [
    "SCHEMA_VERSION", "STORE_ENV", "IngestRecord", "Store", "StoreError", "default_store_url",
    "open_store",
]  # fmt: skip


def default_store_url() -> str:
    """Return $HITO_STORE, else the GeoPackage `hito.gpkg` in the data folder."""
    return os.environ.get(STORE_ENV) or str(data_dir() / DEFAULT_STORE_FILE)


def open_store(url: str | Path | None = None) -> Store:
    """Open the store at `url` (default: default_store_url()) without changing it.

    A `postgresql://` URL opens PostGIS; a path ending in .gpkg opens (or will create, on
    init) a GeoPackage. Raises StoreError naming the URL for anything else.
    """
    location = str(url) if url is not None else default_store_url()
    if location.startswith(POSTGRES_SCHEMES):
        from geo.store.postgis import PostgisStore  # psycopg loads only for PostGIS

        return PostgisStore(location)
    if Path(location).suffix.lower() == ".gpkg":
        from geo.store.gpkg import GpkgStore

        return GpkgStore(Path(location))
    raise StoreError(
        f"store {location!r}: expected a path ending in .gpkg or a postgresql:// URL "
        f"(set {STORE_ENV})"
    )
