"""Build the Altair timeline: stacked counts per day or week, context-event rules, a span brush."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Final, Literal

import altair as alt
import numpy as np
import pandas as pd

from geo.aggregate import NO_CROSSING, check_categories
from geo.i18n import LANGS, MONTHS, THOUSANDS, category_label, crossing_label, format_date, text
from geo.maps import CATEGORY_COLOURS
from geo.schema import CATEGORIES, DISPLAY_ZONES

SPAN_PARAM: Final = "span"  # the interval selection's name: Streamlit returns it under this key
START_FIELD: Final = "start"  # bar start: epoch ms of the period's first day, 00:00 UTC
END_FIELD: Final = "end"  # bar end: epoch ms of the day after the period's last day
BAR_COLUMNS: Final[tuple[str, ...]] = (START_FIELD, END_FIELD, "period", "label", "count", "order")
EVENT_COLUMNS: Final[tuple[str, ...]] = ("at", "number", "date", "title", "source")
EVENT_LABEL_ROWS: Final = (4, 18)  # pixels from the top: neighbouring numbers alternate rows
MAX_TICKS: Final = 12
CHART_HEIGHT: Final = 260  # plot area, pixels
PERIOD_DAYS: Final[dict[str, int]] = {"day": 1, "week": 7}
MS_PER_DAY: Final = 86_400_000
# Crossing colours: Chile blue and Peru red as on the map's regions; reports with no crossing grey.
CROSSING_COLOURS: Final[dict[str, str]] = {
    "chacalluta": "#1f77b4",
    "santa-rosa": "#d62728",
    "arica-tacna-railway": "#2ca02c",
    NO_CROSSING: "#9e9e9e",
}
OTHER_CROSSING_PALETTE: Final[tuple[str, ...]] = (
    "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf", "#ff7f0e",
)  # fmt: skip
EVENT_COLOUR: Final = "#333333"
# geo.i18n label keys of the chart's titles.
FREQ_LABELS: Final[dict[str, str]] = {"day": "freq_day", "week": "freq_week"}
MEASURE_LABELS: Final[dict[str, str]] = {"incidents": "kpi_incidents", "people": "kpi_people"}
BY_LABELS: Final[dict[str, str]] = {"category": "stack_category", "crossing": "stack_crossing"}

# Calendar days are drawn as UTC midnights on a UTC time scale, so the browser's own time zone
# never shifts a bar: the day shown is the calendar day in the zone `aggregate` counted in.
# Vega's own month names are English: the axis spells them from the language's table instead.


def timeline_chart(
    counts: pd.DataFrame,
    events: pd.DataFrame,
    *,
    by: Literal["category", "crossing"],
    measure: Literal["incidents", "people"],
    freq: Literal["day", "week"],
    lang: str,
    zone: str,
) -> alt.LayerChart:
    """Return stacked bars of `measure` per period coloured by `by`, with labelled event rules.

    `counts` is geo.aggregate.aggregate(..., freq=freq, by=by, zone=zone) output (zero-filled
    rows kept); `events` is geo.events.load_events() output, of which only the events inside
    the chart's periods are drawn. The bar layer carries an x interval selection named
    SPAN_PARAM; span_to_dates() turns its value into calendar days in `zone`. The chart's
    data holds display labels and counts only: no incident ids, descriptions or URLs.
    """
    _check_arguments(counts, events, by, measure, freq, lang, zone)
    span = _span(counts, freq)
    title = _time_title(freq, lang, zone, span)
    bars = _bar_table(counts, by, measure, freq, lang)
    ticks = _tick_values(bars[START_FIELD])
    colour = _colour(counts[by], by, lang)
    layers = [_bar_layer(bars, _time_x(START_FIELD, title, ticks, lang), colour, by, measure, lang)]
    marks = chart_events(counts, events, freq=freq, lang=lang)
    if len(marks):
        layers.extend(_event_layers(marks, _time_x("at", title, ticks, lang), lang))
    # fit-x: the width follows the page, the height is the plot's (legend and axes come on top)
    autosize = alt.AutoSizeParams(type="fit-x", contains="padding")
    return alt.LayerChart(layer=layers, height=CHART_HEIGHT, autosize=autosize)


def chart_events(
    counts: pd.DataFrame, events: pd.DataFrame, *, freq: Literal["day", "week"], lang: str
) -> pd.DataFrame:
    """Return the events timeline_chart draws for `counts`, numbered 1, 2, … by date.

    The chart writes only each event's number by its rule (titles would overlap on a narrow
    screen); show this table (number, date, title, source) beside it as the key.
    """
    span = _span(counts, freq)
    if span is None:
        return pd.DataFrame(columns=list(EVENT_COLUMNS))
    return _event_table(events, span, lang)


def span_to_dates(value: Mapping[str, object] | None) -> tuple[date, date] | None:
    """Return the calendar days (first, last; both inclusive) an x brush on the chart touches.

    `value` is the SPAN_PARAM entry of Streamlit's selection state, {START_FIELD: [lo, hi]},
    with lo and hi as epoch milliseconds or ISO 8601 strings (a time without an offset is
    read as UTC, the chart's scale). Empty (nothing selected) gives None. A day counts when
    the brush covers any part of it; an edge exactly at midnight does not reach into the
    day it starts. Raises ValueError naming the value when it is not such an interval.
    """
    if not value:
        return None
    edges = value.get(START_FIELD) if isinstance(value, Mapping) else None
    if not isinstance(edges, list | tuple) or len(edges) != 2:
        raise ValueError(
            f"timeline selection {SPAN_PARAM!r}: expected {{{START_FIELD!r}: [start, end]}}, "
            f"got {value!r}"
        )
    lo, hi = sorted((_instant(edges[0], "start"), _instant(edges[1], "end")))
    first = lo.floor("D")
    after = hi.ceil("D")
    last = max(after - pd.Timedelta(days=1), first)
    return first.date(), last.date()


# --- validate -----------------------------------------------------------------------------


def _check_arguments(
    counts: pd.DataFrame,
    events: pd.DataFrame,
    by: str,
    measure: str,
    freq: str,
    lang: str,
    zone: str,
) -> None:
    choices = {
        "by": (by, ("category", "crossing")),
        "measure": (measure, ("incidents", "people")),
        "freq": (freq, tuple(PERIOD_DAYS)),
        "lang": (lang, LANGS),
        "zone": (zone, DISPLAY_ZONES),
    }
    for name, (given, allowed) in choices.items():
        if given not in allowed:
            raise ValueError(f"timeline_chart: {name} {given!r} is not one of {list(allowed)}")
    _check_columns(counts, ("period", by, "incidents", "people"), "counts")
    _check_columns(events, ("date", "title_es", "title_en", "source"), "events")
    if counts["period"].isna().any():
        raise ValueError("timeline_chart: counts.period has empty values")
    if by == "category":
        check_categories(counts["category"].astype("string").unique(), "timeline_chart")


def _check_columns(frame: pd.DataFrame, needed: tuple[str, ...], name: str) -> None:
    missing = [column for column in needed if column not in frame.columns]
    if missing:
        raise ValueError(f"timeline_chart: {name} is missing column(s) {missing}")


def _instant(edge: object, which: str) -> pd.Timestamp:
    """Read one brush edge (epoch ms or ISO 8601 text) as a UTC instant."""
    problem = f"timeline selection {SPAN_PARAM!r}: {which} {edge!r}"
    if isinstance(edge, bool) or not isinstance(edge, int | float | str):
        raise ValueError(f"{problem} is not epoch milliseconds or an ISO 8601 date-time")
    if isinstance(edge, str):
        try:
            stamp = pd.Timestamp(edge)
        except ValueError as error:
            raise ValueError(f"{problem} is not an ISO 8601 date-time") from error
    elif not np.isfinite(edge):
        raise ValueError(f"{problem} is not a finite number of milliseconds")
    else:
        stamp = pd.Timestamp(edge, unit="ms")
    if pd.isna(stamp):
        raise ValueError(f"{problem} is empty")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


# --- compute ------------------------------------------------------------------------------


def _epoch_ms(days: pd.Series) -> np.ndarray:
    """Epoch milliseconds of 00:00 UTC on each calendar day."""
    return pd.to_datetime(days).to_numpy(dtype="datetime64[ms]").astype("int64")


def _bar_table(
    counts: pd.DataFrame,
    by: str,
    measure: str,
    freq: str,
    lang: str,
) -> pd.DataFrame:
    start = _epoch_ms(counts["period"])
    values = counts[by].astype("string")
    domain_ids = _domain_ids(values, by)
    labels = {value: _value_label(value, by, lang) for value in domain_ids}
    period_labels = {day: _period_label(day, freq, lang) for day in counts["period"].unique()}
    table = pd.DataFrame(
        {
            START_FIELD: start,
            END_FIELD: start + PERIOD_DAYS[freq] * MS_PER_DAY,
            "period": counts["period"].map(period_labels).to_numpy(dtype=object),
            "label": values.map(labels).to_numpy(dtype=object),
            "count": counts[measure].to_numpy(dtype="int64"),
            "order": values.map({v: i for i, v in enumerate(domain_ids)}).to_numpy(dtype="int64"),
        }
    )
    return table[list(BAR_COLUMNS)]


def _domain_ids(values: pd.Series, by: str) -> list[str]:
    """The colour domain's values, in legend and stacking order."""
    if by == "category":
        return list(CATEGORIES)
    present = sorted(set(values.dropna().unique()) - {NO_CROSSING})
    return [*present, NO_CROSSING]


def _value_label(value: str, by: str, lang: str) -> str:
    if by == "category":
        return category_label(value, lang)
    if value == NO_CROSSING:
        return text("no_crossing", lang)
    return crossing_label(value, lang)


def _period_label(day: date, freq: str, lang: str) -> str:
    shown = format_date(day, lang)
    if freq == "day":
        return shown
    return f"{shown} – {format_date(day + timedelta(days=PERIOD_DAYS[freq] - 1), lang)}"


def _colour_scale(values: pd.Series, by: str, lang: str) -> tuple[list[str], list[str]]:
    """The colour scale's domain (display labels, vocabulary order) and range (hex colours)."""
    ids = _domain_ids(values.astype("string"), by)
    domain = [_value_label(value, by, lang) for value in ids]
    if by == "category":
        return domain, [_hex(CATEGORY_COLOURS[value]) for value in ids]
    return domain, [_crossing_colour(value) for value in ids]


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _crossing_colour(crossing: str) -> str:
    """A fixed colour per crossing id, the same whatever else the filter leaves in view."""
    if crossing in CROSSING_COLOURS:
        return CROSSING_COLOURS[crossing]
    return OTHER_CROSSING_PALETTE[zlib.crc32(crossing.encode()) % len(OTHER_CROSSING_PALETTE)]


def _tick_values(starts: pd.Series) -> list[alt.DateTime]:
    """At most MAX_TICKS period starts, evenly spaced from the first (weeks tick on Mondays)."""
    unique = np.unique(starts.to_numpy())
    step = max(1, -(-len(unique) // MAX_TICKS))
    days = pd.to_datetime(unique[::step], unit="ms")
    return [alt.DateTime(year=d.year, month=d.month, date=d.day, utc=True) for d in days]


def _span(counts: pd.DataFrame, freq: str) -> tuple[date, date] | None:
    """First and last calendar day the chart's periods cover (None without periods)."""
    if counts.empty:
        return None
    periods = counts["period"]
    return periods.min(), periods.max() + timedelta(days=PERIOD_DAYS[freq] - 1)


def _event_table(events: pd.DataFrame, span: tuple[date, date], lang: str) -> pd.DataFrame:
    """One mark per event day inside the span: titles of the same day joined, drawn at noon."""
    first, last = span
    days = pd.to_datetime(events["date"]).dt.date
    inside = events.assign(day=days)[(days >= first) & (days <= last)]
    if inside.empty:
        return pd.DataFrame(columns=list(EVENT_COLUMNS))
    grouped = inside.groupby("day", sort=True).agg(
        title=(f"title_{lang}", " · ".join), source=("source", " · ".join)
    )
    day_index = pd.Series(grouped.index, index=grouped.index)
    table = pd.DataFrame(
        {
            "at": _epoch_ms(day_index) + MS_PER_DAY // 2,
            "number": np.arange(1, len(grouped) + 1),
            "date": [format_date(day, lang) for day in grouped.index],
            "title": grouped["title"].to_numpy(dtype=object),
            "source": grouped["source"].to_numpy(dtype=object),
        }
    )
    return table[list(EVENT_COLUMNS)].reset_index(drop=True)


# --- assemble -----------------------------------------------------------------------------


def _time_title(freq: str, lang: str, zone: str, span: tuple[date, date] | None) -> str:
    """The x axis title: the period, the zone its days are read in, and the years shown."""
    title = f"{text(FREQ_LABELS[freq], lang)} ({zone})"
    if span is None:
        return title
    years = sorted({span[0].year, span[1].year})
    return title + " · " + "–".join(str(year) for year in years)


def _time_x(field: str, title: str, ticks: list[alt.DateTime], lang: str) -> alt.X:
    """A temporal x on a UTC scale, ticks at period starts labelled "5 mar" (`lang` months)."""
    months = "[" + ",".join(f"'{month}'" for month in MONTHS[lang]) + "]"
    label = f"utcdate(datum.value) + ' ' + {months}[utcmonth(datum.value)]"
    return alt.X(
        f"{field}:T",
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(values=ticks, labelExpr=label, labelOverlap=True, title=title),
    )


def _count_axis(title: str, lang: str) -> alt.Axis:
    """Whole-number ticks with the language's thousands separator (es 1.000, en 1,000)."""
    label = f"replace(format(datum.value, ',d'), regexp(',', 'g'), '{THOUSANDS[lang]}')"
    return alt.Axis(title=title, tickMinStep=1, labelExpr=label)


def _colour(values: pd.Series, by: str, lang: str) -> alt.Color:
    domain, colours = _colour_scale(values, by, lang)
    legend = alt.Legend(title=text(BY_LABELS[by], lang), orient="bottom", columns=2, labelLimit=220)
    return alt.Color("label:N", scale=alt.Scale(domain=domain, range=colours), legend=legend)


def _bar_layer(
    bars: pd.DataFrame, x: alt.X, colour: alt.Color, by: str, measure: str, lang: str
) -> alt.Chart:
    brush = alt.selection_interval(encodings=["x"], name=SPAN_PARAM)
    count_title = text(MEASURE_LABELS[measure], lang)
    return (
        alt.Chart(bars)
        .mark_bar(orient="vertical", x2Offset=-1)
        .encode(
            x=x,
            x2=alt.X2(f"{END_FIELD}:T"),
            y=alt.Y("count:Q", stack="zero", axis=_count_axis(count_title, lang)),
            color=colour,
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("period:N", title=text("timeline_period", lang)),
                alt.Tooltip("label:N", title=text(BY_LABELS[by], lang)),
                alt.Tooltip("count:Q", title=count_title, format="d"),
            ],
        )
        .add_params(brush)
    )


def _event_layers(marks: pd.DataFrame, x: alt.X, lang: str) -> list[alt.Chart]:
    """A dashed rule per event day and its number at the top, odd and even numbers on two
    rows so neighbours do not overlap; the title is in the tooltip and the key."""
    base = alt.Chart(marks).encode(x=x)
    source_title = text("col_source", lang)
    tooltip = [
        alt.Tooltip("date:N", title=text("freq_day", lang)),
        alt.Tooltip("title:N", title=text("timeline_events", lang)),
        alt.Tooltip("source:N", title=source_title[:1].upper() + source_title[1:]),
    ]
    rules = base.mark_rule(color=EVENT_COLOUR, strokeDash=[4, 3]).encode(tooltip=tooltip)
    labels = [
        base.transform_filter(f"datum.number % 2 == {parity}")
        .mark_text(align="left", baseline="top", dx=3, fontSize=11, fontWeight="bold",
                   color=EVENT_COLOUR)
        .encode(y=alt.value(row), text="number:N", tooltip=tooltip)
        for parity, row in zip((1, 0), EVENT_LABEL_ROWS, strict=True)
    ]  # fmt: skip
    return [rules, *labels]
