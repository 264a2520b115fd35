"""Load and cache the data the dashboard shows: the only module with Streamlit caches."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.cells import add_cells, without_cells
from geo.enrich import enrich
from geo.events import load_events
from geo.ingest import IngestResult, read_incidents
from geo.layers import Layers, load_layers
from geo.privacy import PrivacyPolicy, Role, gate, withheld_share
from geo.query import prepare
from geo.settings import data_dir
from geo.snapshot_layers import ProjectedLayers, project_layers
from geo.store import STORE_ENV, default_store_url, open_store
from geo.store.seed import open_default_store

DEMO_FILE = "demo_incidents.csv"
EVENTS_FILE = "events.csv"
COUNTRIES_FILE = "countries.geojson"


@st.cache_resource(show_spinner=False)
def reference_layers(folder: str) -> Layers:
    """Return the reference layers in `folder`, read and checked once per process."""
    return load_layers(Path(folder))


@st.cache_resource(show_spinner="Cargando incidentes… / Loading incidents…")
def prepared_incidents(
    path: str, modified_ns: int, layers_folder: str
) -> tuple[gpd.GeoDataFrame, IngestResult]:
    """Return the enriched, time-sorted incidents of `path` (shared read-only across sessions).

    `modified_ns` is part of the cache key, so the file is read again when it changes.
    """
    layers = reference_layers(layers_folder)
    result = read_incidents(path, layers=layers)
    return prepare(enrich(result.incidents, layers)), result


@st.cache_resource(show_spinner="Preparando el almacén… / Preparing the store…")
def ready_store(url: str, layers_folder: str) -> str:
    """Open the store at `url` once per process (creating and seeding the built-in default
    on first use, upgrading its schema); return `url`."""
    named = url if os.environ.get(STORE_ENV) else None  # the built-in default is seeded
    open_default_store(reference_layers(layers_folder), named).close()
    return url


@st.cache_resource(show_spinner="Cargando incidentes… / Loading incidents…", max_entries=2)
def stored_incidents(url: str, change_token: str) -> gpd.GeoDataFrame:
    """Return every stored incident, prepared and with its H3 cells (geo.cells), shared
    read-only across sessions: sorting, categories and cells are done here once, never on
    a rerun.

    `change_token` is part of the cache key: an ingest or delete makes the next run load the
    store again; the two newest loads are kept.
    """
    store = open_store(url)
    try:
        return add_cells(prepare(store.query()))
    finally:
        store.close()


@st.cache_resource(show_spinner=False, max_entries=2)
def public_incidents(url: str, change_token: str, cell_m: float, k: int) -> gpd.GeoDataFrame:
    """Return what the public may see of the stored incidents (geo.privacy), computed once
    per store state and policy, shared read-only across sessions.

    The H3 cells are computed again from the gated (snapped) points: the stored rows' cells
    are of the exact locations and must not reach the public.
    """
    policy = PrivacyPolicy(cell_m=cell_m, k=k)
    exact = without_cells(stored_incidents(url, change_token))
    return add_cells(gate(exact, "public", policy))


@st.cache_resource(show_spinner=False, max_entries=2)
def public_withheld_share(url: str, change_token: str, cell_m: float, k: int) -> float:
    """Return the share of all stored rows the public gate withholds (whole data only)."""
    policy = PrivacyPolicy(cell_m=cell_m, k=k)
    return withheld_share(without_cells(stored_incidents(url, change_token)), policy)


@st.cache_resource(show_spinner=False, max_entries=4)
def stored_with_uploads(
    store_key: str, upload_files: tuple[str, ...], _stored: gpd.GeoDataFrame,
    _uploaded: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Return the stored rows plus uploaded rows, prepared (sorted, categorical), made once
    per store state and set of uploaded files ("name:sha256" each), not on every rerun.

    Only a session that uploaded the very same files reaches an entry; the frames
    themselves are not hashed (`_stored` is the store's state `store_key`).
    """
    categoricals = [name for name in _stored.columns
                    if isinstance(_stored[name].dtype, pd.CategoricalDtype)]  # fmt: skip
    combined = pd.concat([_stored.astype(dict.fromkeys(categoricals, "string")), _uploaded])
    return prepare(gpd.GeoDataFrame(combined.reset_index(drop=True), crs=_stored.crs))


@st.cache_data(show_spinner=False, max_entries=64)
def export_file(recipe: str, _make: Callable[[], bytes]) -> bytes:
    """Return the export file `_make` builds, made once per `recipe` (the text naming the
    filter, the rows' origin, the role and the snapshot settings; `_make` is not hashed)."""
    return _make()


@st.cache_resource(show_spinner=False)
def country_outlines(folder: str) -> gpd.GeoDataFrame:
    """Return the bundled Chile, Peru and Bolivia outlines (the offline base map)."""
    return gpd.read_file(Path(folder) / COUNTRIES_FILE)


@st.cache_resource(show_spinner=False)
def projected_layers(folder: str) -> ProjectedLayers:
    """Return the layers and country outlines in `folder` projected for map snapshots."""
    return project_layers(reference_layers(folder), country_outlines(folder))


@st.cache_resource(show_spinner=False)
def context_events(path: str, modified_ns: int) -> pd.DataFrame:
    """Return the dated context events (re-read when the file changes)."""
    return load_events(Path(path))


def bundled_incidents() -> tuple[gpd.GeoDataFrame, IngestResult]:
    """Return the prepared bundled demo incidents."""
    path = data_dir() / DEMO_FILE
    return prepared_incidents(str(path), path.stat().st_mtime_ns, str(data_dir()))


def bundled_layers() -> Layers:
    """Return the bundled reference layers."""
    return reference_layers(str(data_dir()))


def bundled_countries() -> gpd.GeoDataFrame:
    """Return the bundled country outlines."""
    return country_outlines(str(data_dir()))


def bundled_events() -> pd.DataFrame:
    """Return the bundled context events."""
    path = data_dir() / EVENTS_FILE
    return context_events(str(path), path.stat().st_mtime_ns)


def bundled_projected_layers() -> ProjectedLayers:
    """Return the bundled layers projected for map snapshots."""
    return projected_layers(str(data_dir()))


@dataclass(frozen=True)
class StoredView:
    """The store's incidents as one role may see them, and where they come from."""

    incidents: gpd.GeoDataFrame  # prepared; for the public, through geo.privacy.gate
    store_name: str  # printable (a password masked)
    store_key: str  # changes whenever the stored rows do
    withheld_share: float  # public: share of all stored rows withheld; analyst: 0.0


def current_incidents(role: Role, policy: PrivacyPolicy) -> StoredView:
    """Return the store's incidents as they are now (reloaded when the store changed), as
    `role` may see them: the public's pass the privacy gate here, before any view."""
    url = ready_store(default_store_url(), str(data_dir()))
    store = open_store(url)
    try:
        token, name = store.change_token(), store.url
    finally:
        store.close()
    key = f"{name}#{token}#{role}"
    if role == "analyst":
        return StoredView(stored_incidents(url, token), name, key, 0.0)
    gated = public_incidents(url, token, policy.cell_m, policy.k)
    share = public_withheld_share(url, token, policy.cell_m, policy.k)
    return StoredView(gated, name, key, share)
