"""Turn incident frames into COPY text for PostGIS and COPY output back into frames, vectorised.

Writes: a batch geo.store.batch.checked_batch accepted is turned once into an Arrow table
whose CSV (pyarrow's writer: shortest round-trip floats, strings quoted, nulls as bare
empty fields) is exactly what `COPY … (FORMAT csv)` reads. The point goes in as hex EWKB,
`occurred_at` as the time floored to the microsecond and `occurred_ns` as the exact
nanoseconds. Reads: `COPY (SELECT …) TO STDOUT (FORMAT csv)`
is parsed by pyarrow with the same conventions (NULL = bare empty field, "" = empty text,
booleans t/f) and assembled into a frame with geo.schema's dtypes.
"""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import shapely

from geo.schema import CANONICAL_DTYPES, DERIVED_DTYPES, WGS84
from geo.store.batch import TEXT_COLUMNS
from geo.writers import join_lists

LIST_SEPARATOR: Final = ";"
# Columns COPY writes into `incidents`, in order (ingest_id is appended per chunk).
WRITE_COLUMNS: Final[tuple[str, ...]] = (
    "incident_id", "occurred_at", "occurred_ns", "category", "crossing", "people_count",
    "nationalities", "source", "source_url", "description", "verified", "synthetic",
    "country", "region", "side", "nearest_crossing", "dist_crossing_m", "dist_border_m",
    "between_complexes", "crossing_assigned", "geom", "fingerprint", "ingest_id",
)  # fmt: skip
# What a read selects (SQL expression per output name), and the Arrow type it parses to.
READ_EXPRESSIONS: Final[dict[str, str]] = {
    **{name: name for name in CANONICAL_DTYPES if name != "occurred_at"},
    "occurred_ns": "occurred_ns",
    **{name: name for name in DERIVED_DTYPES},
    "lon": "ST_X(geom)",
    "lat": "ST_Y(geom)",
}
_ARROW_TYPES: Final[dict[str, pa.DataType]] = {
    "string": pa.string(),
    "object": pa.string(),  # nationalities, as joined text
    "Int64": pa.int64(),
    "boolean": pa.bool_(),
    "bool": pa.bool_(),
    "float64": pa.float64(),
}
# A point in extended WKB: byte order, type with the SRID flag, SRID, x, y (little-endian).
_EWKB_POINT: Final = np.dtype(
    [("byte_order", "u1"), ("kind", "<u4"), ("srid", "<u4"), ("x", "<f8"), ("y", "<f8")]
)
_EWKB_POINT_WITH_SRID: Final = 0x20000001
READ_TYPES: Final[dict[str, pa.DataType]] = {
    **{n: _ARROW_TYPES[d] for n, d in CANONICAL_DTYPES.items() if n != "occurred_at"},
    "occurred_ns": pa.int64(),
    **{n: _ARROW_TYPES[d] for n, d in DERIVED_DTYPES.items()},
    "lon": pa.float64(),
    "lat": pa.float64(),
}


# --- writes ---------------------------------------------------------------------------------


def id_array(batch: gpd.GeoDataFrame) -> pa.Array:
    """Return the batch's ids as an Arrow string array."""
    return _text(batch["incident_id"])


