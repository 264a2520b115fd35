"""Bin incidents into H3 hexagons: cell ids once at load, then counts and outlines per view."""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import h3
import numpy as np
import pandas as pd

# The resolutions maps use (H3 edge: 5 ≈ 8.5 km, 6 ≈ 3.2 km, 7 ≈ 1.2 km, 8 ≈ 460 m,
# 9 ≈ 174 m); each gets a uint64 column of cell ids, computed once by add_cells.
RESOLUTIONS: Final[tuple[int, ...]] = (5, 6, 7, 8, 9)
CELL_COUNT_COLUMNS: Final = ("cell", "incidents", "people", "people_unknown")


def cell_column(resolution: int) -> str:
    """Return the name of the column holding each incident's cell at `resolution`."""
    _check_resolution(resolution)
    return f"h3_r{resolution}"


def add_cells(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy of `incidents` with one uint64 H3 cell column per map resolution.

    Each resolution is computed from the point itself (not as the parent of a finer cell:
    H3 children do not tile their parent exactly, so a parent can lie beside the point).
    """
    _check_points(incidents)
    lat = incidents.geometry.y.to_numpy(dtype=float).tolist()
    lon = incidents.geometry.x.to_numpy(dtype=float).tolist()
    out = incidents.copy()
    for resolution in RESOLUTIONS:
        out[cell_column(resolution)] = cells_at(lat, lon, resolution)
    return out


def with_cells(incidents: gpd.GeoDataFrame, needed_above: int = 0) -> gpd.GeoDataFrame:
    """Return `incidents` with the add_cells columns: the frame itself when it has them
    (computed at load) or holds no more than `needed_above` rows (drawn as points)."""
    has_cells = all(cell_column(r) in incidents.columns for r in RESOLUTIONS)
    if has_cells or len(incidents) <= needed_above:
        return incidents
    return add_cells(incidents)


def without_cells(incidents: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return `incidents` without the columns add_cells adds (the frame itself if none)."""
    present = [cell_column(r) for r in RESOLUTIONS if cell_column(r) in incidents.columns]
    return incidents.drop(columns=present) if present else incidents


def count_cells(incidents: pd.DataFrame, resolution: int) -> pd.DataFrame:
    """Return one row per occupied cell: cell, incidents, people (known counts summed) and
    people_unknown (incidents without a count), largest counts first."""
    column = cell_column(resolution)
    if column not in incidents.columns:
        raise ValueError(f"incidents: no column {column!r}; run geo.cells.add_cells at load")
    people = incidents["people_count"].astype("Float64")
    parts = pd.DataFrame(
        {
            "cell": incidents[column].to_numpy(dtype=np.uint64),
            "incidents": 1,
            "people": people.fillna(0).to_numpy(dtype=float),
            "people_unknown": people.isna().to_numpy(dtype=int),
        }
    )
    counts = parts.groupby("cell", sort=False).sum().reset_index()
    counts["people"] = counts["people"].round().astype("int64")
    return counts.sort_values(["incidents", "cell"], ascending=[False, True], ignore_index=True)


def cell_centres(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the (lat, lon) arrays of the centres of the H3 cells."""
    pairs = [h3.cell_to_latlng(h3.int_to_str(int(cell))) for cell in cells]
    if not pairs:
        return np.empty(0), np.empty(0)
    lat, lon = np.asarray(pairs, dtype=float).T
    return lat, lon


def cell_outline(cell: int) -> list[tuple[float, float]]:
    """Return the (lat, lon) corners of one H3 cell (5 or 6 for the hexagons near here)."""
    return [(float(lat), float(lon)) for lat, lon in h3.cell_to_boundary(h3.int_to_str(cell))]


def edge_length_m(resolution: int) -> float:
    """Return the average edge length of H3 hexagons at `resolution`, in metres."""
    _check_resolution(resolution)
    return float(h3.average_hexagon_edge_length(resolution, unit="m"))


def cells_at(lat: list[float], lon: list[float], resolution: int) -> np.ndarray:
    """Return the H3 cell (uint64) at `resolution` of each (lat, lon) point."""
    ids = map(h3.latlng_to_cell, lat, lon, [resolution] * len(lat))
    return np.fromiter((int(text, 16) for text in ids), dtype=np.uint64, count=len(lat))


def _check_points(incidents: gpd.GeoDataFrame) -> None:
    geometry = incidents.geometry
    if len(geometry) and not bool((geometry.geom_type == "Point").all()):
        kinds = sorted(set(geometry.geom_type.dropna()) - {"Point"})
        raise ValueError(f"incidents: geometry must be points, found {kinds}")
    if incidents.crs is not None and incidents.crs.to_epsg() != 4326:
        raise ValueError(f"incidents: CRS must be EPSG:4326 (lon/lat), got {incidents.crs}")


def _check_resolution(resolution: int) -> None:
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution: {resolution!r} is not one of {RESOLUTIONS}")
