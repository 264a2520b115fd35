"""Show the filtered incidents as a table: public columns only, local times, newest first."""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

MAX_TABLE_ROWS: Final = 5_000  # st.dataframe of a million rows is too heavy for the browser
TIME_FORMAT: Final = "%Y-%m-%d %H:%M"

# The incident columns the table reads; description, incident_id and source_url never shown.
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

# UI labels, Spanish and English. Keys to add to geo/i18n.py when it takes them over.
LABELS: Final[dict[str, dict[str, str]]] = {
    "col_local_time": {"es": "hora local ({zone})", "en": "local time ({zone})"},
    "col_category": {"es": "categoría", "en": "category"},
    "col_crossing": {"es": "paso", "en": "crossing"},
    "col_people": {"es": "personas", "en": "people"},
    "col_nationalities": {"es": "nacionalidades", "en": "nationalities"},
    "col_region": {"es": "región", "en": "region"},
    "col_side": {"es": "lado", "en": "side"},
    "col_verified": {"es": "verificado", "en": "verified"},
    "col_source": {"es": "fuente", "en": "source"},
    "col_between_complexes": {"es": "entre complejos", "en": "between complexes"},
    "col_dist_border_m": {
        "es": "distancia a la frontera (m)",
        "en": "distance to border (m)",
    },
    "table_count": {"es": "{count} incidentes", "en": "{count} incidents"},
    "table_newest": {
        "es": "Se muestran los {shown} más recientes de {count} incidentes.",
        "en": "Showing the newest {shown} of {count} incidents.",
    },
}

# Category labels; geo/i18n.category_label replaces these once it exists.
CATEGORY_LABELS: Final[dict[str, dict[str, str]]] = {
    "es": {
        "stranded_group": "Grupo varado",
        "irregular_crossing": "Cruce irregular",
        "detention": "Detención",
        "expulsion": "Expulsión",
        "military_deployment": "Despliegue militar",
        "border_closure": "Cierre de frontera",
        "humanitarian_aid": "Ayuda humanitaria",
        "protest": "Protesta",
        "death_or_injury": "Muerte o lesión",
        "trafficking": "Trata y tráfico",
        "other": "Otro",
    },
    "en": {
        "stranded_group": "Stranded group",
        "irregular_crossing": "Irregular crossing",
        "detention": "Detention",
        "expulsion": "Expulsion",
        "military_deployment": "Military deployment",
        "border_closure": "Border closure",
        "humanitarian_aid": "Humanitarian aid",
        "protest": "Protest",
        "death_or_injury": "Death or injury",
        "trafficking": "Trafficking",
        "other": "Other",
    },
}


def label(key: str, lang: str) -> str:
    """Return the table view's label `key` in `lang` ("es" or "en")."""
    _check_lang(lang)
    return LABELS[key][lang]


def newest_rows(incidents: gpd.GeoDataFrame, limit: int = MAX_TABLE_ROWS) -> pd.DataFrame:
    """Return the `limit` newest incidents, newest first (ties keep their order)."""
    times = incidents["occurred_at"]
    if times.is_monotonic_increasing:  # a prepare()d frame: no sort needed
        return incidents.iloc[::-1].iloc[:limit]
    newest_first = times.reset_index(drop=True).sort_values(ascending=False, kind="stable")
    return incidents.iloc[newest_first.index[:limit]]


def table_frame(incidents: gpd.GeoDataFrame, *, lang: str, zone: str) -> pd.DataFrame:
    """Return the table's columns, labelled in `lang`, times in `zone`, in the incidents' order."""
    _check_lang(lang)
    _check_columns(incidents)
    local = incidents["occurred_at"].dt.tz_convert(zone).dt.strftime(TIME_FORMAT)
    columns = {
        label("col_local_time", lang).format(zone=zone): local.astype("string"),
        label("col_category", lang): _category_labels(incidents["category"], lang),
        label("col_crossing", lang): incidents["crossing"].astype("string"),
        label("col_people", lang): incidents["people_count"].astype("Int64"),
        label("col_nationalities", lang): _joined(incidents["nationalities"]),
        label("col_region", lang): incidents["region"].astype("string"),
        label("col_side", lang): incidents["side"].astype("string"),
        label("col_verified", lang): incidents["verified"].astype("boolean"),
        label("col_source", lang): incidents["source"].astype("string"),
        label("col_between_complexes", lang): incidents["between_complexes"].astype("boolean"),
        label("col_dist_border_m", lang): incidents["dist_border_m"].round().astype("Int64"),
    }
    return pd.DataFrame(columns).reset_index(drop=True)


def render_table(incidents: gpd.GeoDataFrame, *, lang: str, zone: str) -> None:
    """Draw the filtered incidents, newest first, with the row count (newest 5,000 at most)."""
    shown = table_frame(newest_rows(incidents), lang=lang, zone=zone)
    count = _format_int(len(incidents), lang)
    if len(incidents) > len(shown):
        note = label("table_newest", lang).format(shown=_format_int(len(shown), lang), count=count)
    else:
        note = label("table_count", lang).format(count=count)
    st.caption(note)  # a constant template with numbers only
    st.dataframe(shown, hide_index=True)


def _category_labels(categories: pd.Series, lang: str) -> pd.Series:
    """Map category ids to labels; an id outside the vocabulary is shown as it is."""
    names = categories.astype("string")
    return names.map(CATEGORY_LABELS[lang]).fillna(names).astype("string")


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


def _format_int(number: int, lang: str) -> str:
    grouped = f"{number:,}"
    return grouped.replace(",", ".") if lang == "es" else grouped


def _check_lang(lang: str) -> None:
    if lang not in ("es", "en"):
        raise ValueError(f"table_view: unknown language {lang!r}; expected 'es' or 'en'")
