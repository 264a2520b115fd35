"""Tests for geo.charts: the timeline's Vega-Lite spec and the brush → calendar days rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import pandas as pd
import pytest

from geo.aggregate import aggregate
from geo.charts import (
    BAR_COLUMNS,
    END_FIELD,
    EVENT_COLUMNS,
    SPAN_PARAM,
    START_FIELD,
    chart_events,
    span_to_dates,
    timeline_chart,
)
from geo.i18n import category_label
from geo.maps import CATEGORY_COLOURS
from geo.schema import CATEGORIES

# Zone facts (tz database): America/Lima is UTC−5 all year; America/Santiago is UTC−3
# from 2025-09-07 04:00 UTC until 2026-04-05 03:00 UTC.
SECRET = "SECRET-DESCRIPTION-TEXT"
DAY_MS = 86_400_000


def incidents(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Incidents with the columns aggregate reads plus an id and a description to leak."""
    defaults = {"category": "other", "crossing": None, "people": 1}
    full = [{**defaults, **row} for row in rows]
    return pd.DataFrame(
        {
            "incident_id": [f"id-{n}" for n in range(len(full))],
            "occurred_at": pd.to_datetime([r["at"] for r in full], utc=True),
            "category": pd.array([r["category"] for r in full], dtype="string"),
            "crossing": pd.array([r["crossing"] for r in full], dtype="string"),
            "people_count": pd.array([r["people"] for r in full], dtype="Int64"),
            "description": SECRET,
            "source_url": "https://example.org/secret",
        }
    )


