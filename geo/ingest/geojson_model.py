"""Hold what reading GeoJSON features gives, and which property key gives each field."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from geo.ingest.columns import COLUMN_ALIASES, HeaderIndex
from geo.ingest.geojson_scan import ArrowFeatures
from geo.ingest.report import IngestError, Notice, Problem
from geo.ingest.textcols import TextColumn

PROPERTY_FIELDS: Final = {
    field: aliases
    for field, aliases in COLUMN_ALIASES.items()
    if field not in ("lat", "lon", "coordinates")
}
REQUIRED_PROPERTIES: Final = ("occurred_at", "category")


@dataclass
class Points:
    """Each row's point (NaN when rejected), what was wrong, and the geometries not plain."""

    lon: np.ndarray
    lat: np.ndarray
    reported: np.ndarray
    problems: list[Problem]
    elevations: int = 0
    odd: dict[int, Any] | None = None  # row -> geometry not a Point of exactly two floats
    arrow: ArrowFeatures | None = None  # the features as written, when pyarrow read them


@dataclass
class Properties:
    """Text cells per canonical field, which property keys gave them, and what was wrong."""

    cells: dict[str, TextColumn]
    key_used: dict[str, Counter[str]]  # canonical field -> property key -> features using it
    unused_keys: set[str]
    problems: list[Problem]


@dataclass
class ReadFeatures:
    """What reading the features gave, holding no feature objects (only odd geometries)."""

    numbers: np.ndarray  # feature number of each row
    points: Points
    properties: Properties
    problems: list[Problem]
    notices: list[Notice]
    feature_lines: np.ndarray  # physical start line of each feature


@dataclass(frozen=True)
class KeyPlan:
    """Which property key gives each canonical field, for one set of keys (shared by features)."""

    keys: dict[str, str]  # canonical field -> property key
    conflicts: list[tuple[str, str]]  # (canonical field, reason) when two keys give one field
    unused: list[str]


def plan_keys(keys: tuple[str, ...]) -> KeyPlan:
    index = HeaderIndex(list(keys), "", "properties")
    found: dict[str, str] = {}
    conflicts: list[tuple[str, str]] = []
    for name, aliases in PROPERTY_FIELDS.items():
        try:
            position = index.find(aliases, name)
        except IngestError as error:
            conflicts.append((name, str(error).removeprefix(": ")))
            continue
        if position is not None:
            found[name] = keys[position]
    unused = [key for position, key in enumerate(keys) if position not in index.used]
    return KeyPlan(found, conflicts, unused)


def check_required(key_used: dict[str, Counter[str]], features: int, file: str) -> None:
    missing = [name for name in REQUIRED_PROPERTIES if name not in key_used]
    if missing and features:
        wanted = "; ".join(
            f"{name} (or {', '.join(PROPERTY_FIELDS[name][1:])})" for name in missing
        )
        raise IngestError(f"{file}: no feature has the required properties: {wanted}")
