"""Translate dashboard labels; format numbers, dates and local times in Spanish or English."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Final

import pandas as pd

from geo.i18n_labels import LABELS
from geo.query import Filter
from geo.schema import DISPLAY_ZONES

LANGS: Final[tuple[str, ...]] = ("es", "en")
DEFAULT_LANG: Final = "es"
MONTHS: Final[dict[str, tuple[str, ...]]] = {
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
THOUSANDS: Final[dict[str, str]] = {"es": ".", "en": ","}

CATEGORY_LABELS: Final[dict[str, dict[str, str]]] = {
    "stranded_group": {"es": "Grupo varado", "en": "Stranded group"},
    "irregular_crossing": {"es": "Cruce irregular", "en": "Irregular crossing"},
    "detention": {"es": "Detención", "en": "Detention"},
    "expulsion": {"es": "Expulsión", "en": "Expulsion"},
    "military_deployment": {"es": "Despliegue militar", "en": "Military deployment"},
    "border_closure": {"es": "Cierre de frontera", "en": "Border closure"},
    "humanitarian_aid": {"es": "Ayuda humanitaria", "en": "Humanitarian aid"},
    "protest": {"es": "Protesta", "en": "Protest"},
    "death_or_injury": {"es": "Muerte o lesión", "en": "Death or injury"},
    "trafficking": {"es": "Trata y tráfico", "en": "Trafficking"},
    "other": {"es": "Otro", "en": "Other"},
}
# Crossing ids of data/crossings.geojson; an id not listed here is shown by its given name.
CROSSING_LABELS: Final[dict[str, dict[str, str]]] = {
    "chacalluta": {"es": "Chacalluta (Chile)", "en": "Chacalluta (Chile)"},
    "santa-rosa": {"es": "Santa Rosa (Perú)", "en": "Santa Rosa (Peru)"},
    "arica-tacna-railway": {
        "es": "Ferrocarril Arica–Tacna",
        "en": "Arica–Tacna railway",
    },
}
REGION_LABELS: Final[dict[str, dict[str, str]]] = {
    "CL-AP": {"es": "Arica y Parinacota (Chile)", "en": "Arica y Parinacota (Chile)"},
    "PE-TAC": {"es": "Tacna (Perú)", "en": "Tacna (Peru)"},
}
SIDE_LABELS: Final[dict[str, dict[str, str]]] = {
    "CL": {"es": "Lado chileno", "en": "Chilean side"},
    "PE": {"es": "Lado peruano", "en": "Peruvian side"},
}
# The zone id always leads the label, so the chosen zone is named wherever it is shown.
ZONE_LABELS: Final[dict[str, dict[str, str]]] = {
    "America/Santiago": {
        "es": "America/Santiago (hora de Chile, Arica)",
        "en": "America/Santiago (Chile time, Arica)",
    },
    "America/Lima": {
        "es": "America/Lima (hora de Perú, Tacna)",
        "en": "America/Lima (Peru time, Tacna)",
    },
    "UTC": {"es": "UTC", "en": "UTC"},
}
LANGUAGE_NAMES: Final[dict[str, str]] = {"es": "Español", "en": "English"}
TABLES: Final[dict[str, Mapping[str, Mapping[str, str]]]] = {
    "labels": LABELS,
    "categories": CATEGORY_LABELS,
    "crossings": CROSSING_LABELS,
    "regions": REGION_LABELS,
    "sides": SIDE_LABELS,
    "zones": ZONE_LABELS,
}


def text(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """Return UI label `key` in `lang`, placeholders filled from `values`; KeyError if unknown."""
    check_lang(lang)
    if key not in LABELS:
        raise KeyError(f"i18n: no label {key!r}")
    label = LABELS[key][lang]
    return label.format(**values) if values else label


def category_label(category: str, lang: str = DEFAULT_LANG) -> str:
    """Return the display name of a category of geo.schema.CATEGORIES; KeyError if unknown."""
    return _lookup(CATEGORY_LABELS, "category", category, lang)


def crossing_label(crossing: str, lang: str = DEFAULT_LANG, fallback: str | None = None) -> str:
    """Return a crossing's display name: the declared label, else `fallback`, else the id."""
    check_lang(lang)
    if crossing in CROSSING_LABELS:
        return CROSSING_LABELS[crossing][lang]
    return fallback if fallback is not None else crossing


def region_label(region: str, lang: str = DEFAULT_LANG) -> str:
    """Return a region's display name (Arica y Parinacota, Tacna); the id if not declared."""
    check_lang(lang)
    return REGION_LABELS[region][lang] if region in REGION_LABELS else region


