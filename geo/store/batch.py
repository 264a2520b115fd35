"""Check an ingest batch before any backend writes it: shape, kinds, points, times, ids, text.

Every store backend (geo.store.gpkg, geo.store.postgis) calls `checked_batch` first, so
both refuse the same input with the same message, before a transaction starts. Refused:
not a GeoDataFrame; a missing canonical or derived column; a column of the wrong kind (a
lossless twin of the declared dtype is fine: numpy int/bool for Int64/boolean, ints for
float64, object columns of str for string); a CRS other than EPSG:4326; a geometry that is
not one point with finite lon/lat inside -180…180 / -90…90; a naive, missing or
out-of-range time; a missing, empty or repeated incident_id; a category outside
geo.schema.CATEGORIES; a nationalities cell that is not a list of strings; text holding a
NUL character (PostgreSQL text cannot hold one, and geo.store.fingerprint marks a missing
value with it). Each ValueError names the column, how many rows, the first rows (0-based
positions in the batch as given), their incident_id and their values. Nothing is coerced
or dropped.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from geo.schema import CANONICAL_DTYPES, CATEGORIES, DERIVED_DTYPES, WGS84
from geo.writers import ListCellError, join_lists

BoolArray = npt.NDArray[np.bool_]
MAX_EXAMPLES: Final = 5  # rows quoted in an error message
MAX_SHOWN_CHARS: Final = 80  # a longer value is cut in an error message
DECLARED_DTYPES: Final[dict[str, str]] = {**CANONICAL_DTYPES, **DERIVED_DTYPES}
TEXT_COLUMNS: Final[tuple[str, ...]] = tuple(
    name for name, dtype in DECLARED_DTYPES.items() if dtype == "string"
)
NUL: Final = "\x00"
# The times datetime64[ns] can hold (1677-09-21 … 2262-04-11).
NANOSECOND_RANGE: Final = (pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC"))


def checked_batch(incidents: object) -> gpd.GeoDataFrame:
    """Return `incidents` with a fresh RangeIndex and occurred_at as datetime64[ns, UTC].

    Raises ValueError for anything a store cannot keep as given (see the module docstring).
    The caller's frame is not changed.
    """
    if not isinstance(incidents, gpd.GeoDataFrame):
        raise ValueError(
            f"ingest: expected a GeoDataFrame of enriched incidents, got {type(incidents).__name__}"
        )
    _check_columns(incidents)
    _check_crs(incidents)
    batch = incidents.copy(deep=False)  # the caller's frame keeps its index and times
    batch.index = pd.RangeIndex(len(batch))
    _check_kinds(batch)
    _check_ids(batch)
    _check_points(batch)
    _check_categories(batch)
    _check_nationalities(batch)
    _check_text(batch)
    batch["occurred_at"] = _utc_times(batch)
    return batch


# --- the whole frame ----------------------------------------------------------------------


def _check_columns(incidents: gpd.GeoDataFrame) -> None:
    missing = [name for name in DECLARED_DTYPES if name not in incidents]
    if incidents.active_geometry_name is None:
        missing.append("geometry")
    if missing:
        raise ValueError(
            f"ingest: the incidents lack column(s) {missing} (derived ones come from geo.enrich)"
        )


def _check_crs(incidents: gpd.GeoDataFrame) -> None:
    crs = incidents.crs
    if crs is None or crs.to_epsg() != 4326:
        shown = crs.to_string() if crs is not None else "missing"
        raise ValueError(f"ingest: geometry CRS is {shown}, expected {WGS84}")


def _check_kinds(batch: gpd.GeoDataFrame) -> None:
    """Each column holds what geo.schema declares (nothing is cast silently)."""
    for name, declared in DECLARED_DTYPES.items():
        column = batch[name]
        if name == "nationalities" or _kind_fits(column, declared):
            continue  # lists: _check_nationalities looks at each cell
        if name != "occurred_at" and declared != "bool" and column.isna().all():
            continue  # an all-missing column holds no kind (bool and times always do)
        expected = "a tz-aware datetime (UTC)" if name == "occurred_at" else declared
        raise ValueError(f"ingest: column {name!r} has dtype {column.dtype}, expected "
                         f"{expected} (geo.schema)")  # fmt: skip


def _kind_fits(column: pd.Series, declared: str) -> bool:
    dtype = column.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or declared.startswith("datetime64"):
        return isinstance(dtype, pd.DatetimeTZDtype)
    if declared == "string":
        return pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty")
    if declared == "Int64":
        return pd.api.types.is_integer_dtype(dtype)
    if declared == "float64":
        return pd.api.types.is_float_dtype(dtype) or pd.api.types.is_integer_dtype(dtype)
    if declared == "boolean":
        return pd.api.types.is_bool_dtype(dtype)
    return dtype == np.dtype(bool)  # "bool": never missing


# --- row by row (vectorised) --------------------------------------------------------------


def _check_ids(batch: gpd.GeoDataFrame) -> None:
    ids = batch["incident_id"]
    blank = (ids.isna() | (ids == "")).to_numpy(dtype=bool)
    _raise_for_rows(batch, blank, "incident_id", "is missing or empty")
    repeated = ids.duplicated(keep=False).to_numpy()
    if repeated.any():
        how_many = f"{ids[repeated].nunique()} id(s)"
        _raise_for_rows(batch, repeated, "incident_id", f"repeats within the batch ({how_many})")


def _check_points(batch: gpd.GeoDataFrame) -> None:
    """One point per row, with finite lon/lat in range (an empty or missing one is refused)."""
    geometry = batch.geometry
    shapes = np.asarray(geometry.array)
    name = str(geometry.name)
    is_point = shapely.get_type_id(shapes) == shapely.GeometryType.POINT
    _raise_for_rows(batch, ~is_point, name, "is not a point", geometry)
    _raise_for_rows(batch, shapely.is_empty(shapes), name, "is an empty point", geometry)
    lon, lat = shapely.get_x(shapes), shapely.get_y(shapes)
    finite = np.isfinite(lon) & np.isfinite(lat)
    _raise_for_rows(batch, ~finite, name, "has a non-finite coordinate", geometry)
    outside = (np.abs(lon) > 180) | (np.abs(lat) > 90)
    _raise_for_rows(batch, outside, name, "is outside lon -180…180 / lat -90…90", geometry)


def _check_categories(batch: gpd.GeoDataFrame) -> None:
    category = batch["category"]
    unknown = ~category.isin(CATEGORIES).to_numpy(dtype=bool)
    _raise_for_rows(batch, unknown, "category", f"is not one of {list(CATEGORIES)}", category)


def _check_nationalities(batch: gpd.GeoDataFrame) -> None:
    """Each cell is missing or a list of strings (geo.writers' rule), without a NUL."""
    cells = batch["nationalities"]
    try:
        joined = join_lists(cells)
    except ListCellError as error:
        raise ValueError(f"ingest: {error}") from error
    _raise_for_rows(batch, _holds_nul(joined), "nationalities", "holds a NUL character", cells)


def _check_text(batch: gpd.GeoDataFrame) -> None:
    for name in TEXT_COLUMNS:
        column = batch[name]
        _raise_for_rows(batch, _holds_nul(column), name, "holds a NUL character", column)


def _holds_nul(values: pd.Series) -> BoolArray:
    """Which texts hold a NUL (a missing one does not): one scan of the joined text first,
    row by row only when it finds one (str.contains costs several times the join)."""
    if NUL not in "".join(values.to_numpy(dtype=object, na_value="")):
        return np.zeros(len(values), dtype=bool)
    found = values.astype("string").str.contains(NUL, regex=False)
    return found.fillna(False).to_numpy(dtype=bool)


def _utc_times(batch: gpd.GeoDataFrame) -> pd.Series:
    """occurred_at in UTC nanoseconds; a missing time or one nanoseconds cannot hold is refused."""
    times = batch["occurred_at"]
    _raise_for_rows(batch, times.isna().to_numpy(), "occurred_at", "is missing", times)
    if times.dt.unit != "ns":  # a coarser unit reaches further than nanoseconds do
        first, last = NANOSECOND_RANGE
        outside = ((times < first) | (times > last)).to_numpy(dtype=bool)
        _raise_for_rows(batch, outside, "occurred_at", f"is outside {first} … {last}", times)
    return times.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")


def _raise_for_rows(
    batch: gpd.GeoDataFrame,
    bad: BoolArray,
    column: str,
    reason: str,
    values: pd.Series | None = None,
) -> None:
    """Raise ValueError when any row is `bad`: the count, then the first rows (positions in
    the batch as given, from 0), their ids and, when `values` is given, their values."""
    if not bad.any():
        return
    positions = np.flatnonzero(bad)[:MAX_EXAMPLES]
    ids = batch["incident_id"].iloc[positions].tolist()
    shown = "" if values is None else f" with values {_shown(values.iloc[positions])}"
    raise ValueError(
        f"ingest: {column} {reason} in {int(bad.sum())} row(s), e.g. rows "
        f"{positions.tolist()} (incident_id {ids}){shown}"
    )


def _shown(values: pd.Series) -> list[object]:
    """Values as a message quotes them: a list cell as it is, anything else as text, cut."""
    return [value if isinstance(value, list) else _cut(str(value)) for value in values.tolist()]


def _cut(text: str) -> str:
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 1] + "…"
