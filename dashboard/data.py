"""Load and cache the data the dashboard shows: the only module with Streamlit caches."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import streamlit as st

from geo.enrich import enrich
from geo.ingest import IngestResult, read_incidents
from geo.layers import Layers, load_layers
from geo.settings import data_dir

DEMO_FILE = "demo_incidents.csv"


@st.cache_resource(show_spinner=False)
def reference_layers(folder: str) -> Layers:
    """Return the reference layers in `folder`, read and checked once per process."""
    return load_layers(Path(folder))


@st.cache_resource(show_spinner="Loading incidents…")
def enriched_incidents(
    path: str, modified_ns: int, layers_folder: str
) -> tuple[gpd.GeoDataFrame, IngestResult]:
    """Return the enriched incidents of `path` (shared read-only; re-read when the file changes)."""
    layers = reference_layers(layers_folder)
    result = read_incidents(path, layers=layers)
    return enrich(result.incidents, layers), result


def bundled_incidents() -> tuple[gpd.GeoDataFrame, IngestResult]:
    """Return the enriched bundled demo incidents."""
    path = data_dir() / DEMO_FILE
    return enriched_incidents(str(path), path.stat().st_mtime_ns, str(data_dir()))


@st.cache_resource(show_spinner=False)
def country_outlines(folder: str) -> gpd.GeoDataFrame:
    """Return the bundled Chile, Peru and Bolivia outlines (the offline base map)."""
    return gpd.read_file(Path(folder) / "countries.geojson")


def bundled_countries() -> gpd.GeoDataFrame:
    """Return the bundled country outlines."""
    return country_outlines(str(data_dir()))


def bundled_layers() -> Layers:
    """Return the bundled reference layers."""
    return reference_layers(str(data_dir()))
