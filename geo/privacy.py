"""Turn incidents into what a role may see: analysts every row, the public k-anonymous groups.

The public gate (role "public", the default everywhere) keeps a row only as a member of a
group of at least `k` rows that agree on everything the public can filter or count by:
the square cell of `cell_m` metres (EPSG:32719) the row lies in, its local calendar day (in
the zone of its side), category, crossing, region, side, country, between_complexes and
nearest_crossing. Every public row of a group carries the cell centre, the same instant
(12:00 local on that day: the same calendar day in America/Santiago, America/Lima and UTC)
and the same distances (the group's mean rounded to a multiple of `cell_m`); ids,
descriptions and source URLs are blanked; rows are ordered by public values only. Because
every filter of the dashboard (a date range of whole days in any display zone, crossings,
categories, regions, sides, a bounding box) then selects whole groups, every count the
public can see is 0 or ≥ k, and so is the difference of two nested filters' counts.

Error messages never quote a coordinate, an id or a description: they may reach a page.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer

from geo.query import prepare
from geo.schema import CANONICAL_COLUMNS, DERIVED_DTYPES, METRIC_CRS, WGS84, ZONE_BY_SIDE
from geo.sides import to_metric

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

Role = Literal["public", "analyst"]
ROLES: tuple[str, ...] = ("public", "analyst")

MIN_CELL_M: Final = 1000.0  # public cells are never finer than 1 km
MIN_K: Final = 2  # a "group" of one row would be the row itself
CELL_ENV: Final = "HITO_PUBLIC_CELL_M"
K_ENV: Final = "HITO_PUBLIC_K"


@dataclass(frozen=True)
class PrivacyPolicy:
    """How coarse the public view is: cell size in metres and the smallest group shown."""

    cell_m: float = 1000.0  # public locations snap to square cells of this size (EPSG:32719)
    k: int = 5  # a group with fewer public reports is withheld

    def __post_init__(self) -> None:
        cell = self.cell_m
        if isinstance(cell, bool) or not isinstance(cell, int | float) or not math.isfinite(cell):
            raise ValueError(f"PrivacyPolicy.cell_m: {cell!r} is not a finite number of metres")
        if cell < MIN_CELL_M:
            raise ValueError(f"PrivacyPolicy.cell_m: {cell!r} is below the minimum {MIN_CELL_M:g}")
        if isinstance(self.k, bool) or not isinstance(self.k, int):
            raise ValueError(f"PrivacyPolicy.k: {self.k!r} is not a whole number")
        if self.k < MIN_K:
            raise ValueError(f"PrivacyPolicy.k: {self.k!r} is below the minimum {MIN_K}")


DEFAULT_POLICY: Final = PrivacyPolicy()

# Blanked (all <NA>) for the public: the table, exports and maps never show them.
PUBLIC_WITHHELD: tuple[str, ...] = ("incident_id", "description", "source_url")
# Besides cell and local day, the values a public group shares (filters and counts use them).
GROUP_COLUMNS: tuple[str, ...] = (
    "category",
    "crossing",
    "region",
    "side",
    "country",
    "between_complexes",
    "nearest_crossing",
)
DISTANCE_COLUMNS: tuple[str, ...] = ("dist_border_m", "dist_crossing_m")
# Public values that order rows sharing a day and group (never the hidden time).
TIE_BREAKERS: tuple[str, ...] = (
    "verified",
    "people_count",
    "nationalities",
    "source",
    "synthetic",
    "crossing_assigned",
)
# Every column the gate knows what to do with; any other column is refused for the public.
DECLARED_COLUMNS: Final = frozenset(CANONICAL_COLUMNS) | frozenset(DERIVED_DTYPES)
_NEEDED: Final = ("occurred_at", "geometry", *GROUP_COLUMNS, *DISTANCE_COLUMNS)
_NOON_NS: Final = 12 * 3600 * 10**9
_DAY_NS: Final = 24 * 3600 * 10**9
_MAX_EXAMPLES: Final = 5


def gate(
    incidents: gpd.GeoDataFrame, role: Role, policy: PrivacyPolicy = DEFAULT_POLICY
) -> gpd.GeoDataFrame:
    """Return what `role` may see of prepare()d, enriched incidents.

    "analyst": the frame itself, unchanged. "public": a new frame with the same columns and
    dtypes (categoricals as geo.query.prepare makes them, sorted like its output) holding
    only rows of groups of at least `policy.k` rows; see the module docstring.
    """
    _check_role(role)
    _check_policy(policy)
    if role == "analyst":
        return incidents
    lonlat = _check_public_input(incidents)
    groups = _public_groups(incidents, lonlat, policy)
    return _assemble_public(incidents, groups, policy)


def withheld_share(incidents: gpd.GeoDataFrame, policy: PrivacyPolicy = DEFAULT_POLICY) -> float:
    """Return the share of rows the public gate withholds (0.0 for no rows).

    Only ever over the WHOLE data: a share per filter could be differenced into a count.
    """
    _check_policy(policy)
    lonlat = _check_public_input(incidents)
    if len(incidents) == 0:
        return 0.0
    groups = _public_groups(incidents, lonlat, policy)
    return float(np.mean(groups.size < policy.k))


def policy_from_env() -> PrivacyPolicy:
    """Return the policy of $HITO_PUBLIC_CELL_M (metres) and $HITO_PUBLIC_K (blank = default).

    A value that is not a number, or is below its minimum, raises ValueError naming the
    variable and the value.
    """
    cell_text = os.environ.get(CELL_ENV, "").strip()
    k_text = os.environ.get(K_ENV, "").strip()
    cell_m = DEFAULT_POLICY.cell_m if not cell_text else _env_number(CELL_ENV, cell_text, float)
    k = DEFAULT_POLICY.k if not k_text else _env_number(K_ENV, k_text, int)
    try:
        return PrivacyPolicy(cell_m=float(cell_m), k=int(k))
    except ValueError as error:
        variable = CELL_ENV if "cell_m" in str(error) else K_ENV
        value = cell_text if variable == CELL_ENV else k_text
        raise ValueError(f"{variable}={value!r}: {error}") from error


def _env_number(variable: str, text: str, kind: type[float] | type[int]) -> float:
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number of metres"
        raise ValueError(f"{variable}={text!r}: not {what}") from None


# --- validate -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _LonLat:
    """The incidents' point coordinates (EPSG:4326), read once."""

    lon: FloatArray
    lat: FloatArray


