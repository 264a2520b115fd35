"""Shared data for the geo.privacy tests: zone facts, points, hand-made incidents, group keys."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo.enrich import enrich
from geo.ingest import read_incidents
from geo.layers import Layers
from geo.query import prepare
from geo.schema import CANONICAL_DTYPES, DERIVED_DTYPES
from geo.settings import data_dir

# Zone facts (tz database, as in tests/test_query.py): America/Santiago is UTC−3 in summer,
# UTC−4 in winter (2025: back on 2025-04-06, forward on 2025-09-07; 2026: back on
# 2026-04-05, forward on 2026-09-06, each at local midnight); America/Lima is UTC−5.
ZONES = ("America/Santiago", "America/Lima", "UTC")
OWN_ZONE = {"CL": "America/Santiago", "PE": "America/Lima"}
TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:32719", always_xy=True)
TO_LONLAT = Transformer.from_crs("EPSG:32719", "EPSG:4326", always_xy=True)
# Points well inside each side (Arica and Tacna outskirts), lon/lat.
CL_POINT = (-70.30, -18.40)
PE_POINT = (-70.25, -18.05)
# Columns a public group shares (the dashboard filters or counts by each), as the tests see
# them: the public point and instant carry the cell and the local day.
GROUP_KEY = ("lon", "lat", "occurred_at", "category", "crossing", "region", "side", "between")


def make_incidents(n: int, **values: Any) -> gpd.GeoDataFrame:
    """Enriched-looking, prepare()d incidents; each value is a scalar or a length-n sequence."""
    given = {
        "at": "2026-01-15T15:00Z",
        "lon": CL_POINT[0],
        "lat": CL_POINT[1],
        "side": "CL",
        "category": "stranded_group",
        "crossing": "chacalluta",
        "nearest": "chacalluta",
        "between": False,
        "people": 3,
        "dist_border_m": 1234.0,
        "dist_crossing_m": 2345.0,
        **values,
    }
    column = {key: _broadcast(value, n) for key, value in given.items()}
    side = pd.Series(column["side"], dtype="string")
    frame = {
        "incident_id": [f"secret-id-{i}" for i in range(n)],
        "occurred_at": pd.Series(pd.to_datetime(column["at"], utc=True).as_unit("ns")),
        "category": column["category"],
        "crossing": column["crossing"],
        "people_count": column["people"],
        "nationalities": [["VEN"] for _ in range(n)],
        "source": "field team",
        "source_url": [f"https://example.org/private/{i}" for i in range(n)],
        "description": [f"secret description {i}" for i in range(n)],
        "verified": True,
        "synthetic": False,
        "country": side,
        "region": side.map({"CL": "CL-AP", "PE": "PE-TAC"}),
        "side": side,
        "nearest_crossing": column["nearest"],
        "dist_crossing_m": column["dist_crossing_m"],
        "dist_border_m": column["dist_border_m"],
        "between_complexes": column["between"],
        "crossing_assigned": False,
    }
    data = pd.DataFrame({key: _broadcast(value, n) for key, value in frame.items()})
    for name, dtype in {**CANONICAL_DTYPES, **DERIVED_DTYPES}.items():
        if name != "occurred_at":
            data[name] = data[name].astype(dtype)
    points = shapely.points(np.asarray(column["lon"], float), np.asarray(column["lat"], float))
    return prepare(gpd.GeoDataFrame(data, geometry=points, crs="EPSG:4326"))


def _broadcast(value: Any, n: int) -> Any:
    if isinstance(value, pd.Series):  # keeps its dtype, also when empty
        assert len(value) == n
        return value.reset_index(drop=True)
    if isinstance(value, list | tuple | np.ndarray | pd.Index):
        assert len(value) == n
        return list(value)
    return [value] * n


def metric_point(lon: float, lat: float, dx: float = 0.0, dy: float = 0.0) -> tuple[float, float]:
    """The lon/lat of a point moved dx, dy metres (EPSG:32719) from lon/lat."""
    x, y = TO_METRIC.transform(lon, lat)
    return TO_LONLAT.transform(x + dx, y + dy)


def cell_aligned(lon: float, lat: float, cell_m: float) -> tuple[float, float]:
    """The metric x, y of the centre of the cell of `cell_m` holding lon/lat."""
    x, y = TO_METRIC.transform(lon, lat)
    return (np.floor(x / cell_m) + 0.5) * cell_m, (np.floor(y / cell_m) + 0.5) * cell_m


def keyed(public: pd.DataFrame) -> pd.DataFrame:
    """The public rows with the columns of GROUP_KEY (missing crossings as "")."""
    return pd.DataFrame(
        {
            "lon": shapely.get_x(public.geometry.array),
            "lat": shapely.get_y(public.geometry.array),
            "occurred_at": public["occurred_at"].to_numpy(),
            "category": public["category"].astype("string").fillna("").to_numpy(),
            "crossing": public["crossing"].astype("string").fillna("").to_numpy(),
            "region": public["region"].astype("string").fillna("").to_numpy(),
            "side": public["side"].astype("string").to_numpy(),
            "between": public["between_complexes"].to_numpy(),
        },
        index=public.index,
    )


def group_sizes(public: pd.DataFrame) -> pd.Series:
    """Per row, the size of its group (rows sharing every value of GROUP_KEY)."""
    keys = keyed(public)
    return keys.groupby(list(GROUP_KEY), dropna=False)["lon"].transform("size")


def text_dump(frame: gpd.GeoDataFrame) -> str:
    """The frame as GeoJSON and as CSV (WKT points): what an export would write."""
    return frame.to_json(default=str) + frame.to_csv()


def enriched_demo(layers: Layers) -> gpd.GeoDataFrame:
    """The bundled 5,000 synthetic incidents, enriched and prepared."""
    result = read_incidents(data_dir() / "demo_incidents.csv", layers=layers)
    return prepare(enrich(result.incidents, layers))
