"""Pick what the folium map draws for filtered incidents: allow-listed points, or H3 cells."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.cells import with_cells
from geo.map_policy import ASSUMED_VIEW_PX, CellView, MapPlan, RenderPolicy, plan_map, view_around
from geo.maps import incident_points


def map_incidents(
    filtered: gpd.GeoDataFrame,
    *,
    zone: str,
    center: tuple[float, float],
    zoom: float,
    policy: RenderPolicy,
    day_only: bool = False,
) -> tuple[pd.DataFrame | CellView, MapPlan]:
    """Return what geo.maps_folium.folium_map draws for `filtered` around (lat, lon) `center`
    at `zoom` — the allow-listed points, or the cells — and the plan that chose it.

    Rows without geo.cells columns get them here (files read outside the dashboard).
    `day_only`: points show local days, not times (the public view).
    """
    view = view_around(center, zoom, ASSUMED_VIEW_PX)
    celled = with_cells(filtered, needed_above=policy.points_max)
    plan = plan_map(celled, zoom=zoom, latitude=center[0], view=view, policy=policy)
    if plan.cells is not None:
        return plan.cells, plan
    return incident_points(filtered, zone, day_only=day_only), plan

