"""Export filtered incidents as CSV, GeoJSON or GeoPackage bytes, with formula-safe CSV cells.

A public export carries EXPORT_COLUMNS: every canonical and derived incident column except
the id, `description` and `source_url` (its rows have passed geo.privacy.gate first); an
analyst's carries every column (ANALYST_EXPORT_COLUMNS). The files are written by
geo.writers.write_incidents, so precision and layout match `hito enrich`; the CSV alone
gets its text cells neutralised against spreadsheet formula injection (OWASP "CSV
injection"): a text cell starting with = + - @ tab or carriage return gets a leading "'".
Numbers, booleans, times and coordinates are never touched. Export CSV lines end with CRLF
(RFC 4180), so that a carriage return inside a cell is quoted too.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.query import Filter
from geo.schema import CANONICAL_DTYPES, DERIVED_DTYPES
from geo.writers import LIST_CELL_TYPES, join_lists, write_incidents

EXPORT_FORMATS: Final[tuple[str, ...]] = ("csv", "geojson", "gpkg")
EXPORT_KINDS: Final[tuple[str, ...]] = ("incidents", "map")
# The public never gets these (geo.privacy blanks them too); analysts get every column.
HELD_BACK_COLUMNS: Final[tuple[str, ...]] = ("incident_id", "description", "source_url")
EXPORT_COLUMNS: Final[tuple[str, ...]] = tuple(
    column for column in (*CANONICAL_DTYPES, *DERIVED_DTYPES) if column not in HELD_BACK_COLUMNS
)
ANALYST_EXPORT_COLUMNS: Final[tuple[str, ...]] = (*CANONICAL_DTYPES, *DERIVED_DTYPES)
FORMULA_PREFIXES: Final[tuple[str, ...]] = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD: Final = "'"
CSV_LINE_END: Final = "\r\n"  # RFC 4180; also makes the csv module quote a "\r" in a cell
NAME_HASH_HEX: Final = 8
NAME_TIME_FORMAT: Final = "%Y%m%dT%H%M%SZ"
SUFFIX_PATTERN: Final = re.compile(r"[a-z0-9]+")


def neutralise_formulas(values: pd.Series) -> pd.Series:
    """Return `values` with every text cell that starts with a FORMULA_PREFIXES character
    prefixed by "'" (list cells are joined with ";" first, categoricals read as text).

    Numeric, boolean and datetime columns come back untouched (the same object), as do the
    non-text cells of a mixed object column. Missing cells stay missing.
    """
    if _is_never_text(values):
        return values
    if _holds_lists(values):
        return _guard_text(join_lists(values))
    plain = values.astype(object) if isinstance(values.dtype, pd.CategoricalDtype) else values
    if pd.api.types.infer_dtype(plain, skipna=True) in ("string", "empty"):
        return _guard_text(plain.astype("string"))
    return _guard_mixed(plain)


def export_bytes(filtered: gpd.GeoDataFrame, fmt: str, *, role: str = "public") -> bytes:
    """Return the columns `role` may take of `filtered` as a .csv, .geojson or .gpkg file's
    bytes: EXPORT_COLUMNS for the public, ANALYST_EXPORT_COLUMNS for an analyst.

    Written by geo.writers.write_incidents (EPSG:4326, UTC times); CSV text cells are
    neutralised with neutralise_formulas, lat/lon and numbers are left as numbers, and lines
    end with CRLF. Raises
    ValueError for an unknown format or a frame that lacks an export column.
    """
    _check_format(fmt)
    columns = _columns_for(role)
    table = _export_table(filtered, columns)
    if fmt == "csv":
        for column in columns:
            table[column] = neutralise_formulas(table[column])
    with tempfile.TemporaryDirectory(prefix="hito-export-") as folder:
        path = Path(folder) / f"incidents.{fmt}"
        write_incidents(table, path, csv_line_end=CSV_LINE_END)
        return path.read_bytes()


def export_name(kind: str, flt: Filter, content: bytes, made_at: datetime, suffix: str) -> str:
    """Return "hito-<kind>-<made_at UTC>-<8 hex>.<suffix>" for a file to hand to a user.

    The hex digits start the sha256 of the filter's repr and the content, so two files of
    the same size but different content (or filter) never share a name, and the same file
    made at the same second always gets the same one. `kind` is "incidents" or "map";
    `made_at` must be tz-aware; `suffix` is lower-case letters and digits, with no dot.
    """
    if kind not in EXPORT_KINDS:
        raise ValueError(f"export_name: kind {kind!r} is not one of {list(EXPORT_KINDS)}")
    if made_at.tzinfo is None or made_at.utcoffset() is None:
        raise ValueError(f"export_name: made_at {made_at.isoformat()} has no time zone")
    if not SUFFIX_PATTERN.fullmatch(suffix):
        raise ValueError(f"export_name: suffix {suffix!r} is not lower-case letters/digits")
    digest = hashlib.sha256(repr(flt).encode("utf-8") + b"\0" + content).hexdigest()
    stamp = made_at.astimezone(UTC).strftime(NAME_TIME_FORMAT)
    return f"hito-{kind}-{stamp}-{digest[:NAME_HASH_HEX]}.{suffix}"


# --- steps ----------------------------------------------------------------------------------


def _check_format(fmt: str) -> None:
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"export: format {fmt!r} is not one of {list(EXPORT_FORMATS)}")


def _columns_for(role: str) -> tuple[str, ...]:
    if role == "public":
        return EXPORT_COLUMNS
    if role == "analyst":
        return ANALYST_EXPORT_COLUMNS
    raise ValueError(f"export: role {role!r} is not one of ['public', 'analyst']")


def _export_table(filtered: gpd.GeoDataFrame, columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Return a copy holding only `columns` and the geometry."""
    missing = [column for column in columns if column not in filtered.columns]
    if missing:
        raise ValueError(f"export: the incidents lack columns {missing} (run geo.enrich first)")
    kept = [*columns, filtered.geometry.name]
    return gpd.GeoDataFrame(filtered[kept].copy(), geometry=filtered.geometry.name)


def _is_never_text(values: pd.Series) -> bool:
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return not pd.api.types.is_object_dtype(dtype.categories) and not (
            pd.api.types.is_string_dtype(dtype.categories)
        )
    return (
        pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
    )


def _holds_lists(values: pd.Series) -> bool:
    """Tell whether an object column holds list cells (judged by its first non-null cell)."""
    if values.dtype != object:
        return False
    present = values.dropna()
    return not present.empty and isinstance(present.iloc[0], LIST_CELL_TYPES)


def _guard_text(text: pd.Series) -> pd.Series:
    """Prefix "'" to the cells of a string-dtype column that start like a formula."""
    risky = text.str.startswith(FORMULA_PREFIXES).fillna(False).to_numpy(dtype=bool)
    return text.mask(risky, FORMULA_GUARD + text)


def _guard_mixed(values: pd.Series) -> pd.Series:
    """Guard the str cells of an object column that also holds other values (kept as they are).

    A per-cell type test: only reached by columns outside the incident contract.
    """
    is_text = values.map(lambda cell: isinstance(cell, str)).to_numpy(dtype=bool)
    if not is_text.any():
        return values
    text = values[is_text].astype("string")
    guarded = _guard_text(text).astype(object)
    out = values.astype(object)  # a copy: the caller's column stays as it was
    out.iloc[np.flatnonzero(is_text)] = guarded.to_numpy()
    return out
