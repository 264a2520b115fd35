"""geo.i18n: labels in both languages, names of categories and places, number and date formats."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from geo import i18n
from geo.i18n import (
    LABELS,
    LANGS,
    category_label,
    crossing_label,
    describe_filter,
    format_date,
    format_datetime_local,
    format_datetimes_local,
    format_delta,
    format_int,
    region_label,
    side_label,
    text,
    zone_label,
)
from geo.query import Filter
from geo.schema import CATEGORIES, DISPLAY_ZONES


def _placeholders(label: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(label) if name}


@pytest.mark.parametrize("table", sorted(i18n.TABLES))
def test_every_key_has_a_non_empty_label_in_both_languages(table: str) -> None:
    for key, labels in i18n.TABLES[table].items():
        assert set(labels) == set(LANGS), f"{table}.{key} has languages {sorted(labels)}"
        assert all(labels[lang].strip() for lang in LANGS), f"{table}.{key} has an empty label"


def test_both_languages_of_a_label_take_the_same_placeholders() -> None:
    for key, labels in LABELS.items():
        assert _placeholders(labels["es"]) == _placeholders(labels["en"]), key


def test_unknown_key_raises_key_error_and_unknown_language_value_error() -> None:
    with pytest.raises(KeyError, match="no_such_label"):
        text("no_such_label", "es")
    with pytest.raises(ValueError, match="'fr'"):
        text("title", "fr")
    with pytest.raises(KeyError, match="unicorn"):
        category_label("unicorn", "en")


def test_page_title_tabs_filters_and_kpis_read_as_agreed() -> None:
    assert text("title", "es") == "Hito — frontera Chile–Perú (Chacalluta / Santa Rosa)"
    assert text("title") == text("title", "es")  # Spanish by default
    tabs = ["tab_map", "tab_hexagons", "tab_timeline", "tab_table", "tab_upload"]
    assert [text(key, "es") for key in tabs] == [
        "Mapa", "Hexágonos", "Línea de tiempo", "Tabla", "Cargar datos"
    ]  # fmt: skip
    assert [text(key, "en") for key in tabs] == ["Map", "Hexagons", "Timeline", "Table", "Upload"]
    filters = ["zone", "crossings", "categories", "regions", "sides"]
    assert [text(key, "es") for key in filters] == [
        "Zona horaria", "Pasos fronterizos", "Categorías", "Regiones", "Lado"
    ]  # fmt: skip
    kpis = ["kpi_incidents", "kpi_people", "kpi_between", "vs_previous"]
    assert [text(key, "es") for key in kpis] == [
        "Incidentes", "Personas", "Entre complejos", "vs. periodo anterior"
    ]  # fmt: skip
    assert "SYNTHETIC DATA" in text("synthetic_banner", "en")
    assert "DATOS SINTÉTICOS" in text("synthetic_banner", "es")


def test_date_label_names_the_zone_in_both_languages() -> None:
    assert text("dates_in_zone", "es", zone="America/Lima") == "Fechas (America/Lima)"
    assert text("dates_in_zone", "en", zone="UTC") == "Dates (UTC)"


def test_every_category_has_a_distinct_label_per_language() -> None:
    assert set(i18n.CATEGORY_LABELS) == set(CATEGORIES)
    for lang in LANGS:
        labels = [category_label(category, lang) for category in CATEGORIES]
        assert len(set(labels)) == len(CATEGORIES), lang
    assert category_label("stranded_group", "es") == "Grupo varado"
    assert category_label("stranded_group", "en") == "Stranded group"
    assert category_label("detention", "es") == "Detención"


def test_places_and_sides_are_named() -> None:
    assert side_label("CL", "es") == "Lado chileno"
    assert side_label("CL", "en") == "Chilean side"
    assert side_label("PE", "es") == "Lado peruano"
    assert crossing_label("santa-rosa", "es") == "Santa Rosa (Perú)"
    assert crossing_label("santa-rosa", "en") == "Santa Rosa (Peru)"
    assert crossing_label("new-crossing", "en", fallback="Paso Nuevo") == "Paso Nuevo"
    assert crossing_label("new-crossing", "en") == "new-crossing"
    assert region_label("PE-TAC", "es") == "Tacna (Perú)"
    assert region_label("XX-YY", "en") == "XX-YY"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("zone", DISPLAY_ZONES)
def test_zone_label_starts_with_the_zone_id(zone: str, lang: str) -> None:
    assert zone_label(zone, lang).startswith(zone)


@pytest.mark.parametrize(
    ("number", "es", "en"),
    [
        (0, "0", "0"),
        (999, "999", "999"),
        (1234, "1.234", "1,234"),
        (1234567, "1.234.567", "1,234,567"),
        (-1234, "-1.234", "-1,234"),
    ],
)
def test_format_int_uses_the_language_thousands_separator(number: int, es: str, en: str) -> None:
    assert format_int(number, "es") == es
    assert format_int(number, "en") == en


def test_format_delta_is_signed() -> None:
    assert format_delta(1234, "es") == "+1.234"
    assert format_delta(-56, "en") == "-56"
    assert format_delta(0, "en") == "0"


def test_format_date_abbreviates_the_month() -> None:
    assert format_date(date(2026, 3, 5), "es") == "5 mar 2026"
    assert format_date(date(2026, 3, 5), "en") == "5 Mar 2026"
    assert format_date(date(2025, 12, 31), "es") == "31 dic 2025"
    assert format_date(date(2025, 1, 1), "es") == "1 ene 2025"


# Offsets (IANA tz database): America/Lima is UTC−5 all year; America/Santiago is UTC−3 in
# the southern summer (until the first Sunday of April, 5 Apr 2026) and UTC−4 in winter.
@pytest.mark.parametrize(
    ("instant", "zone", "lang", "shown"),
    [
        ("2026-03-05T17:30:00Z", "America/Lima", "es", "5 mar 2026 12:30 (America/Lima)"),
        ("2026-03-05T17:30:00Z", "America/Santiago", "en", "5 Mar 2026 14:30 (America/Santiago)"),
        ("2025-07-01T17:30:00Z", "America/Santiago", "es", "1 jul 2025 13:30 (America/Santiago)"),
        ("2026-03-06T02:00:00Z", "America/Lima", "en", "5 Mar 2026 21:00 (America/Lima)"),
        ("2026-03-06T02:00:00Z", "UTC", "es", "6 mar 2026 02:00 (UTC)"),
    ],
)
def test_format_datetime_local_converts_to_the_zone_and_names_it(
    instant: str, zone: str, lang: str, shown: str
) -> None:
    assert format_datetime_local(pd.Timestamp(instant), zone, lang) == shown
    as_datetime = pd.Timestamp(instant).to_pydatetime()
    assert format_datetime_local(as_datetime, zone, lang, with_zone=False) == shown.split(" (")[0]


def test_format_datetime_local_rejects_naive_times_and_unknown_zones() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        format_datetime_local(datetime(2026, 3, 5, 12, 0), "UTC", "es")
    with pytest.raises(ValueError, match="Europe/Madrid"):
        format_datetime_local(datetime(2026, 3, 5, 12, 0, tzinfo=UTC), "Europe/Madrid", "es")


def test_vectorised_local_times_match_the_scalar_ones_and_keep_missing() -> None:
    times = pd.Series(
        pd.to_datetime(["2026-03-05T17:30:00Z", None, "2025-07-01T04:05:00Z"], utc=True)
    )
    shown = format_datetimes_local(times, "America/Santiago", "es")
    assert shown[0] == format_datetime_local(times[0], "America/Santiago", "es", with_zone=False)
    assert shown[2] == "1 jul 2025 00:05"
    assert pd.isna(shown[1])
    named = format_datetimes_local(times, "UTC", "en", with_zone=True)
    assert named[0] == "5 Mar 2026 17:30 (UTC)"
    with pytest.raises(ValueError, match="tz-aware"):
        format_datetimes_local(pd.Series(pd.to_datetime(["2026-03-05"])), "UTC", "es")


def test_describe_filter_names_zone_dates_and_choices_in_each_language() -> None:
    from datetime import date

    from geo.i18n import describe_filter
    from geo.query import Filter

    flt = Filter(
        start=date(2025, 12, 1), end=date(2026, 3, 5), zone="America/Lima",
        crossings=("chacalluta",), categories=("stranded_group",),
    )  # fmt: skip
    spanish = describe_filter(flt, "es")
    english = describe_filter(flt, "en")
    assert spanish.startswith("1 dic 2025 – 5 mar 2026 (America/Lima)")
    assert english.startswith("1 Dec 2025 – 5 Mar 2026 (America/Lima)")
    assert "Grupo varado" in spanish and "Stranded group" in english
    assert describe_filter(Filter(), "es").endswith("todos los pasos · todas las categorías")


def test_describe_filter_names_a_bbox() -> None:
    flt = Filter(bbox=(-70.4, -18.45, -70.2, -18.25))
    assert describe_filter(flt, "en").endswith(
        " · lon/lat box -70.4000, -18.4500, -70.2000, -18.2500"
    )
    assert "recuadro lon/lat -70.4000" in describe_filter(flt, "es")
    assert "box" not in describe_filter(Filter(), "en")