def arrow_rows(batch: gpd.GeoDataFrame, prints: np.ndarray, chosen: np.ndarray) -> pa.Table:
    """Return the `chosen` rows (a boolean mask) of a batch geo.store.batch.checked_batch
    accepted (UTC nanosecond times, no NUL in text) as an Arrow table in WRITE_COLUMNS order,
    without `ingest_id`."""
    if not chosen.all():
        batch, prints = batch[chosen], prints[chosen]
    nanoseconds = batch["occurred_at"].array.asi8
    columns: dict[str, pa.Array] = {
        "incident_id": _text(batch["incident_id"]),
        "occurred_at": pa.array(nanoseconds // 1000, pa.timestamp("us", tz="UTC")),
        "occurred_ns": pa.array(nanoseconds, pa.int64()),
        "people_count": pa.array(batch["people_count"].astype("Int64").array, pa.int64()),
        "nationalities": _joined_lists(batch["nationalities"]),
        "dist_crossing_m": _floats(batch["dist_crossing_m"]),
        "dist_border_m": _floats(batch["dist_border_m"]),
        "geom": _hex_ewkb(batch.geometry),
        "fingerprint": pa.array(prints, pa.string()),
    }
    for name in TEXT_COLUMNS:
        columns.setdefault(name, _text(batch[name]))
    for name in ("verified", "synthetic", "between_complexes", "crossing_assigned"):
        columns[name] = _flags(batch[name])
    return pa.table({name: columns[name] for name in WRITE_COLUMNS[:-1]})


def copy_csv(rows: pa.Table, ingest_id: int) -> pa.Buffer:
    """Return CSV text of `rows` plus an `ingest_id` column, for COPY … FROM STDIN (FORMAT csv)."""
    table = rows.append_column("ingest_id", pa.array(np.full(rows.num_rows, ingest_id)))
    sink = pa.BufferOutputStream()
    pcsv.write_csv(table, sink, pcsv.WriteOptions(include_header=False))
    return sink.getvalue()


def id_csv(ids: pa.Array) -> pa.Buffer:
    """Return CSV text of one id column (COPY into a temporary id table)."""
    sink = pa.BufferOutputStream()
    pcsv.write_csv(pa.table({"incident_id": ids}), sink, pcsv.WriteOptions(include_header=False))
    return sink.getvalue()


def _text(values: pd.Series) -> pa.Array:
    """Text (pd.NA / None / NaN → null); geo.store.batch made sure every value is a str."""
    return pa.array(values.to_numpy(dtype=object), pa.string(), from_pandas=True)


def _flags(values: pd.Series) -> pa.Array:
    if values.dtype == np.dtype(bool):
        return pa.array(values.to_numpy(), pa.bool_())
    return pa.array(values.astype("boolean").array, pa.bool_())


def _floats(values: pd.Series) -> pa.Array:
    return pa.array(values.to_numpy(dtype="float64"), pa.float64(), from_pandas=True)


def _joined_lists(values: pd.Series) -> pa.Array:
    """Lists joined with ";" (an empty list → ""), a missing cell → null."""
    joined = join_lists(values).mask(values.isna().to_numpy())
    return pa.array(joined.array, pa.string())


def _hex_ewkb(geometry: gpd.GeoSeries) -> pa.Array:
    """Points as hex EWKB text with SRID 4326, built with numpy (25 bytes a point)."""
    points = np.asarray(geometry.array)
    records = np.empty(len(points), dtype=_EWKB_POINT)
    records["byte_order"] = 1  # little-endian
    records["kind"] = _EWKB_POINT_WITH_SRID
    records["srid"] = 4326
    records["x"] = shapely.get_x(points)
    records["y"] = shapely.get_y(points)
    text = records.tobytes().hex().encode("ascii")
    width = 2 * _EWKB_POINT.itemsize
    offsets = np.arange(0, width * (len(points) + 1), width, dtype=np.int32)
    return pa.StringArray.from_buffers(len(points), pa.py_buffer(offsets), pa.py_buffer(text))


# --- reads ----------------------------------------------------------------------------------


def incident_frame(table: pa.Table) -> gpd.GeoDataFrame:
    """Build incidents (geo.schema dtypes, EPSG:4326 points) from parsed READ_EXPRESSIONS."""
    frame = pd.DataFrame(
        {name: _column(table, name, dtype) for name, dtype in CANONICAL_DTYPES.items()}
    )
    geometry = gpd.points_from_xy(_numbers(table, "lon"), _numbers(table, "lat"), crs=WGS84)
    incidents = gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)
    for name, dtype in DERIVED_DTYPES.items():
        incidents[name] = _column(table, name, dtype)
    return incidents


def int_column(table: pa.Table, name: str) -> np.ndarray:
    """Return a non-null int64 column of a parsed table as a numpy array."""
    return np.asarray(table[name].to_numpy(), dtype=np.int64)


def parse_csv(data: bytes, types: dict[str, pa.DataType]) -> pa.Table:
    """Parse COPY CSV output whose columns are `types` (in order); b"" gives no rows."""
    if not data:
        return pa.table({name: pa.array([], kind) for name, kind in types.items()})
    return pcsv.read_csv(
        pa.py_buffer(data),
        read_options=pcsv.ReadOptions(column_names=list(types)),
        parse_options=pcsv.ParseOptions(newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(
            column_types=types,
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
        ),
    )


def _column(table: pa.Table, name: str, dtype: str) -> pd.Series:
    if name == "occurred_at":
        return pd.Series(pd.to_datetime(int_column(table, "occurred_ns"), unit="ns", utc=True))
    if name == "nationalities":
        return _lists(table[name])
    values = table[name]
    if dtype == "string":
        return pd.Series(pd.array(values.to_pandas(), dtype="string"))
    if dtype == "Int64":
        numbers = np.asarray(pc.fill_null(values, 0).to_numpy(), dtype=np.int64)
        missing = np.asarray(pc.is_null(values).to_numpy(), dtype=bool)
        return pd.Series(pd.arrays.IntegerArray(numbers, missing))
    if dtype == "boolean":
        return pd.Series(pd.array(values.to_pandas(), dtype=dtype))
    return pd.Series(values.to_numpy(), dtype=dtype)


def _numbers(table: pa.Table, name: str) -> np.ndarray:
    return np.asarray(table[name].to_numpy(), dtype="float64")


def _lists(values: pa.ChunkedArray) -> pd.Series:
    """Split ";"-joined codes into lists ("" → [], null → None)."""
    text = values.to_pandas()
    split = text.str.split(LIST_SEPARATOR)
    empty = (text == "").to_numpy(dtype=bool)
    if empty.any():
        split[empty] = pd.Series([[] for _ in range(int(empty.sum()))], index=split.index[empty])
    return split.astype(object).where(text.notna(), None)
