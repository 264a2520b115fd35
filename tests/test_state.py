"""dashboard.state: the View round-trips through URL params; bad values fall back per field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.state import (
    MAX_ZOOM,
    MIN_ZOOM,
    URL_KEYS,
    View,
    view_from_params,
    view_to_params,
    with_map,
)
from geo.i18n import LANGS
from geo.query import SIDES, Filter
from geo.schema import CATEGORIES, DISPLAY_ZONES

# Ids of data/crossings.geojson and data/regions.geojson (copied here: tests never read data/
# for facts they assert).
CROSSINGS = ("chacalluta", "santa-rosa", "arica-tacna-railway")
REGIONS = ("CL-AP", "PE-TAC")
KNOWN = {"known_crossings": CROSSINGS, "known_regions": REGIONS}
DEFAULTS = View(
    filter=Filter(start=date(2025, 10, 1), end=date(2026, 3, 31), zone="America/Santiago"),
    lang="es",
    center=(-18.25, -70.1),
    zoom=10,
    heat=False,
)
SHARED_URL = {
    "from": "2025-12-01",
    "to": "2026-01-31",
    "tz": "America/Lima",
    "crossing": "chacalluta",
    "category": "stranded_group,detention",
    "lang": "en",
    "lat": "-18.31",
    "lon": "-70.31",
    "zoom": "12",
}


def _parse(params: Mapping[str, str | list[str]], defaults: View = DEFAULTS) -> View:
    return view_from_params(params, defaults, **KNOWN)


def test_a_shared_url_restores_exactly_its_view() -> None:
    expected = View(
        filter=Filter(
            start=date(2025, 12, 1),
            end=date(2026, 1, 31),
            zone="America/Lima",
            crossings=("chacalluta",),
            categories=("stranded_group", "detention"),
        ),
        lang="en",
        center=(-18.31, -70.31),
        zoom=12,
        heat=False,
    )
    assert _parse(dict(SHARED_URL)) == expected


def test_the_shared_url_round_trip_is_stable() -> None:
    once = view_to_params(_parse(dict(SHARED_URL)))
    assert once == {
        **SHARED_URL,
        "region": "",
        "side": "",
        "heat": "0",
    }
    assert list(once) == list(URL_KEYS)
    assert view_to_params(_parse(dict(once))) == once


def test_no_params_gives_the_defaults() -> None:
    assert _parse({}) == DEFAULTS


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2025-13-01"},  # no 13th month
        {"from": "2025-02-30"},  # no 30 February
        {"from": "yesterday"},
        {"to": "2026-1-5"},  # not zero-padded ISO
        {"to": "２０２６-01-05"},  # full-width digits
        {"tz": "Europe/Madrid"},
        {"tz": "america/lima"},  # zone ids are case-sensitive
        {"crossing": "chacalluta,nowhere"},  # one unknown id: the whole field falls back
        {"crossing": "<script>"},
        {"category": "stranded_group,unicorn"},
        {"region": "CL-XX"},
        {"side": "BO"},
        {"zoom": "abc"},
        {"zoom": "12.5"},
        {"zoom": "99"},
        {"zoom": "-1"},
        {"lat": "abc"},
        {"lat": "95"},
        {"lat": "1_0"},
        {"lon": "nan"},
        {"lon": "inf"},
        {"lang": "fr"},
        {"heat": "maybe"},
    ],
)
def test_an_invalid_value_falls_back_to_the_default_of_that_field_only(
    params: dict[str, str],
) -> None:
    valid = {
        "from": "2025-12-01", "to": "2026-01-31", "tz": "America/Lima", "crossing": "santa-rosa",
        "category": "detention", "region": "PE-TAC", "side": "PE", "lat": "-18.3",
        "lon": "-70.3", "zoom": "7", "lang": "en", "heat": "1",
    }  # fmt: skip
    key = next(iter(params))
    others = {name: value for name, value in valid.items() if name != key}
    view = _parse({**others, **params})
    assert view == _parse(others)  # exactly as if the invalid key were absent
    assert view_to_params(view)[key] == view_to_params(DEFAULTS)[key]  # it took the default
    for name in others:  # and every other field kept the URL's value
        assert view_to_params(view)[name] == view_to_params(_parse(valid))[name], name


def test_from_after_to_falls_back_to_the_default_dates_only() -> None:
    view = _parse({"from": "2026-02-01", "to": "2026-01-01", "crossing": "santa-rosa"})
    assert (view.filter.start, view.filter.end) == (DEFAULTS.filter.start, DEFAULTS.filter.end)
    assert view.filter.crossings == ("santa-rosa",)


def test_one_bad_date_keeps_the_other() -> None:
    view = _parse({"from": "2025-12-32", "to": "2026-01-15"})
    assert (view.filter.start, view.filter.end) == (DEFAULTS.filter.start, date(2026, 1, 15))


def test_a_valid_date_that_conflicts_with_the_other_default_takes_both_defaults() -> None:
    view = _parse({"from": "2026-06-01"})  # after the default end, 2026-03-31
    assert (view.filter.start, view.filter.end) == (DEFAULTS.filter.start, DEFAULTS.filter.end)


def test_present_but_empty_means_open_or_all() -> None:
    defaults = replace(DEFAULTS, filter=replace(DEFAULTS.filter, crossings=("chacalluta",)))
    view = _parse({"from": "", "to": "", "crossing": "", "side": ""}, defaults)
    assert view.filter.start is None
    assert view.filter.end is None
    assert view.filter.crossings == ()
    assert _parse({}, defaults).filter.crossings == ("chacalluta",)  # absent: the default


def test_repeated_keys_and_spaces_are_read_and_duplicates_dropped() -> None:
    view = _parse({"crossing": ["santa-rosa", " chacalluta , santa-rosa"], "zoom": ["3", "8"]})
    assert view.filter.crossings == ("santa-rosa", "chacalluta")
    assert view.zoom == 8  # the last value, as st.query_params reads it


def test_without_known_ids_any_id_shaped_value_is_accepted() -> None:
    view = view_from_params({"crossing": "new-crossing", "region": "x y"}, DEFAULTS)
    assert view.filter.crossings == ("new-crossing",)
    assert view.filter.regions == DEFAULTS.filter.regions  # a space is not part of an id


def test_heat_and_numbers_accept_their_spellings() -> None:
    assert _parse({"heat": "true"}).heat is True
    assert _parse({"heat": "0"}).heat is False
    assert _parse({"lat": "1e-05", "lon": "-.5"}).center == (1e-05, -0.5)


def test_with_map_rounds_the_centre_and_clamps_the_zoom() -> None:
    moved = with_map(DEFAULTS, (-18.3123456789, -70.3198765432), 12.6)
    assert moved.center == (-18.31235, -70.31988)
    assert moved.zoom == 13
    assert with_map(DEFAULTS, (0.0, 0.0), 40.0).zoom == MAX_ZOOM
    assert moved.filter == DEFAULTS.filter
    with pytest.raises(ValueError, match="map position"):
        with_map(DEFAULTS, (-118.0, 0.0), 3)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lang": "fr"}, "View.lang"),
        ({"zoom": 30}, "View.zoom"),
        ({"center": (91.0, 0.0)}, "View.center"),
        ({"filter": Filter(crossings=("a,b",))}, "View.filter.crossings"),
    ],
)
def test_view_rejects_values_a_url_could_not_carry(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(DEFAULTS, **changes)


# --- properties ----------------------------------------------------------------------------


@st.composite
def views(draw: st.DrawFn) -> View:
    first = draw(st.none() | st.dates(date(2000, 1, 1), date(2040, 12, 31)))
    last = draw(st.none() | st.dates(date(2000, 1, 1), date(2040, 12, 31)))
    if first is not None and last is not None and first > last:
        first, last = last, first

    def subset(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(draw(st.lists(st.sampled_from(values), unique=True)))

    flt = Filter(
        start=first,
        end=last,
        zone=draw(st.sampled_from(DISPLAY_ZONES)),
        crossings=subset(CROSSINGS),
        categories=subset(CATEGORIES),
        regions=subset(REGIONS),
        sides=subset(SIDES),
    )
    return View(
        filter=flt,
        lang=draw(st.sampled_from(LANGS)),
        center=(
            draw(st.floats(-90, 90, allow_nan=False)),
            draw(st.floats(-180, 180, allow_nan=False)),
        ),
        zoom=draw(st.integers(MIN_ZOOM, MAX_ZOOM)),
        heat=draw(st.booleans()),
    )


@given(views())
@settings(max_examples=300, deadline=None)
def test_every_view_survives_the_url(view: View) -> None:
    params = view_to_params(view)
    assert set(params) == set(URL_KEYS)
    assert _parse(params) == view


url_values = st.text(max_size=12) | st.sampled_from(
    ["", "2025-12-01", "2026-01-31", "UTC", "America/Lima", "chacalluta", "santa-rosa,CL",
     "detention", "CL", "PE-TAC", "12", "-18.3", "1", "en", "abc", "2026-02-30"]
)  # fmt: skip


@given(
    st.dictionaries(
        st.sampled_from([*URL_KEYS, "other"]),
        url_values | st.lists(url_values, max_size=3),
    )
)
@settings(max_examples=300, deadline=None)
def test_any_params_give_a_view_whose_url_is_a_fixed_point(
    params: dict[str, str | list[str]],
) -> None:
    view = _parse(params)  # never raises
    once = view_to_params(view)
    assert _parse(once) == view
    assert view_to_params(_parse(once)) == once
