"""Shared pytest set-up: a private copy of data/ for the whole run, the bundled layers and
country outlines (as they are, and projected for snapshots).

The dashboard and the CLI read incidents from the default store, a GeoPackage created and
seeded in the data folder on first use. So that a test run never writes into the
repository, the run points HITO_DATA_DIR at a temporary copy of data/ (servers the tests
start inherit it) and clears HITO_STORE, so that the default store is the seeded one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import geopandas as gpd
import pytest

from geo.layers import Layers, load_layers
from geo.settings import REPO_DATA_DIR
from geo.snapshot_layers import ProjectedLayers, project_layers

_RUN_DATA: dict[str, Path] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Copy data/ to a temporary folder and make it the data folder of this run."""
    folder = Path(tempfile.mkdtemp(prefix="hito-test-data-"))
    shutil.copytree(REPO_DATA_DIR, folder / "data", ignore=shutil.ignore_patterns("hito.gpkg*"))
    _RUN_DATA["root"] = folder
    os.environ["HITO_DATA_DIR"] = str(folder / "data")
    os.environ.pop("HITO_STORE", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the run's copy of data/."""
    root = _RUN_DATA.pop("root", None)
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def layers() -> Layers:
    """Return the bundled reference layers from the data folder."""
    return load_layers()


@pytest.fixture(scope="session")
def countries() -> gpd.GeoDataFrame:
    """Return the bundled country outlines (data/countries.geojson, the offline base map)."""
    return gpd.read_file(REPO_DATA_DIR / "countries.geojson")


@pytest.fixture(scope="session")
def projected(layers: Layers, countries: gpd.GeoDataFrame) -> ProjectedLayers:
    """Return the reference layers and outlines projected once for every snapshot test."""
    return project_layers(layers, countries)
