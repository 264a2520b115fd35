"""Store suite fixtures: a fresh empty store on each backend per test, and small incident frames.

`store_url` runs a test once per backend: "gpkg" is a new GeoPackage path in the test's
temporary folder, "postgis" a new empty database from postgis_cluster.fresh_postgis_url()
(which starts a throwaway PostgreSQL cluster once per session, or uses
$HITO_TEST_POSTGIS_URL). PostGIS is never skipped: when it cannot start, its tests fail
with the packages to install.
"""

from __future__ import annotations

from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from postgis_cluster import fresh_postgis_url, stop_session_cluster

from geo.demo import generate_demo
from geo.enrich import enrich
from geo.layers import Layers
from geo.store import Store, open_store

BACKENDS = ("gpkg", "postgis")
DEMO_ROWS = 600
DEMO_SEED = 7


@pytest.fixture(scope="session", autouse=True)
def _postgis_cluster_stopped_at_end() -> Iterator[None]:
    yield
    stop_session_cluster()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Return the location of a fresh, empty store (nothing created yet) on one backend."""
    if request.param == "gpkg":
        return str(tmp_path_factory.mktemp("gpkg") / "store.gpkg")
    return fresh_postgis_url()


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    """Return an initialised, empty store on one backend (closed afterwards)."""
    opened = open_store(store_url)
    opened.init()
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def demo(layers: Layers) -> gpd.GeoDataFrame:
    """Return enriched demo incidents with every kind of value a store must keep.

    Shared by many tests: copy before changing it.
    """
    return varied(enrich(generate_demo(DEMO_ROWS, DEMO_SEED, layers), layers))


def varied(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy with nanosecond times, tied times, missing values and awkward text."""
    out = frame.copy()
    n = len(out)
    offsets = np.arange(n, dtype=np.int64) * 1_234_567 % 1_000_000_007  # sub-second, exact ns
    out["occurred_at"] = out["occurred_at"] + pd.to_timedelta(offsets, unit="ns")
    out.loc[out.index[5], "occurred_at"] = out.loc[out.index[4], "occurred_at"]  # a tie
    out.loc[out.index[6], "occurred_at"] = out.loc[out.index[4], "occurred_at"]
    out["verified"] = out["verified"].mask(np.arange(n) % 9 == 0)  # <NA> = unknown
    out["synthetic"] = out["synthetic"].mask(np.arange(n) % 11 == 0)
    nationalities = out["nationalities"].tolist()
    nationalities[1] = []  # none listed
    nationalities[2] = None  # missing
    out["nationalities"] = pd.Series(nationalities, index=out.index, dtype=object)
    out.loc[out.index[3], "description"] = "Comillas \"dobles\", 'simples', ñandú; línea\nnueva"
    out.loc[out.index[3], "source_url"] = "https://example.org/informe?id=3&x=ü"
    out.loc[out.index[7], "source"] = pd.NA
    return out
