"""Word the caption every map snapshot prints: filter, counts, generation time, sources."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

import numpy as np
import pandas as pd

from geo.i18n import LANGS, describe_filter, format_date, format_int
from geo.i18n_labels import LABELS
from geo.query import Filter

# The value of `source` that names the bundled synthetic demo data (printed in words).
DEMO_SOURCE: Final = "demo"

# The snapshot's own words (static and HTML snapshots); the lead folds them into geo.i18n.
# The snapshot's own words live in geo.i18n_labels under "caption_<key>".
CAPTION_TEXT: Final[dict[str, dict[str, str]]] = {
    key.removeprefix("caption_"): words
    for key, words in LABELS.items()
    if key.startswith("caption_")
}


@dataclass(frozen=True)
class SnapshotCaption:
    """The words a snapshot prints about itself: what, for which filter, from what, when."""

    title: str  # "Hito — Chacalluta / Santa Rosa · incidentes"
    filter_line: str  # geo.i18n.describe_filter: dates with zone, crossings, categories
    counts_line: str  # "1.234 incidentes · 5.678 personas"
    generated_line: str  # "Generado el 28 nov 2026 10:15 UTC"
    source_line: str  # data source and layer attribution
    synthetic: bool  # True when any shown row has synthetic == True
    lang: str = "es"

    def lines(self) -> list[str]:
        """Return the caption lines (title excluded), the SYNTHETIC DATA line first if any."""
        lines = [self.filter_line, self.counts_line, self.generated_line, self.source_line]
        return [caption_text("synthetic", self.lang), *lines] if self.synthetic else lines


def caption_text(key: str, lang: str, **values: object) -> str:
    """Return snapshot word `key` in `lang`, placeholders filled; KeyError/ValueError if unknown."""
    _check_lang(lang)
    if key not in CAPTION_TEXT:
        raise KeyError(f"caption: no label {key!r}")
    label = CAPTION_TEXT[key][lang]
    return label.format(**values) if values else label


def snapshot_caption(
    filtered: pd.DataFrame, flt: Filter, *, lang: str, generated_at: datetime, source: str
) -> SnapshotCaption:
    """Return the caption of a snapshot of `filtered` (the rows shown), made at `generated_at`.

    People are the sum of the known `people_count` values; rows without a count add
    nothing and are counted in the line ("sin recuento de personas en 12"). A row is
    synthetic when its `synthetic` flag is True (no column or <NA> = not synthetic, as in
    geo.schema). `source` is a file name, or "demo" for the bundled demo data.
    """
    _check_arguments(filtered, flt, lang, generated_at, source)
    return SnapshotCaption(
        title=caption_text("title", lang),
        filter_line=describe_filter(_dated(flt, filtered), lang),
        counts_line=_counts_line(filtered, lang),
        generated_line=caption_text("generated", lang, when=_utc_minute(generated_at, lang)),
        source_line=_source_line(source, lang),
        synthetic=_any_synthetic(filtered),
        lang=lang,
    )


# --- validate -----------------------------------------------------------------------------


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"caption: lang {lang!r} is not one of {list(LANGS)}")


def _check_arguments(
    filtered: pd.DataFrame, flt: Filter, lang: str, generated_at: datetime, source: str
) -> None:
    _check_lang(lang)
    if not isinstance(filtered, pd.DataFrame):
        raise TypeError(f"snapshot_caption: filtered is a {type(filtered).__name__}, not a frame")
    if "people_count" not in filtered.columns:
        raise ValueError("snapshot_caption: filtered has no column 'people_count'")
    if not isinstance(flt, Filter):
        raise TypeError(f"snapshot_caption: flt is a {type(flt).__name__}, not a geo.query.Filter")
    if not isinstance(generated_at, datetime) or generated_at.utcoffset() is None:
        raise ValueError(
            f"snapshot_caption: generated_at {generated_at!r} must be a tz-aware datetime"
        )
    if not isinstance(source, str) or not source.strip() or not _plain(source).isprintable():
        raise ValueError(
            f"snapshot_caption: source {source!r} must be a non-empty one-line printable text"
        )


# --- compute ------------------------------------------------------------------------------


def _dated(flt: Filter, filtered: pd.DataFrame) -> Filter:
    """Fill an open start or end with the first or last local day of the rows shown, so the
    caption states the dates it covers (nothing shown: left open)."""
    if (flt.start is not None and flt.end is not None) or "occurred_at" not in filtered:
        return flt
    times = filtered["occurred_at"].dropna()
    if times.empty:
        return flt
    local = times.dt.tz_convert(flt.zone)
    start = flt.start if flt.start is not None else local.min().date()
    end = flt.end if flt.end is not None else local.max().date()
    return replace(flt, start=min(start, end), end=max(start, end))


def _counts_line(filtered: pd.DataFrame, lang: str) -> str:
    try:
        people = pd.to_numeric(filtered["people_count"], errors="raise").astype("Float64")
    except (TypeError, ValueError) as error:
        raise ValueError(f"snapshot_caption: field people_count is not numeric: {error}") from error
    negative = people.fillna(0).to_numpy(dtype=float) < 0
    if negative.any():
        position = int(np.argmax(negative))
        value = filtered["people_count"].iloc[position]
        raise ValueError(
            f"snapshot_caption: row {filtered.index[position]}: field people_count value "
            f"{value} is negative"
        )
    incidents, known_people = len(filtered), int(people.fillna(0).sum())
    unknown = int(people.isna().sum())
    parts = [_counted("incidents", incidents, lang), _counted("people", known_people, lang)]
    if unknown:
        parts.append(caption_text("people_unknown", lang, count=format_int(unknown, lang)))
    return " · ".join(parts)


def _counted(noun: str, count: int, lang: str) -> str:
    key = f"{noun}_one" if count == 1 else f"{noun}_many"
    return caption_text(key, lang, count=format_int(count, lang))


def _utc_minute(generated_at: datetime, lang: str) -> str:
    utc = pd.Timestamp(generated_at).tz_convert("UTC")
    return f"{format_date(utc.date(), lang)} {utc:%H:%M}"


def _plain(text: str) -> str:
    """Turn every Unicode space (no-break, narrow no-break…) into a plain space."""
    return "".join(" " if unicodedata.category(char) == "Zs" else char for char in text)


def _source_line(source: str, lang: str) -> str:
    shown = caption_text("demo_source", lang) if source == DEMO_SOURCE else _plain(source).strip()
    return caption_text("source", lang, source=shown)


def _any_synthetic(filtered: pd.DataFrame) -> bool:
    if "synthetic" not in filtered.columns:
        return False
    flags = filtered["synthetic"].astype("boolean")
    return bool(flags.fillna(False).any())
