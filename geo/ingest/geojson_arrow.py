"""Read GeoJSON features that pyarrow parses as json would, making no Python object per feature."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from geo.ingest.geojson_model import (
    PROPERTY_FIELDS,
    REQUIRED_PROPERTIES,
    Points,
    Properties,
    ReadFeatures,
    check_required,
    plan_keys,
)
from geo.ingest.geojson_scan import ArrowFeatures
from geo.ingest.textcols import TextColumn, constant_column


def read_arrow(arrow: ArrowFeatures, file: str) -> ReadFeatures | None:
    """Return the rows pyarrow read, or None when json would read any of them otherwise."""
    size = arrow.table.num_rows
    points = _arrow_points(arrow)
    properties = _arrow_properties(arrow.table, size, file) if points is not None else None
    if points is None or properties is None:
        return None
    feature_lines = arrow.lines.astype("int64")
    return ReadFeatures(np.arange(1, size + 1), points, properties, [], [], feature_lines)


def _arrow_points(arrow: ArrowFeatures) -> Points | None:
    """Return the points when every row is a Feature whose geometry is a Point of numbers."""
    table = arrow.table
    if not {"type", "geometry"} <= set(table.column_names):
        return None
    geometry = table.column("geometry")
    if not _all_equal(table.column("type"), "Feature") or not pa.types.is_struct(geometry.type):
        return None
    if geometry.null_count or {"type", "coordinates"} - {f.name for f in geometry.type}:
        return None
    numbers = pc.struct_field(geometry, "coordinates")
    if not _all_equal(pc.struct_field(geometry, "type"), "Point") or not _number_lists(numbers):
        return None
    lon, lat = (pc.list_element(numbers, i).to_numpy().astype("float64") for i in (0, 1))
    elevations = int(pc.sum(pc.greater(pc.list_value_length(numbers), 2)).as_py() or 0)
    return Points(lon, lat, np.zeros(len(lon), bool), [], elevations, arrow=arrow)


def _all_equal(column: pa.ChunkedArray, value: str) -> bool:
    """Return True when every cell of a text column is `value` (none missing)."""
    if not pa.types.is_string(column.type) or column.null_count:
        return False
    return bool(pc.all(pc.equal(column, value)).as_py())


def _number_lists(numbers: pa.ChunkedArray) -> bool:
    """Return True when every cell is a list of two or more numbers (bools are not numbers)."""
    kind = numbers.type
    if not pa.types.is_list(kind) or kind.value_type not in (pa.float64(), pa.int64()):
        return False
    if numbers.null_count or pc.list_flatten(numbers).null_count:
        return False
    return bool(pc.all(pc.greater_equal(pc.list_value_length(numbers), 2)).as_py())


def _arrow_properties(table: pa.Table, size: int, file: str) -> Properties | None:
    """Return the text cells, or None when a property needs json's reading (see _arrow_text).

    pyarrow gives one column per key used by any feature (missing where a feature lacks it):
    with no two keys for one field, every feature's own key plan agrees with this one.
    """
    properties = table.column("properties") if "properties" in table.column_names else None
    keys: tuple[str, ...] = ()
    if properties is not None and pa.types.is_struct(properties.type):
        keys = tuple(field.name for field in properties.type)
    elif properties is not None and not pa.types.is_null(properties.type):
        return None
    plan = plan_keys(keys)
    if plan.conflicts:
        return None
    key_used = {name: Counter({key: size}) for name, key in plan.keys.items()}
    check_required(key_used, size, file)
    cells = {}
    for name in PROPERTY_FIELDS:
        if name in plan.keys:
            text = _arrow_text(pc.struct_field(properties, plan.keys[name]))
            if text is None:
                return None
            cells[name] = text
        elif name in REQUIRED_PROPERTIES:
            cells[name] = constant_column(None, size)
    return Properties(cells, key_used, set(plan.unused), [])


def _arrow_text(values: pa.ChunkedArray) -> TextColumn | None:
    """Return values as _as_text writes them, or None for types it writes otherwise.

    A float column is left to json (pyarrow reads 1 as 1.0 next to 2.5), as is a list
    holding anything but texts.
    """
    kind = values.type
    if pa.types.is_string(kind):
        return values
    if kind in (pa.null(), pa.int64(), pa.bool_()):
        return pc.cast(values, pa.string())  # true/false, as _as_text writes them
    if pa.types.is_list(kind) and kind.value_type in (pa.string(), pa.null()):
        if pc.list_flatten(values).null_count:
            return None
        return pc.binary_join(values.cast(pa.list_(pa.string())), ";")
    return None