def _check_role(role: object) -> None:
    if role not in ROLES:
        raise ValueError(f"gate: role {role!r} is not one of {list(ROLES)}")


def _check_policy(policy: object) -> None:
    if not isinstance(policy, PrivacyPolicy):
        raise TypeError(f"gate: policy must be a PrivacyPolicy, got {type(policy).__name__}")


def _check_public_input(incidents: gpd.GeoDataFrame) -> _LonLat:
    """Raise for anything the public gate cannot coarsen; return the points' lon/lat."""
    if not isinstance(incidents, gpd.GeoDataFrame):
        raise TypeError(f"gate: expected a GeoDataFrame, got {type(incidents).__name__}")
    crs = incidents.crs
    if crs is None or crs.to_epsg() != 4326:
        raise ValueError(f"gate: incidents CRS is {crs}, expected {WGS84}")
    missing = [column for column in _NEEDED if column not in incidents.columns]
    if missing:
        raise ValueError(f"gate: missing column(s) {missing} (run geo.enrich, then prepare)")
    unknown = [str(c) for c in incidents.columns if c not in DECLARED_COLUMNS]
    if unknown:
        raise ValueError(
            f"gate: column(s) {unknown} are not declared in geo.schema; the public gate "
            "does not pass on columns it does not know"
        )
    if incidents.geometry.name != "geometry":
        name = incidents.geometry.name
        raise ValueError(f"gate: the active geometry column is {name!r}, not 'geometry'")
    _check_times(incidents)
    _check_sides(incidents)
    return _check_points(incidents)


def _check_times(incidents: gpd.GeoDataFrame) -> None:
    times = incidents["occurred_at"]
    if not isinstance(times.dtype, pd.DatetimeTZDtype) or str(times.dtype.tz) != "UTC":
        raise ValueError(f"gate: occurred_at has dtype {times.dtype}, expected tz-aware UTC")
    _raise_for_rows(incidents, times.isna().to_numpy(), "field 'occurred_at' is missing")


