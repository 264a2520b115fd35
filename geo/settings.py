"""Declare Hito's tunable settings once, each with its default and meaning."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

REPO_DATA_DIR: Final = Path(__file__).resolve().parent.parent / "data"


def data_dir() -> Path:
    """Return the folder holding reference layers and bundled data (env HITO_DATA_DIR)."""
    return Path(os.environ.get("HITO_DATA_DIR", REPO_DATA_DIR))


UPLOAD_TO_STORE_ENV: Final = "HITO_UPLOAD_TO_STORE"


def upload_to_store_enabled() -> bool:
    """Whether the dashboard offers to save uploads into the store ($HITO_UPLOAD_TO_STORE=1;
    off by default until roles exist: then only analysts may)."""
    return os.environ.get(UPLOAD_TO_STORE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Tunable numbers used by ingest and enrichment."""

    # A report with no crossing gets the nearest complex if it lies within this radius.
    crossing_radius_m: float = 5_000.0
    # Coordinates outside the two regions' bounding box grown by this margin are rejected.
    bbox_margin_deg: float = 0.05


DEFAULT_SETTINGS: Final = Settings()
