"""Load and check the dated context events drawn on the timeline (data/events.csv)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Final

import pandas as pd

from geo.schema import ZONE_BY_SIDE
from geo.settings import data_dir

EVENTS_FILE: Final = "events.csv"
EVENT_COLUMNS: Final[tuple[str, ...]] = (
    "date", "zone", "title_es", "title_en", "kind", "source", "source_url",
)  # fmt: skip
REQUIRED_TEXT: Final[tuple[str, ...]] = ("title_es", "title_en", "source")
EVENT_KINDS: Final[tuple[str, ...]] = (
    "state_of_emergency", "protest", "diplomacy", "election", "government", "border_policy",
)  # fmt: skip
# `zone` is the IANA zone whose calendar the date belongs to (where the event happened).
EVENT_ZONES: Final[tuple[str, ...]] = tuple(ZONE_BY_SIDE.values())
FIRST_DATA_LINE: Final = 2  # line 1 is the header


class EventsError(ValueError):
    """The events file is missing or a row breaks its contract."""


def load_events(path: Path | None = None) -> pd.DataFrame:
    """Return the context events sorted by date; `date` is a calendar day (datetime64, naive).

    Raises EventsError naming the file, line, field, value and reason for any bad cell.
    """
    path = Path(path) if path is not None else data_dir() / EVENTS_FILE
    table = _read_text_table(path)
    _check_columns(table, path)
    for line, row in enumerate(table.to_dict("records"), start=FIRST_DATA_LINE):
        _check_row(row, path, line)
    events = table[list(EVENT_COLUMNS)].astype("string")
    events["date"] = pd.to_datetime(table["date"], format="%Y-%m-%d")
    events["source_url"] = events["source_url"].replace("", pd.NA)
    return events.sort_values("date", kind="stable").reset_index(drop=True)


def _read_text_table(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise EventsError(f"{path}: events file not found")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (pd.errors.ParserError, UnicodeDecodeError, csv.Error) as error:
        raise EventsError(f"{path}: not a readable UTF-8 CSV file: {error}") from error


def _check_columns(table: pd.DataFrame, path: Path) -> None:
    missing = [column for column in EVENT_COLUMNS if column not in table.columns]
    if missing:
        raise EventsError(f"{path}: line 1: missing column(s) {', '.join(missing)}")


def _check_row(row: dict[str, str], path: Path, line: int) -> None:
    """Check one row (a handful of events: a plain loop is the clear choice here)."""
    reasons = {
        "date": _date_problem(row["date"]),
        "zone": None if row["zone"] in EVENT_ZONES else f"must be one of {', '.join(EVENT_ZONES)}",
        "kind": None if row["kind"] in EVENT_KINDS else f"must be one of {', '.join(EVENT_KINDS)}",
        "source_url": _url_problem(row["source_url"]),
        **{field: "must not be empty" for field in REQUIRED_TEXT if not row[field].strip()},
    }
    for field, reason in reasons.items():
        if reason is not None:
            raise EventsError(f"{path}: line {line}, field {field}, value {row[field]!r}: {reason}")


def _date_problem(text: str) -> str | None:
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if pd.isna(parsed) or len(text) != len("YYYY-MM-DD"):
        return "not a date in YYYY-MM-DD form"
    return None


def _url_problem(text: str) -> str | None:
    if text and not text.startswith(("https://", "http://")):
        return "must be empty or start with http:// or https://"
    return None
