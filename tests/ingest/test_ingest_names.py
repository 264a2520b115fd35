"""Names: one text folding for every lookup; categories, nationalities (ISO 3166 via pycountry)."""

from __future__ import annotations

import pycountry
import pytest

from geo.ingest.detect import header_key
from geo.schema import (
    CATEGORY_ALIASES,
    NATIONALITY_ALIASES,
    NATIONALITY_CODES,
    fold_text,
    normalise_category,
    normalise_nationality,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("  Detención_Arbitraria ", "detencion arbitraria"),
        ("\ufeffCATEGORÍA", "categoria"),
        ("Santa-Rosa", "santa rosa"),
        ("Côte d\u2019Ivoire", "cote d'ivoire"),
        ("Straße", "strasse"),
    ],
)
def test_fold_text_ignores_case_accents_dashes_and_spacing(text: str, folded: str) -> None:
    assert fold_text(text) == folded


def test_header_key_is_fold_text_with_underscores() -> None:
    assert header_key(" Total Number of Dead and Missing ") == "total_number_of_dead_and_missing"
    assert header_key("Descripción") == "descripcion"


def test_each_alias_is_declared_once_after_folding() -> None:
    for table in (CATEGORY_ALIASES, NATIONALITY_ALIASES):
        folded = [fold_text(alias) for alias in table]
        assert len(folded) == len(set(folded))


@pytest.mark.parametrize(
    ("value", "category"),
    [("DETENCIÓN", "detention"), ("detencion", "detention"), ("Muerte o lesion", "death_or_injury"),
     ("stranded-group", "stranded_group"), ("Tráfico de migrantes", "trafficking"),
     ("riot", None)],
)  # fmt: skip
def test_categories_fold_before_lookup(value: str, category: str | None) -> None:
    assert normalise_category(value) == category


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Paraguay", "PRY"), ("Mexico", "MEX"), ("México", "MEX"), ("Guatemala", "GTM"),
        ("Honduras", "HND"), ("El Salvador", "SLV"), ("Nicaragua", "NIC"), ("Panama", "PAN"),
        ("Costa Rica", "CRI"), ("Senegal", "SEN"), ("Ghana", "GHA"), ("Uruguay", "URY"),
        ("United States of America", "USA"), ("Spain", "ESP"),
        ("Venezuela (Bolivarian Republic of)", "VEN"), ("Bolivia (Plurinational State of)", "BOL"),
        ("Iran (Islamic Republic of)", "IRN"), ("United Republic of Tanzania", "TZA"),
        ("Democratic Republic of the Congo", "COD"), ("Türkiye", "TUR"), ("Viet Nam", "VNM"),
        ("Haití", "HTI"), ("venezolana", "VEN"), ("Unknown", "UNK"), ("col", "COL"),
        ("Atlantis", None), ("Mixed", None),
    ],
)  # fmt: skip
def test_nationality_names_are_looked_up_in_iso_3166(name: str, code: str | None) -> None:
    assert normalise_nationality(name) == code


def test_nationality_codes_are_every_iso_3166_alpha3_code_and_unk() -> None:
    assert {country.alpha_3 for country in pycountry.countries} | {"UNK"} == NATIONALITY_CODES