def _check_sides(incidents: gpd.GeoDataFrame) -> None:
    sides = incidents["side"].astype("string")
    bad = ~sides.isin(list(ZONE_BY_SIDE)).fillna(False).to_numpy(dtype=bool)
    values = sorted({str(v) for v in sides[bad].unique()})[:_MAX_EXAMPLES]
    reason = f"field 'side' is {values} (expected one of {list(ZONE_BY_SIDE)}; run geo.enrich)"
    _raise_for_rows(incidents, bad, reason)


def _check_points(incidents: gpd.GeoDataFrame) -> _LonLat:
    geoms = incidents.geometry.array
    not_point = (shapely.get_type_id(geoms) != 0) | shapely.is_empty(geoms)
    _raise_for_rows(incidents, not_point, "field 'geometry' is not a non-empty Point")
    lon, lat = shapely.get_x(geoms), shapely.get_y(geoms)
    finite = np.isfinite(lon) & np.isfinite(lat)
    _raise_for_rows(incidents, ~finite, "field 'geometry' is not finite")
    return _LonLat(lon=lon, lat=lat)


def _raise_for_rows(incidents: gpd.GeoDataFrame, bad: npt.NDArray[np.bool_], reason: str) -> None:
    """Raise ValueError naming the first offending rows by index label (never by content)."""
    if not bad.any():
        return
    rows = incidents.index[np.flatnonzero(bad)[:_MAX_EXAMPLES]].tolist()
    raise ValueError(f"gate: {int(bad.sum())} row(s) where {reason}, e.g. rows {rows}")


# --- compute ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Groups:
    """Per row: its cell (integer indices), public instant, group number and group size."""

    cell_ix: IntArray
    cell_iy: IntArray
    noon_ns: IntArray  # 12:00 local on the row's local day, as UTC nanoseconds
    group: IntArray
    size: IntArray
    codes: dict[str, IntArray]  # GROUP_COLUMNS as sorted integer codes (-1 = missing)


def _public_groups(incidents: gpd.GeoDataFrame, lonlat: _LonLat, policy: PrivacyPolicy) -> _Groups:
    cell_ix, cell_iy = _cells(lonlat, policy.cell_m)
    sides = incidents["side"].astype("string").to_numpy(dtype=object)
    day, noon_ns = _local_days(incidents["occurred_at"], sides)
    codes = {column: _codes(incidents[column]) for column in GROUP_COLUMNS}
    keys = pd.DataFrame({"cell_ix": cell_ix, "cell_iy": cell_iy, "day": day, **codes})
    # sort=True: group numbers follow the public key values, not the rows' hidden order
    group = keys.groupby(list(keys.columns), sort=True).ngroup().to_numpy(dtype=np.int64)
    size = np.bincount(group, minlength=1)[group].astype(np.int64)
    return _Groups(cell_ix, cell_iy, noon_ns, group, size, codes)


def _cells(lonlat: _LonLat, cell_m: float) -> tuple[IntArray, IntArray]:
    """Indices of each point's square cell of `cell_m` metres in EPSG:32719."""
    x, y = to_metric(lonlat.lon, lonlat.lat)
    return np.floor(x / cell_m).astype(np.int64), np.floor(y / cell_m).astype(np.int64)


def _local_days(times: pd.Series, sides: npt.NDArray[np.object_]) -> tuple[IntArray, IntArray]:
    """Each row's local calendar day (days since 1970-01-01) in the zone of its side, and
    12:00 local on that day as UTC nanoseconds (a noon is never skipped or repeated by DST)."""
    day = np.zeros(len(times), dtype=np.int64)
    noon = np.zeros(len(times), dtype=np.int64)
    for side, zone in ZONE_BY_SIDE.items():  # one vectorised pass per zone
        rows = np.flatnonzero(sides == side)
        if rows.size == 0:
            continue
        wall = times.iloc[rows].dt.tz_convert(zone).dt.tz_localize(None)
        local_days = wall.to_numpy(dtype="datetime64[ns]").astype(np.int64) // _DAY_NS
        inverse, unique_days = pd.factorize(local_days)
        naive_noons = pd.DatetimeIndex(unique_days * _DAY_NS + _NOON_NS)
        noons = naive_noons.tz_localize(zone).tz_convert("UTC").as_unit("ns").asi8
        day[rows], noon[rows] = local_days, noons[inverse]
    return day, noon


