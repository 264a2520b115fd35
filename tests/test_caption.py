"""The snapshot caption: filter, counts, generation time, source, SYNTHETIC DATA, es / en."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pytest

from geo.caption import CAPTION_TEXT, SnapshotCaption, caption_text, snapshot_caption
from geo.i18n import describe_filter
from geo.query import Filter

GENERATED = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)
FLT = Filter(start=date(2025, 12, 1), end=date(2026, 1, 31), zone="America/Lima",
             crossings=("chacalluta",), categories=("stranded_group", "detention"))  # fmt: skip


def _rows(people: list[int | None], synthetic: list[bool | None] | None = None) -> pd.DataFrame:
    frame = pd.DataFrame({"people_count": pd.array(people, dtype="Int64")})
    if synthetic is not None:
        frame["synthetic"] = pd.array(synthetic, dtype="boolean")
    return frame


def _caption(frame: pd.DataFrame, lang: str = "es", **options: object) -> SnapshotCaption:
    settings: dict[str, object] = {"lang": lang, "generated_at": GENERATED, "source": "demo"}
    settings.update(options)
    return snapshot_caption(frame, FLT, **settings)  # type: ignore[arg-type]


def test_counts_sum_known_people_and_say_how_many_rows_have_no_count() -> None:
    frame = _rows([12, None, 3])
    assert _caption(frame, "es").counts_line == (
        "3 incidentes · 15 personas · sin recuento de personas en 1"
    )
    assert _caption(frame, "en").counts_line == "3 incidents · 15 people · no people count in 1"


def test_counts_use_thousands_separators_and_singular_forms() -> None:
    many = _rows([1] * 1234)
    assert _caption(many, "es").counts_line == "1.234 incidentes · 1.234 personas"
    assert _caption(many, "en").counts_line == "1,234 incidents · 1,234 people"
    one = _rows([1])
    assert _caption(one, "es").counts_line == "1 incidente · 1 persona"
    assert _caption(one, "en").counts_line == "1 incident · 1 person"
    none = _rows([])
    assert _caption(none, "en").counts_line == "0 incidents · 0 people"


def test_filter_line_is_describe_filter_with_dates_zone_crossings_and_categories() -> None:
    spanish = _caption(_rows([1]), "es").filter_line
    assert spanish == describe_filter(FLT, "es")
    assert spanish.startswith("1 dic 2025 – 31 ene 2026 (America/Lima)")
    assert "Chacalluta (Chile)" in spanish and "Grupo varado, Detención" in spanish
    english = _caption(_rows([1]), "en").filter_line
    assert english.startswith("1 Dec 2025 – 31 Jan 2026 (America/Lima)")
    assert "Stranded group, Detention" in english


def test_open_dates_are_stated_as_the_first_and_last_day_shown_in_the_zone() -> None:
    frame = _rows([1, 2]).assign(
        occurred_at=pd.to_datetime(["2025-12-02T03:00Z", "2026-01-20T12:00Z"], utc=True)
    )
    open_filter = Filter(zone="America/Lima")  # 2 Dec 03:00 UTC is 1 Dec 22:00 in Lima
    line = snapshot_caption(frame, open_filter, lang="en", generated_at=GENERATED,
                            source="demo").filter_line  # fmt: skip
    assert line.startswith("1 Dec 2025 – 20 Jan 2026 (America/Lima)")
    half_open = Filter(start=date(2025, 11, 1), zone="America/Lima")
    line = snapshot_caption(frame, half_open, lang="en", generated_at=GENERATED,
                            source="demo").filter_line  # fmt: skip
    assert line.startswith("1 Nov 2025 – 20 Jan 2026 (America/Lima)")
    nothing = snapshot_caption(frame.iloc[:0], open_filter, lang="en", generated_at=GENERATED,
                               source="demo").filter_line  # fmt: skip
    assert nothing == describe_filter(open_filter, "en")


def test_generation_time_is_printed_in_utc_whatever_the_input_zone() -> None:
    santiago = timezone(timedelta(hours=-3))
    local = datetime(2026, 11, 28, 7, 15, tzinfo=santiago)  # = 10:15 UTC
    assert _caption(_rows([1]), "es", generated_at=local).generated_line == (
        "Generado el 28 nov 2026 10:15 UTC"
    )
    assert _caption(_rows([1]), "en", generated_at=local).generated_line == (
        "Generated 28 Nov 2026 10:15 UTC"
    )


def test_a_naive_generation_time_is_refused() -> None:
    with pytest.raises(ValueError, match=r"generated_at .* tz-aware"):
        _caption(_rows([1]), generated_at=datetime(2026, 11, 28, 10, 15))


def test_synthetic_when_any_row_says_so_and_only_then() -> None:
    assert _caption(_rows([1, 2], [False, True])).synthetic is True
    assert _caption(_rows([1, 2], [False, None])).synthetic is False
    assert _caption(_rows([1, 2])).synthetic is False  # no column = not synthetic (geo.schema)


def test_lines_put_the_synthetic_warning_first_and_leave_the_title_out() -> None:
    spanish = _caption(_rows([1], [True]), "es")
    assert spanish.lines()[0] == "DATOS SINTÉTICOS — SYNTHETIC DATA"
    assert spanish.lines()[1:] == [
        spanish.filter_line, spanish.counts_line, spanish.generated_line, spanish.source_line,
    ]  # fmt: skip
    assert spanish.title not in spanish.lines()
    english = _caption(_rows([1], [True]), "en")
    assert english.lines()[0] == "SYNTHETIC DATA"
    real = _caption(_rows([1], [False]), "en")
    assert not any("SYNTHETIC" in line for line in real.lines())
    assert len(real.lines()) == 4


def test_source_line_names_the_data_and_the_layer_attribution() -> None:
    demo = _caption(_rows([1]), "es").source_line
    assert demo.startswith("Fuente: datos de demostración sintéticos (hito demo).")
    assert "IDE Chile DPA 2023" in demo and "Natural Earth" in demo and "dominio público" in demo
    assert "OpenStreetMap" not in demo  # no tiles are drawn in a snapshot
    named = _caption(_rows([1]), "en", source="tacna_reports.csv").source_line
    assert named.startswith("Source: tacna_reports.csv. Layers: IDE Chile DPA 2023")
    assert "public domain" in named


def test_a_file_name_with_unicode_spaces_is_named_with_plain_spaces() -> None:
    line = _caption(_rows([1]), "en", source="informe\u00a0dic\u202f2025.csv").source_line
    assert line.startswith("Source: informe dic 2025.csv. Layers:")


@pytest.mark.parametrize("source", ["", "   ", "two\nlines", 7])
def test_a_blank_multiline_or_non_text_source_is_refused(source: object) -> None:
    with pytest.raises(ValueError, match="source"):
        _caption(_rows([1]), source=source)


def test_an_unknown_language_is_refused_naming_lang() -> None:
    with pytest.raises(ValueError, match="lang 'fr'"):
        _caption(_rows([1]), "fr")
    with pytest.raises(ValueError, match="lang 'de'"):
        caption_text("title", "de")


def test_negative_people_counts_are_refused_naming_the_row() -> None:
    frame = _rows([3, -2])
    frame.index = pd.Index(["a", "b"])
    with pytest.raises(ValueError, match="row b: field people_count value -2 is negative"):
        _caption(frame)


def test_a_frame_without_people_count_is_refused() -> None:
    with pytest.raises(ValueError, match="people_count"):
        _caption(pd.DataFrame({"category": ["other"]}))


def test_spanish_and_english_captions_differ_in_every_worded_line() -> None:
    frame = _rows([5, None], [True, False])
    spanish, english = _caption(frame, "es"), _caption(frame, "en")
    for field in ("title", "filter_line", "counts_line", "generated_line", "source_line"):
        assert getattr(spanish, field) != getattr(english, field), field
    assert spanish.title == "Hito — Chacalluta / Santa Rosa · incidentes"
    assert english.title == "Hito — Chacalluta / Santa Rosa · incidents"


def test_every_caption_word_exists_in_both_languages() -> None:
    for key, words in CAPTION_TEXT.items():
        assert set(words) == {"es", "en"}, key
        assert all(text.strip() for text in words.values()), key


def test_caption_is_frozen() -> None:
    caption = _caption(_rows([1]))
    with pytest.raises(FrozenInstanceError):
        caption.title = "changed"  # type: ignore[misc]


def test_a_non_numeric_people_count_is_refused_naming_the_field() -> None:
    frame = pd.DataFrame({"people_count": ["12", "many"]})
    with pytest.raises(ValueError, match=r"people_count is not numeric.*many"):
        _caption(frame)
