"""The incident store's contract: what every backend does and the records it hands back.

A store keeps enriched incidents (geo.schema's canonical columns plus geo.enrich's derived
ones) keyed by `incident_id`, every ingest it ran, and the previous versions of rows an
explicit update replaced. Two backends share this contract: a GeoPackage file
(geo.store.gpkg, the default) and PostGIS (geo.store.postgis). geo.store.open_store picks
one from a URL.

Rules every backend keeps (the shared test suite in tests/store checks them on both):
- One ingest is one transaction: it all lands, or nothing does (a crash leaves the store as
  it was). Ingests are serialised against each other (a write lock taken first), so four
  processes ingesting overlapping files end with every report exactly once.
- A row whose id is not stored is added. A row whose id is stored with the same content
  fingerprint (geo.store.fingerprint) is skipped. A stored id with another fingerprint is
  a conflict: reported, never written — unless `update=True`, which replaces the row and
  keeps the replaced version in the history table.
- Every ingest is recorded (UTC time, file name and SHA-256, source format, accepted,
  rejected, added, skipped, conflicts, updated), even one that added nothing.
- Queries push the Filter down to the database (time window, crossings, categories,
  regions, sides, bbox): the table is never loaded whole to filter it in pandas.
- Schema creation and upgrades are versioned steps recorded in a schema-version table;
  `init()` applies the missing ones in order and is safe to run again.
- Times come back tz-aware UTC (nanoseconds kept), geometry as EPSG:4326 points, and the
  dtypes of geo.schema.CANONICAL_DTYPES / DERIVED_DTYPES.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol, Self

import geopandas as gpd

from geo.query import Filter

STORE_ENV: Final = "HITO_STORE"  # a GeoPackage path or a postgresql:// URL
SCHEMA_VERSION: Final = 2  # the version init() brings a store to (see each backend's steps)


class StoreError(Exception):
    """A store cannot be opened, read or written; the message names the store and the cause."""


@dataclass(frozen=True)
class IngestRecord:
    """One ingest as the store recorded it (also what `ingest` returns)."""

    ingest_id: int
    at: datetime  # UTC, when the ingest committed
    file_name: str
    file_sha256: str  # hex digest of the file's bytes ("" when the rows came from no file)
    source_format: str  # geo.ingest's format name: "csv", "geojson", "acled", "iom", …
    accepted: int  # rows the validation accepted (the rows handed to ingest)
    rejected: int  # rows the validation rejected (they never reach the store)
    added: int  # new ids written
    skipped: int  # ids already stored with the same content
    conflicts: int  # ids stored with other content, not written
    updated: int  # ids stored with other content, replaced (update=True); old kept in history
    conflict_ids: tuple[str, ...] = ()  # the conflicting ids (in input order)

    def __post_init__(self) -> None:
        if self.added + self.skipped + self.conflicts + self.updated != self.accepted:
            raise ValueError(
                f"IngestRecord {self.ingest_id}: added {self.added} + skipped {self.skipped} + "
                f"conflicts {self.conflicts} + updated {self.updated} != accepted {self.accepted}"
            )


class Store(Protocol):
    """What every backend does; open one with geo.store.open_store(url)."""

    chunk_rows: int  # rows written per chunk of an ingest (on_progress after each)

    @property
    def url(self) -> str:
        """The store's location, safe to print (a PostgreSQL password is masked)."""
        ...

    def init(self) -> int:
        """Create the store or bring its schema up to SCHEMA_VERSION; return the version."""
        ...

    def migrate(self, version: int) -> int:
        """Apply the schema steps up to `version` (internal: tests build a v1 store)."""
        ...

    def schema_version(self) -> int:
        """Return the schema version recorded in the store (0 when it has no tables yet)."""
        ...

    def ingest(
        self,
        incidents: gpd.GeoDataFrame,
        *,
        file_name: str,
        file_sha256: str = "",
        source_format: str = "",
        rejected: int = 0,
        update: bool = False,
        on_progress: Callable[[int], None] | None = None,
    ) -> IngestRecord:
        """Write enriched `incidents` in one transaction and record the ingest (see module).

        `on_progress(rows_written)` is called inside the transaction after each chunk of
        rows is written (before the commit), and never after a failure.
        """
        ...

    def query(self, flt: Filter | None = None) -> gpd.GeoDataFrame:
        """Return the stored incidents `flt` selects (None: all), oldest first."""
        ...

    def count(self, flt: Filter | None = None) -> int:
        """Return how many stored incidents `flt` selects, counted in the database."""
        ...

    def get(self, incident_id: str) -> gpd.GeoDataFrame:
        """Return the incident with this id as a one-row frame (empty when unknown)."""
        ...

    def delete(self, incident_ids: Sequence[str]) -> int:
        """Delete these ids in one transaction; return how many were stored."""
        ...

    def ingests(self) -> list[IngestRecord]:
        """Return every recorded ingest, oldest first."""
        ...

    def history(self, incident_id: str) -> gpd.GeoDataFrame:
        """Return the replaced versions of one incident, oldest first, with `replaced_at`
        (UTC) and `replaced_by_ingest` columns."""
        ...

    def change_token(self) -> str:
        """Return a short text that changes whenever the stored rows change (cache key)."""
        ...

    def close(self) -> None:
        """Release connections and file handles."""
        ...


class StoreLifecycle:
    """What both backends share around their work: `with` closes the store, and init()
    is migrate(SCHEMA_VERSION)."""

    def migrate(self, version: int) -> int:
        """Apply the schema steps up to `version`; return the version reached (backend's)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release connections and file handles (backend's)."""
        raise NotImplementedError

    def init(self) -> int:
        """Create the store or bring its schema up to SCHEMA_VERSION; return the version."""
        return self.migrate(SCHEMA_VERSION)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
