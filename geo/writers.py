"""Write incident frames to CSV, GeoJSON or GeoPackage, chosen by the file's suffix.

Precision, by format:
- coordinates: CSV and GeoJSON write 6 decimals of a degree (≈ 0.1 m here), rounded
  half to even; GeoPackage stores the full double.
- times: CSV and GeoJSON write ISO 8601 UTC text with as many fraction digits as the data
  needs (none, 6 or 9: nothing is truncated); GeoPackage stores GDAL date-times, which
  hold milliseconds: finer fractions are cut there.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo.schema import CANONICAL_DTYPES, DERIVED_DTYPES, WGS84

GPKG_LAYER: Final = "incidents"  # also the GeoJSON collection name
LIST_SEPARATOR: Final = ";"
LIST_CELL_TYPES: Final = (list, tuple, np.ndarray)
COORDINATE_DECIMALS: Final = 6
# CSV order: id, time, place, then the rest of the canonical columns, then derived ones.
CSV_LEADING_COLUMNS: Final[tuple[str, ...]] = ("incident_id", "occurred_at", "lat", "lon")
# CSV line ends. Python's csv module quotes a cell only for the characters of the line end,
# so with "\n" a bare carriage return inside a cell goes out unquoted; "\r\n" (RFC 4180)
# quotes both (geo.exports uses it).
CSV_LINE_ENDS: Final[tuple[str, ...]] = ("\n", "\r\n")


def write_incidents(frame: gpd.GeoDataFrame, path: Path, *, csv_line_end: str = "\r\n") -> None:
    """Write `frame` to `path` as .csv, .geojson or .gpkg (layer "incidents"), in EPSG:4326.

    Times are written as ISO 8601 UTC (`2025-12-03T14:05:00Z`), coordinates with six
    decimals (see the module docstring for each format's precision), nationalities joined
    with ";" (JSON lists in GeoJSON). CSV lines end with `csv_line_end`: CRLF by default (RFC
    4180), which also makes the csv module quote a cell holding a bare carriage return.
    Raises ValueError, naming the file, for an unknown suffix, a frame that is not one of
    point incidents with UTC times, or a list column with a cell that is not a list of strings.
    """
    path = Path(path)
    writer = _writer_for(path)
    if csv_line_end not in CSV_LINE_ENDS:
        raise ValueError(f"{path}: csv_line_end {csv_line_end!r} is not one of {CSV_LINE_ENDS}")
    if writer is _write_csv:
        writer = partial(_write_csv, line_end=csv_line_end)
    checked = _checked_wgs84(frame, path)
    try:
        writer(checked, path)
    except ListCellError as error:
        raise ValueError(f"{path}: {error}") from error


def check_output_path(path: Path) -> None:
    """Raise ValueError naming the suffix when `path` is not a format we can write."""
    _writer_for(Path(path))


def ordered_columns(frame: pd.DataFrame) -> list[str]:
    """Return the non-geometry columns: canonical order, then derived, then any others."""
    canonical = [c for c in CANONICAL_DTYPES if c in frame.columns]
    derived = [c for c in DERIVED_DTYPES if c in frame.columns]
    known = {*canonical, *derived, *CSV_LEADING_COLUMNS, frame.geometry.name}
    others = [c for c in frame.columns if c not in known]
    return canonical + derived + others


class ListCellError(ValueError):
    """A list column holds a cell that is not a list of strings."""


def iso_utc(times: pd.Series) -> pd.Series:
    """Format tz-aware times as ISO 8601 UTC with a `Z`, keeping every digit present.

    No fraction when every time is a whole second, else 6 digits (microseconds) when that
    is exact for every time, else 9 (nanoseconds).
    """
    utc = times.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    text = np.char.add(np.datetime_as_string(utc, unit=_finest_unit(utc)), "Z")
    result = pd.Series(text, index=times.index, dtype="string")
    return result.mask(times.isna())


def _finest_unit(utc: np.ndarray) -> Literal["s", "us", "ns"]:
    """Return the coarsest unit that writes every (non-NaT) time exactly."""
    nanoseconds = utc[~np.isnat(utc)].astype("int64")
    if not (nanoseconds % 1_000).any():
        return "s" if not (nanoseconds % 1_000_000_000).any() else "us"
    return "ns"


def join_lists(values: pd.Series) -> pd.Series:
    """Join list cells with ";" (missing cell or empty list → empty string).

    Vectorised with pandas' str.join. Raises ListCellError naming the column and row of
    the first cell that is neither missing nor a list/tuple/array of strings.
    """
    values = values if values.dtype == object else values.astype(object)
    is_list = values.map(type).isin(LIST_CELL_TYPES).to_numpy()
    _raise_for_cells(values, ~is_list & values.notna().to_numpy())
    if not is_list.any():
        return pd.Series("", index=values.index, dtype="string")
    joined = values.str.join(LIST_SEPARATOR)
    _raise_for_cells(values, is_list & joined.isna().to_numpy())  # a non-string element
    return joined.fillna("").astype("string")


def _raise_for_cells(values: pd.Series, bad: np.ndarray) -> None:
    if not bad.any():
        return
    position = int(np.flatnonzero(bad)[0])
    row = values.index[position : position + 1].tolist()[0]
    raise ListCellError(
        f"column {values.name!r}, row {row!r}: {int(bad.sum())} cell(s) are not a list "
        f"of strings, e.g. {values.iloc[position]!r}"
    )


# --- checks ---------------------------------------------------------------------------------


def _writer_for(path: Path) -> Callable[[gpd.GeoDataFrame, Path], None]:
    writer = _WRITERS.get(path.suffix.lower())
    if writer is None:
        suffix = path.suffix or "(no suffix)"
        raise ValueError(f"{path}: cannot write format {suffix!r}; use {', '.join(_WRITERS)}")
    return writer


def _checked_wgs84(frame: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """Check points and UTC-able times; return the frame in EPSG:4326."""
    if frame.crs is None:
        raise ValueError(f"{path}: the incident frame has no CRS; expected {WGS84}")
    geometry = frame.geometry
    not_points = geometry.isna() | (geometry.geom_type != "Point") | geometry.is_empty
    if not_points.any():
        row = frame.index[not_points.to_numpy()][0]
        raise ValueError(f"{path}: row {row}: geometry must be a point, got {geometry[row]}")
    if "occurred_at" in frame.columns:
        times = frame["occurred_at"]
        if not isinstance(times.dtype, pd.DatetimeTZDtype):
            raise ValueError(f"{path}: occurred_at must be tz-aware (UTC), got dtype {times.dtype}")
    return frame.to_crs(WGS84)


# --- writers --------------------------------------------------------------------------------


def _write_csv(frame: gpd.GeoDataFrame, path: Path, line_end: str = "\n") -> None:
    table = pd.DataFrame(index=frame.index)
    if "incident_id" in frame.columns:  # a public export has none
        table["incident_id"] = frame["incident_id"]
    table["occurred_at"] = iso_utc(frame["occurred_at"]) if "occurred_at" in frame else pd.NA
    table["lat"] = _fixed(frame.geometry.y)
    table["lon"] = _fixed(frame.geometry.x)
    for column in ordered_columns(frame):
        if column not in table.columns:
            table[column] = _csv_cell_text(frame[column])
    table.to_csv(path, index=False, na_rep="", lineterminator=line_end)


def _write_geojson(frame: gpd.GeoDataFrame, path: Path) -> None:
    table = _ogr_table(frame, lists_as_text=False)
    for column in table.columns:
        if isinstance(table[column].dtype, pd.DatetimeTZDtype):
            table[column] = iso_utc(table[column])  # GDAL would cut fractions to milliseconds
    path.unlink(missing_ok=True)  # the GeoJSON driver refuses to overwrite a file
    pyogrio.write_dataframe(
        table,
        path,
        driver="GeoJSON",
        layer=GPKG_LAYER,
        layer_options={"COORDINATE_PRECISION": COORDINATE_DECIMALS},
    )


def _write_gpkg(frame: gpd.GeoDataFrame, path: Path) -> None:
    table = _ogr_table(frame, lists_as_text=True)
    pyogrio.write_dataframe(table, path, driver="GPKG", layer=GPKG_LAYER)


_WRITERS: Final[dict[str, Callable[[gpd.GeoDataFrame, Path], None]]] = {
    ".csv": _write_csv,
    ".geojson": _write_geojson,
    ".gpkg": _write_gpkg,
}


def _ogr_table(frame: gpd.GeoDataFrame, *, lists_as_text: bool) -> gpd.GeoDataFrame:
    """Order the columns; join list columns with ";" when the format has no list type."""
    columns = ordered_columns(frame)
    table = gpd.GeoDataFrame(frame[columns].copy(), geometry=frame.geometry, crs=WGS84)
    for column in columns:
        if _holds_lists(table[column]):
            table[column] = join_lists(table[column]) if lists_as_text else table[column]
    return table


def _csv_cell_text(values: pd.Series) -> pd.Series:
    """Return CSV text for one column: lists joined, booleans as true/false, rest unchanged."""
    if _holds_lists(values):
        return join_lists(values)
    if pd.api.types.is_bool_dtype(values.dtype):
        text = np.where(values.fillna(False).to_numpy(dtype=bool), "true", "false")
        return pd.Series(text, index=values.index, dtype="string").mask(values.isna())
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return iso_utc(values)
    return values


def _holds_lists(values: pd.Series) -> bool:
    """Tell whether an object column holds list cells (judged by its first non-null cell)."""
    if values.dtype != object:
        return False
    present = values.dropna()
    return not present.empty and isinstance(present.iloc[0], list | tuple | np.ndarray)


def _fixed(values: pd.Series) -> pd.Series:
    text = np.char.mod(f"%.{COORDINATE_DECIMALS}f", values.to_numpy(dtype="float64"))
    return pd.Series(text, index=values.index, dtype="string")
