"""Fingerprint incident rows by their reported content, to tell a re-sent report from a changed one.

The fingerprint covers what a source reported — the canonical columns of geo.schema and the
point — and not what geo.enrich derived (that depends on the layers' version). A crossing
that enrich filled in (`crossing_assigned`) counts as not reported. Coordinates count to 7
decimals (about 1 cm), times to the nanosecond. The digest is BLAKE2b-128, hex.
"""

from __future__ import annotations

import hashlib
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

FIELD_SEPARATOR: Final = "\x1f"
MISSING: Final = "\x00"
COORDINATE_DECIMALS: Final = 7
TEXT_COLUMNS: Final = ("incident_id", "category", "crossing", "source", "source_url", "description")
FLAG_COLUMNS: Final = ("verified", "synthetic")


def fingerprints(incidents: gpd.GeoDataFrame) -> pd.Series:
    """Return one hex fingerprint per row (same index), from its reported content."""
    _check_columns(incidents)
    parts = [
        _text(incidents["incident_id"]),
        _nanoseconds(incidents["occurred_at"]),
        _fixed(incidents.geometry.x),
        _fixed(incidents.geometry.y),
        *(_text(_reported_crossing(incidents) if name == "crossing" else incidents[name])
          for name in TEXT_COLUMNS[1:]),
        _text(incidents["people_count"].astype("Int64").astype("string")),
        _lists(incidents["nationalities"]),
        *(_flags(incidents[name]) if name in incidents else _missing(len(incidents))
          for name in FLAG_COLUMNS),
    ]  # fmt: skip
    columns = [pa.array(part.to_numpy(dtype=object), type=pa.string()) for part in parts]
    joined = pc.binary_join_element_wise(*columns, FIELD_SEPARATOR).to_pylist()
    digests = [hashlib.blake2b(row.encode("utf-8"), digest_size=16).hexdigest() for row in joined]
    return pd.Series(digests, index=incidents.index, dtype="string")


def _check_columns(incidents: gpd.GeoDataFrame) -> None:
    needed = ("incident_id", "occurred_at", "people_count", "nationalities", *TEXT_COLUMNS)
    missing = sorted({name for name in needed if name not in incidents.columns})
    if missing:
        raise ValueError(f"fingerprints: the incidents lack column(s) {missing}")


def _reported_crossing(incidents: gpd.GeoDataFrame) -> pd.Series:
    crossing = incidents["crossing"].astype("string")
    if "crossing_assigned" not in incidents:
        return crossing
    return crossing.mask(incidents["crossing_assigned"].fillna(False).astype(bool))


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna(MISSING).reset_index(drop=True)


def _nanoseconds(times: pd.Series) -> pd.Series:
    utc = times.dt.tz_convert("UTC").astype("datetime64[ns, UTC]")
    numbers = utc.array.asi8  # nanoseconds since the epoch; NaT is the smallest int64
    text = pd.Series(numbers.astype(str), dtype="string").mask(utc.isna().to_numpy())
    return text.fillna(MISSING)


def _fixed(values: pd.Series) -> pd.Series:
    """Coordinates as whole units of 1e-7 degree (text), e.g. -70.3141234 -> "-703141234"."""
    units = np.round(values.to_numpy(dtype="float64") * 10**COORDINATE_DECIMALS)
    return pd.Series(units.astype(np.int64).astype(str), dtype="string")


def _lists(values: pd.Series) -> pd.Series:
    joined = [
        ";".join(str(code) for code in cell) if isinstance(cell, list | tuple | np.ndarray)
        else MISSING
        for cell in values
    ]  # fmt: skip
    return pd.Series(joined, dtype="string")


def _flags(values: pd.Series) -> pd.Series:
    flags = values.astype("boolean")
    text = np.where(flags.fillna(False).to_numpy(dtype=bool), "1", "0")
    return pd.Series(text, dtype="string").mask(flags.isna().to_numpy()).fillna(MISSING)


def _missing(n: int) -> pd.Series:
    return pd.Series([MISSING] * n, dtype="string")