def events(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Context events shaped like geo.events.load_events(): (date, title_es, title_en)."""
    return pd.DataFrame(
        {
            "date": pd.to_datetime([r[0] for r in rows]),
            "zone": "America/Lima",
            "title_es": [r[1] for r in rows],
            "title_en": [r[2] for r in rows],
            "kind": "protest",
            "source": "Diario de prueba",
            "source_url": "https://example.org/event-url",
        }
    )


SAMPLE = incidents(
    [
        {"at": "2025-12-01T15:00Z", "category": "protest", "crossing": "chacalluta", "people": 40},
        {"at": "2025-12-01T16:00Z", "category": "detention", "crossing": "santa-rosa"},
        {"at": "2025-12-04T15:00Z", "category": "protest", "crossing": None, "people": 7},
        {"at": "2025-12-10T15:00Z", "category": "other", "crossing": "chacalluta", "people": 2},
    ]
)
EVENTS = events(
    [
        ("2025-11-20", "Antes del rango", "Before the range"),
        ("2025-12-02", "Bloqueo de la carretera", "Highway blocked"),
        ("2025-12-02", "Reunión binacional", "Binational meeting"),
        ("2025-12-14", "Elección", "Election"),
        ("2026-01-05", "Después del rango", "After the range"),
    ]
)


def build(
    data: pd.DataFrame = SAMPLE,
    *,
    by: Literal["category", "crossing"] = "category",
    measure: Literal["incidents", "people"] = "incidents",
    freq: Literal["day", "week"] = "day",
    lang: str = "es",
    zone: str = "America/Lima",
    context: pd.DataFrame = EVENTS,
) -> dict[str, Any]:
    counts = aggregate(data, freq=freq, by=by, zone=zone)
    spec = timeline_chart(
        counts, context, by=by, measure=measure, freq=freq, lang=lang, zone=zone
    ).to_dict()
    assert isinstance(spec, dict)
    return spec


def layer_data(spec: dict[str, Any], index: int) -> list[dict[str, Any]]:
    data = spec["layer"][index].get("data", spec.get("data"))  # one dataset is hoisted to the top
    rows = spec["datasets"][data["name"]]
    assert isinstance(rows, list)
    return rows


def utc_ms(day: date, hour: int = 0) -> int:
    return int(datetime(day.year, day.month, day.day, hour, tzinfo=UTC).timestamp() * 1000)


# --- the bars -----------------------------------------------------------------------------


def test_bars_are_vertical_and_stacked_from_zero_in_vocabulary_order() -> None:
    bars = build()["layer"][0]
    assert bars["mark"]["type"] == "bar"
    assert bars["mark"]["orient"] == "vertical"  # with x/x2 ranged, else Vega-Lite lays it flat
    encoding = bars["encoding"]
    assert encoding["y"] == {**encoding["y"], "field": "count", "stack": "zero"}
    assert encoding["x"]["field"] == START_FIELD
    assert encoding["x2"]["field"] == END_FIELD
    assert encoding["order"]["field"] == "order"
    rows = layer_data(build(), 0)
    order = {row["label"]: row["order"] for row in rows}
    assert order == {category_label(c, "es"): n for n, c in enumerate(CATEGORIES)}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_category_colours_follow_the_vocabulary_with_the_map_colours(lang: str) -> None:
    scale = build(lang=lang)["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == [category_label(c, lang) for c in CATEGORIES]
    expected = ["#{:02x}{:02x}{:02x}".format(*CATEGORY_COLOURS[c]) for c in CATEGORIES]
    assert scale["range"] == expected
    assert scale["range"][CATEGORIES.index("stranded_group")] == "#d62728"
    assert scale["range"][CATEGORIES.index("death_or_injury")] == "#000000"


def test_crossing_colours_name_each_crossing_and_the_reports_without_one() -> None:
    spec = build(by="crossing", lang="en")
    color = spec["layer"][0]["encoding"]["color"]
    assert color["legend"]["title"] == "Border crossing"
    assert color["scale"]["domain"] == ["Chacalluta (Chile)", "Santa Rosa (Peru)", "No crossing"]
    assert color["scale"]["range"] == ["#1f77b4", "#d62728", "#9e9e9e"]


def test_zero_filled_days_are_kept_with_the_measure_as_count() -> None:
    counts = aggregate(SAMPLE, freq="day", by="category", zone="America/Lima")
    spec = build(measure="people")
    rows = layer_data(spec, 0)
    assert len(rows) == len(counts) == 10 * len(CATEGORIES)  # 1–10 Dec, every category
    starts = sorted({row[START_FIELD] for row in rows})
    assert starts == [utc_ms(date(2025, 12, 1)) + n * DAY_MS for n in range(10)]
    empty_day = [row for row in rows if row[START_FIELD] == utc_ms(date(2025, 12, 2))]
    assert len(empty_day) == len(CATEGORIES) and all(row["count"] == 0 for row in empty_day)
    protest = category_label("protest", "es")
    first = {row["label"]: row["count"] for row in rows if row[START_FIELD] == starts[0]}
    assert first[protest] == 40 and first[category_label("detention", "es")] == 1
    assert all(row[END_FIELD] - row[START_FIELD] == DAY_MS for row in rows)
    assert {row["period"] for row in rows if row[START_FIELD] == starts[0]} == {"1 dic 2025"}


def test_weeks_start_on_monday_and_span_seven_days() -> None:
    spec = build(freq="week", lang="en")
    rows = layer_data(spec, 0)
    starts = sorted({row[START_FIELD] for row in rows})
    assert starts == [utc_ms(date(2025, 12, 1)), utc_ms(date(2025, 12, 8))]  # both Mondays
    assert all(row[END_FIELD] - row[START_FIELD] == 7 * DAY_MS for row in rows)
    assert {row["period"] for row in rows} == {
        "1 Dec 2025 – 7 Dec 2025",
        "8 Dec 2025 – 14 Dec 2025",
    }
    week_one = {row["label"]: row["count"] for row in rows if row[START_FIELD] == starts[0]}
    assert week_one[category_label("protest", "en")] == 2
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert axis["title"] == "Week (America/Lima) · 2025"


def test_days_are_calendar_days_of_the_zone_drawn_as_utc_midnights() -> None:
    late = incidents([{"at": "2025-12-01T03:30Z"}])  # 00:30 in Santiago, 22:30 (30 Nov) in Lima
    santiago = layer_data(build(late, zone="America/Santiago"), 0)
    lima = layer_data(build(late, zone="America/Lima"), 0)
    assert {row[START_FIELD] for row in santiago} == {utc_ms(date(2025, 12, 1))}
    assert {row[START_FIELD] for row in lima} == {utc_ms(date(2025, 11, 30))}
    x = build(late, zone="America/Santiago")["layer"][0]["encoding"]["x"]
    assert x["scale"] == {"type": "utc"}
    assert x["axis"]["title"] == "Día (America/Santiago) · 2025"
    assert "'dic'" in x["axis"]["labelExpr"] and "utcmonth" in x["axis"]["labelExpr"]


def test_axis_titles_and_tooltips_follow_the_language() -> None:
    for lang, measure_title, period_title in (
        ("es", "Personas", "Periodo"),
        ("en", "People", "Period"),
    ):
        encoding = build(measure="people", lang=lang)["layer"][0]["encoding"]
        assert encoding["y"]["axis"]["title"] == measure_title
        assert [t["field"] for t in encoding["tooltip"]] == ["period", "label", "count"]
        assert encoding["tooltip"][0]["title"] == period_title
        assert encoding["tooltip"][2]["title"] == measure_title
    assert "'.')" in build(lang="es")["layer"][0]["encoding"]["y"]["axis"]["labelExpr"]
    assert "','" in build(lang="en")["layer"][0]["encoding"]["y"]["axis"]["labelExpr"]


# --- events, the selection, what the page receives ------------------------------------------


@pytest.mark.parametrize(
    ("lang", "joined", "other_language"),
    [
        ("es", "Bloqueo de la carretera · Reunión binacional", "Highway blocked"),
        ("en", "Highway blocked · Binational meeting", "Bloqueo de la carretera"),
    ],
)
def test_events_inside_the_span_are_labelled_rules_in_the_language(
    lang: str, joined: str, other_language: str
) -> None:
    spec = build(freq="week", lang=lang)  # weeks cover 1–14 Dec
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "rule", "text", "text"]
    # numbers by the rules, odd and even on two rows; titles in tooltips and chart_events
    assert [spec["layer"][i]["encoding"]["text"]["field"] for i in (2, 3)] == ["number"] * 2
    assert [spec["layer"][i]["transform"][0]["filter"] for i in (2, 3)] == [
        "datum.number % 2 == 1", "datum.number % 2 == 0"
    ]  # fmt: skip
    assert spec["layer"][2]["encoding"]["y"] != spec["layer"][3]["encoding"]["y"]
    rows = layer_data(spec, 1)
    assert [row["number"] for row in rows] == [1, 2]
    assert [row["title"] for row in rows] == [joined, {"es": "Elección", "en": "Election"}[lang]]
    assert [row["at"] for row in rows] == [
        utc_ms(date(2025, 12, 2), hour=12),
        utc_ms(date(2025, 12, 14), hour=12),
    ]
    shown = " ".join(row["title"] for row in rows)
    assert other_language not in shown and "range" not in shown and "rango" not in shown


def test_chart_events_is_the_key_of_the_numbers_drawn() -> None:
    counts = aggregate(SAMPLE, freq="week", by="category", zone="America/Lima")
    table = chart_events(counts, EVENTS, freq="week", lang="en")
    assert table["number"].tolist() == [1, 2]
    assert table["title"].tolist() == ["Highway blocked · Binational meeting", "Election"]
    assert chart_events(counts.iloc[:0], EVENTS, freq="week", lang="en").empty


def test_events_outside_a_daily_span_are_left_out() -> None:
    spec = build(freq="day")  # days 1–10 Dec: the 14 Dec election is after the last bar
    assert [row["title"] for row in layer_data(spec, 1)] == [
        "Bloqueo de la carretera · Reunión binacional"
    ]


def test_no_event_inside_the_span_leaves_the_bars_alone() -> None:
    spec = build(context=events([("2024-01-01", "Viejo", "Old")]))
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar"]


def test_the_span_selection_is_an_x_interval_on_the_bars() -> None:
    spec = build()
    params = spec["params"]
    assert len(params) == 1
    assert params[0]["name"] == SPAN_PARAM == "span"
    assert params[0]["select"] == {"type": "interval", "encodings": ["x"]}
    assert params[0]["views"] == [spec["layer"][0]["name"]]


def test_chart_data_holds_no_description_id_or_url() -> None:
    spec = build(by="crossing")
    assert list(layer_data(spec, 0)[0]) == list(BAR_COLUMNS)
    assert list(layer_data(spec, 1)[0]) == list(EVENT_COLUMNS)
    text = repr(spec)
    for leak in (SECRET, "id-0", "incident_id", "description", "https://example.org"):
        assert leak not in text


def test_an_empty_count_table_gives_an_empty_bar_layer() -> None:
    counts = aggregate(SAMPLE.iloc[:0], freq="day", by="category", zone="UTC")
    spec = timeline_chart(
        counts, EVENTS, by="category", measure="incidents", freq="day", lang="es", zone="UTC"
    ).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar"]
    assert layer_data(spec, 0) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"by": "region"}, "by 'region'"),
        ({"measure": "deaths"}, "measure 'deaths'"),
        ({"freq": "month"}, "freq 'month'"),
        ({"lang": "fr"}, "lang 'fr'"),
        ({"zone": "Europe/Madrid"}, "zone 'Europe/Madrid'"),
    ],
)
def test_bad_choices_are_named(change: dict[str, str], message: str) -> None:
    counts = aggregate(SAMPLE, freq="day", by="category", zone="UTC")
    arguments: dict[str, Any] = {
        "by": "category", "measure": "incidents", "freq": "day", "lang": "es", "zone": "UTC",
        **change,
    }  # fmt: skip
    with pytest.raises(ValueError, match=message):
        timeline_chart(counts, EVENTS, **arguments)


def test_missing_columns_and_unknown_categories_are_named() -> None:
    counts = aggregate(SAMPLE, freq="day", by="category", zone="UTC")
    arguments: dict[str, Any] = {
        "by": "category", "measure": "incidents", "freq": "day", "lang": "es", "zone": "UTC",
    }  # fmt: skip
    with pytest.raises(ValueError, match=r"counts is missing column\(s\) \['people'\]"):
        timeline_chart(counts.drop(columns="people"), EVENTS, **arguments)
    with pytest.raises(ValueError, match=r"events is missing column\(s\) \['title_en'\]"):
        timeline_chart(counts, EVENTS.drop(columns="title_en"), **arguments)
    odd = counts.assign(category=counts["category"].replace("other", "riot"))
    with pytest.raises(ValueError, match="'riot'"):
        timeline_chart(odd, EVENTS, **arguments)


# --- span_to_dates --------------------------------------------------------------------------


def test_epoch_milliseconds_become_the_days_the_brush_touches() -> None:
    lo = utc_ms(date(2025, 12, 1), hour=18) + 43 * 60_000  # 1 Dec 18:43 UTC
    hi = utc_ms(date(2026, 1, 2), hour=10)
    assert span_to_dates({START_FIELD: [lo, hi]}) == (date(2025, 12, 1), date(2026, 1, 2))
    assert span_to_dates({START_FIELD: [float(lo), float(hi)]}) == (
        date(2025, 12, 1),
        date(2026, 1, 2),
    )


def test_iso_strings_are_read_as_utc_instants() -> None:
    value = {START_FIELD: ["2025-12-01T18:43:12.158Z", "2026-01-02T10:00:00.000Z"]}
    assert span_to_dates(value) == (date(2025, 12, 1), date(2026, 1, 2))
    naive = {START_FIELD: ["2025-12-01T00:00:00", "2025-12-03"]}
    assert span_to_dates(naive) == (date(2025, 12, 1), date(2025, 12, 2))
    offset = {START_FIELD: ["2025-12-01T23:30:00-03:00", "2025-12-05T12:00:00+00:00"]}
    assert span_to_dates(offset) == (date(2025, 12, 2), date(2025, 12, 5))


def test_an_edge_at_midnight_ends_the_previous_day_inclusively() -> None:
    start, after = date(2025, 12, 1), date(2025, 12, 8)
    assert span_to_dates({START_FIELD: [utc_ms(start), utc_ms(after)]}) == (
        start,
        date(2025, 12, 7),
    )
    one_ms_more = utc_ms(after) + 1
    assert span_to_dates({START_FIELD: [utc_ms(start), one_ms_more]}) == (start, after)
    one_ms_less = utc_ms(start) - 1
    assert span_to_dates({START_FIELD: [one_ms_less, utc_ms(after)]}) == (
        date(2025, 11, 30),
        date(2025, 12, 7),
    )


def test_a_bar_brushed_edge_to_edge_gives_back_its_period() -> None:
    rows = layer_data(build(freq="week"), 0)
    for row in rows:
        span = span_to_dates({START_FIELD: [row[START_FIELD], row[END_FIELD]]})
        assert span is not None
        assert span[1] - span[0] == timedelta(days=6) and span[0].weekday() == 0


def test_a_brush_dragged_right_to_left_gives_the_same_days() -> None:
    lo, hi = utc_ms(date(2025, 12, 3), 5), utc_ms(date(2025, 12, 9), 5)
    assert span_to_dates({START_FIELD: [hi, lo]}) == (date(2025, 12, 3), date(2025, 12, 9))


def test_a_zero_width_brush_at_midnight_is_that_day() -> None:
    day = date(2025, 12, 3)
    assert span_to_dates({START_FIELD: [utc_ms(day), utc_ms(day)]}) == (day, day)


@pytest.mark.parametrize("value", [None, {}])
def test_nothing_selected_is_none(value: dict[str, object] | None) -> None:
    assert span_to_dates(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({START_FIELD: [1]}, "expected"),
        ({"x": [1, 2]}, "expected"),
        ({START_FIELD: "2025-12-01/2025-12-02"}, "expected"),
        ({START_FIELD: ["soon", 1]}, "start 'soon' is not an ISO 8601 date-time"),
        ({START_FIELD: [1, ""]}, "end '' is empty"),
        ({START_FIELD: [True, 1]}, "start True is not epoch milliseconds"),
        ({START_FIELD: [1, float("nan")]}, "end nan is not a finite number"),
        ({START_FIELD: [None, 1]}, "start None is not epoch milliseconds"),
    ],
)
def test_malformed_selections_are_named(value: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        span_to_dates(value)