def side_label(side: str, lang: str = DEFAULT_LANG) -> str:
    """Return "Lado chileno" / "Chilean side" for CL, likewise for PE; KeyError if unknown."""
    return _lookup(SIDE_LABELS, "side", side, lang)


def zone_label(zone: str, lang: str = DEFAULT_LANG) -> str:
    """Return a display zone's label, led by its IANA id; KeyError if not a display zone."""
    return _lookup(ZONE_LABELS, "zone", zone, lang)


def format_int(number: int, lang: str = DEFAULT_LANG) -> str:
    """Return an integer with thousands separators: es 1.234.567, en 1,234,567."""
    check_lang(lang)
    return f"{int(number):,}".replace(",", THOUSANDS[lang])


def format_delta(number: int, lang: str = DEFAULT_LANG) -> str:
    """Return a signed change: +1.234 / -56 / 0 (the sign sets st.metric's arrow)."""
    sign = "+" if number > 0 else ""
    return sign + format_int(number, lang)


def format_date(day: date, lang: str = DEFAULT_LANG) -> str:
    """Return a calendar day: es "5 mar 2026", en "5 Mar 2026"."""
    check_lang(lang)
    return f"{day.day} {MONTHS[lang][day.month - 1]} {day.year}"


def format_datetime_local(
    ts_utc: datetime | pd.Timestamp, zone: str, lang: str = DEFAULT_LANG, *, with_zone: bool = True
) -> str:
    """Return a tz-aware instant in `zone`: "5 mar 2026 14:30 (America/Lima)"."""
    _check_zone(zone)
    stamp = pd.Timestamp(ts_utc)
    if stamp.tzinfo is None:
        raise ValueError(f"format_datetime_local: {ts_utc!r} has no time zone (expected UTC)")
    local = stamp.tz_convert(zone)
    shown = f"{format_date(local.date(), lang)} {local:%H:%M}"
    return f"{shown} ({zone})" if with_zone else shown


def format_datetimes_local(
    times_utc: pd.Series, zone: str, lang: str = DEFAULT_LANG, *, with_zone: bool = False
) -> pd.Series:
    """Vectorised format_datetime_local for a tz-aware column (missing times stay <NA>)."""
    _check_zone(zone)
    check_lang(lang)
    if not isinstance(times_utc.dtype, pd.DatetimeTZDtype):
        raise ValueError(f"format_datetimes_local: dtype {times_utc.dtype} is not tz-aware")
    local = times_utc.dt.tz_convert(zone)
    months = pd.Series(MONTHS[lang], index=range(1, 13))
    month = local.dt.month.map(months)
    day = local.dt.day.astype("Int64").astype("string")
    shown = day + " " + month.astype("string") + " " + local.dt.strftime("%Y %H:%M")
    return shown + f" ({zone})" if with_zone else shown.astype("string")


def check_lang(lang: str) -> None:
    """Raise ValueError unless `lang` is one of LANGS."""
    if lang not in LANGS:
        raise ValueError(f"i18n: language {lang!r} is not one of {list(LANGS)}")


def _check_zone(zone: str) -> None:
    if zone not in DISPLAY_ZONES:
        raise ValueError(f"i18n: zone {zone!r} is not one of {list(DISPLAY_ZONES)}")


def _lookup(table: Mapping[str, Mapping[str, str]], kind: str, key: str, lang: str) -> str:
    check_lang(lang)
    if key not in table:
        raise KeyError(f"i18n: no {kind} label for {key!r}; known: {list(table)}")
    return table[key][lang]


def describe_filter(flt: Filter, lang: str = DEFAULT_LANG) -> str:
    """Return a one-line caption of a Filter in `lang`, naming the zone its dates are read in."""
    check_lang(lang)
    first = format_date(flt.start, lang) if flt.start else text("open_date", lang)
    last = format_date(flt.end, lang) if flt.end else text("open_date", lang)
    parts = [f"{first} – {last} ({flt.zone})"]
    crossings = [crossing_label(value, lang, fallback=value) for value in flt.crossings]
    parts.append(", ".join(crossings) or text("all_crossings", lang))
    categories = [category_label(value, lang) for value in flt.categories]
    parts.append(", ".join(categories) or text("all_categories", lang))
    parts.extend(region_label(value, lang) for value in flt.regions)
    parts.extend(side_label(value, lang) for value in flt.sides)
    if flt.bbox is not None:
        box = ", ".join(f"{value:.4f}" for value in flt.bbox)
        parts.append(text("bbox_part", lang, box=box))
    return " · ".join(parts)
