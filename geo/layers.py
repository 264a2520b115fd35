"""Load the reference layers (border, crossings, regions, corridor, disputed triangle)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
from shapely.geometry.base import BaseGeometry

from geo.schema import METRIC_CRS, WGS84
from geo.settings import data_dir
from geo.sides import RegionIndex

LAYER_FILES: dict[str, str] = {
    "border": "border.geojson",
    "crossings": "crossings.geojson",
    "regions": "regions.geojson",
    "corridor": "corridor.geojson",
    "disputed": "disputed.geojson",
}


class LayerError(ValueError):
    """A reference layer file is missing or breaks its contract."""


@dataclass(frozen=True)
class Layers:
    """The reference layers in EPSG:4326, with metric (EPSG:32719) copies on demand."""

    border: gpd.GeoDataFrame
    crossings: gpd.GeoDataFrame
    regions: gpd.GeoDataFrame
    corridor: gpd.GeoDataFrame
    disputed: gpd.GeoDataFrame

    @cached_property
    def metric(self) -> Layers:
        """Return the same layers projected to EPSG:32719 (metres)."""
        return Layers(**{name: getattr(self, name).to_crs(METRIC_CRS) for name in LAYER_FILES})

    @cached_property
    def border_line(self) -> BaseGeometry:
        """Return the border as one geometry in this object's CRS."""
        return self.border.geometry.union_all()

    @cached_property
    def bounds(self) -> tuple[float, float, float, float]:
        """Return (minx, miny, maxx, maxy) of the two regions."""
        minx, miny, maxx, maxy = self.regions.total_bounds
        return float(minx), float(miny), float(maxx), float(maxy)

    @cached_property
    def region_index(self) -> RegionIndex:
        """Return the regions prepared for point lookups (see geo.sides for the rule)."""
        return RegionIndex.from_regions(self.regions)

    def side_of(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Return the country side ("CL" or "PE") of each point: its region's, else the nearest's.

        Vectorised; expects this object in EPSG:4326. The boundary rule lives in
        geo.sides (shared with geo.enrich): a point on the shared line lies in CL-AP; a
        point in neither region takes the country of the nearest region, in metres.
        """
        return self.region_index.side_of(lon, lat)


def load_layers(folder: Path | None = None) -> Layers:
    """Read and check the reference layers from `folder` (default: the bundled data/)."""
    folder = folder or data_dir()
    frames = {name: _read_layer(folder / filename) for name, filename in LAYER_FILES.items()}
    return Layers(**frames)


def _read_layer(path: Path) -> gpd.GeoDataFrame:
    if not path.is_file():
        raise LayerError(f"{path}: reference layer is missing (run `make layers`)")
    frame = gpd.read_file(path)
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise LayerError(f"{path}: CRS is {frame.crs}, expected {WGS84}")
    invalid = ~frame.geometry.is_valid
    if invalid.any():
        features = list(frame.index[invalid])
        raise LayerError(f"{path}: {int(invalid.sum())} invalid geometries (features {features})")
    return frame