def _codes(values: pd.Series) -> IntArray:
    """Integer codes of a column's values in sorted order; missing values are -1."""
    codes, _ = pd.factorize(values, sort=True, use_na_sentinel=True)
    return codes.astype(np.int64)


def _group_distance(values: pd.Series, groups: _Groups, cell_m: float) -> FloatArray:
    """The mean of each group's distances rounded to a multiple of cell_m, given to every row
    of the group (one value per group: no row is placed finer than its cell)."""
    metres = values.to_numpy(dtype=np.float64, na_value=np.nan)
    finite = np.isfinite(metres)
    total = np.bincount(groups.group, weights=np.where(finite, metres, 0.0), minlength=1)
    count = np.bincount(groups.group, weights=finite.astype(np.float64), minlength=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count  # NaN for a group without any finite distance
    return (np.round(mean / cell_m) * cell_m)[groups.group]


# --- assemble -----------------------------------------------------------------------------


def _public_order(groups: _Groups, kept: IntArray, incidents: gpd.GeoDataFrame) -> IntArray:
    """Kept row positions sorted by public values only (time, group key, then the other
    shown values), so the order of rows within a day does not betray their hidden times."""
    present = [column for column in TIE_BREAKERS if column in incidents.columns]
    ties = [_shown_codes(incidents[column].iloc[kept]) for column in present]
    keys = [*reversed(ties), groups.group.take(kept), groups.noon_ns.take(kept)]
    return kept.take(np.lexsort(keys))  # np.lexsort: the last key is the primary one


def _shown_codes(values: pd.Series) -> IntArray:
    """Sorted codes of a shown column; lists (nationalities) are compared as joined text."""
    if values.dtype == object:  # nationalities: a list of codes per row
        return _codes(values.str.join("|"))
    return _codes(values)


def _cell_centres(groups: _Groups, rows: IntArray, cell_m: float) -> gpd.GeoSeries:
    """Cell centres of `rows` as EPSG:4326 points (projected once per distinct cell)."""
    ix_codes, ix_values = pd.factorize(groups.cell_ix.take(rows))
    iy_codes, iy_values = pd.factorize(groups.cell_iy.take(rows))
    cell_codes, cells = pd.factorize(ix_codes.astype(np.int64) * len(iy_values) + iy_codes)
    x = (ix_values[cells // len(iy_values)].astype(np.float64) + 0.5) * cell_m
    y = (iy_values[cells % len(iy_values)].astype(np.float64) + 0.5) * cell_m
    points = shapely.points(*_to_lonlat(x, y))
    return gpd.GeoSeries(points.take(cell_codes), crs=WGS84)


@lru_cache(maxsize=1)
def _inverse_transformer() -> Transformer:
    return Transformer.from_crs(METRIC_CRS, WGS84, always_xy=True)


def _to_lonlat(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    lon, lat = _inverse_transformer().transform(x, y)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def _assemble_public(
    incidents: gpd.GeoDataFrame, groups: _Groups, policy: PrivacyPolicy
) -> gpd.GeoDataFrame:
    kept = np.flatnonzero(groups.size >= policy.k).astype(np.int64)
    rows = _public_order(groups, kept, incidents)
    out = incidents.take(rows).reset_index(drop=True)
    times = pd.Series(pd.to_datetime(groups.noon_ns.take(rows), unit="ns", utc=True))
    out["occurred_at"] = times.astype(incidents["occurred_at"].dtype)
    out["geometry"] = _cell_centres(groups, rows, policy.cell_m).set_axis(out.index)
    for column in DISTANCE_COLUMNS:
        metres = _group_distance(incidents[column], groups, policy.cell_m).take(rows)
        out[column] = pd.Series(metres, index=out.index).astype(incidents[column].dtype)
    for column in PUBLIC_WITHHELD:
        if column in out.columns:
            out[column] = pd.Series(pd.NA, index=out.index, dtype=incidents[column].dtype)
    return prepare(out)
