"""Show the filtered incidents as a table: public columns only, local times, newest first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from geo.i18n import CATEGORY_LABELS as CATEGORY_NAMES
from geo.i18n import (
    check_lang,
    crossing_label,
    format_int,
    region_label,
    side_label,
    text,
)

MAX_TABLE_ROWS: Final = 5_000  # st.dataframe of a million rows is too heavy for the browser
TIME_FORMAT: Final = "%Y-%m-%d %H:%M"
DAY_FORMAT: Final = "%Y-%m-%d"
ANALYST_COLUMNS: Final = ("incident_id", "source_url", "description")  # analysts only
MISSING: Final = "—"  # shown for a value the report did not give (e.g. people unknown)

# The incident columns the table reads for everyone (analysts also get ANALYST_COLUMNS).
SOURCE_COLUMNS: Final = (
    "occurred_at",
    "category",
    "crossing",
    "people_count",
    "nationalities",
    "region",
    "side",
    "verified",
    "source",
    "between_complexes",
    "dist_border_m",
)

def label(key: str, lang: str) -> str:
    """Return the table view's label `key` in `lang` (from geo.i18n)."""
    return text(key, lang)


def newest_rows(incidents: gpd.GeoDataFrame, limit: int = MAX_TABLE_ROWS) -> pd.DataFrame:
    """Return the `limit` newest incidents, newest first (ties keep their order)."""
    times = incidents["occurred_at"]
    if times.is_monotonic_increasing:  # a prepare()d frame: no sort needed
        return incidents.iloc[::-1].iloc[:limit]
    newest_first = times.reset_index(drop=True).sort_values(ascending=False, kind="stable")
    return incidents.iloc[newest_first.index[:limit]]


def table_frame(
    incidents: gpd.GeoDataFrame, *, lang: str, zone: str, role: str = "public"
) -> pd.DataFrame:
    """Return the table's columns, labelled in `lang`, times in `zone`, in the incidents' order.

    The public sees days (its times are days: geo.privacy) and no id, description or URL;
    an analyst sees the time of day and, last, the id, the source URL and the description.
    """
    check_lang(lang)
    _check_columns(incidents)
    # ISO-like local times, so the column sorts chronologically when a user clicks it.
    shown = TIME_FORMAT if role == "analyst" else DAY_FORMAT
    local = incidents["occurred_at"].dt.tz_convert(zone).dt.strftime(shown)
    columns = {
        label("col_local_time", lang).format(zone=zone): local.astype("string"),
        label("col_category", lang): _category_labels(incidents["category"], lang),
        label("col_crossing", lang): _labels(incidents["crossing"], crossing_label, lang),
        label("col_people", lang): incidents["people_count"].astype("Int64"),
        label("col_nationalities", lang): _joined(incidents["nationalities"]),
        label("col_region", lang): _labels(incidents["region"], region_label, lang),
        label("col_side", lang): _labels(incidents["side"], side_label, lang),
        label("col_verified", lang): incidents["verified"].astype("boolean"),
        label("col_source", lang): incidents["source"].astype("string"),
        label("col_between_complexes", lang): incidents["between_complexes"].astype("boolean"),
        label("col_dist_border_m", lang): incidents["dist_border_m"].round().astype("Int64"),
    }
    if role == "analyst":
        for name in ANALYST_COLUMNS:
            columns[label(f"col_{name}", lang)] = incidents[name].astype("string")
    return pd.DataFrame(columns).reset_index(drop=True)


def render_table(
    incidents: gpd.GeoDataFrame, *, lang: str, zone: str, role: str = "public"
) -> None:
    """Draw the filtered incidents, newest first, with the row count (newest 5,000 at most)."""
    shown = table_frame(newest_rows(incidents), lang=lang, zone=zone, role=role)
    count = format_int(len(incidents), lang)
    if len(incidents) > len(shown):
        note = label("table_newest", lang).format(shown=format_int(len(shown), lang), count=count)
    else:
        note = label("table_count", lang).format(count=count)
    st.caption(note)  # a constant template with numbers only
    st.dataframe(shown, hide_index=True, placeholder=MISSING)  # "—" for an unknown count


def _category_labels(categories: pd.Series, lang: str) -> pd.Series:
    """Map category ids to labels; an id outside the vocabulary is shown as it is."""
    names = categories.astype("string")
    labels = {category: names_by_lang[lang] for category, names_by_lang in CATEGORY_NAMES.items()}
    return names.map(labels).fillna(names).astype("string")


def _labels(values: pd.Series, labeller: Callable[[str, str], str], lang: str) -> pd.Series:
    """Label each distinct id once; an id without a label is shown as it is."""
    names = values.astype("string")
    labels: dict[str, str] = {}
    for name in names.dropna().unique():
        try:
            labels[name] = labeller(name, lang)
        except KeyError:  # not in the label tables (e.g. an uploaded crossing id): keep it
            labels[name] = name
    return names.map(labels).astype("string")


def _joined(nationalities: pd.Series) -> pd.Series:
    """Join each row's list of ISO codes with ", " (runs on the shown rows only)."""
    joined = [
        ", ".join(codes) if isinstance(codes, list | tuple | np.ndarray) else ""
        for codes in nationalities
    ]
    return pd.Series(joined, index=nationalities.index, dtype="string")


def _check_columns(incidents: gpd.GeoDataFrame) -> None:
    missing = [column for column in SOURCE_COLUMNS if column not in incidents.columns]
    if missing:
        raise ValueError(f"render_table: the incidents lack {missing} (run geo.enrich first)")


