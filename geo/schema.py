"""Declare the canonical incident contract: columns, vocabularies, aliases and zones."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

import geopandas as gpd
import pandas as pd
import pycountry

WGS84: Final = "EPSG:4326"
METRIC_CRS: Final = "EPSG:32719"  # UTM 19S: metric work (distances, areas, buffers)

CATEGORIES: Final[tuple[str, ...]] = (
    "stranded_group",
    "irregular_crossing",
    "detention",
    "expulsion",
    "military_deployment",
    "border_closure",
    "humanitarian_aid",
    "protest",
    "death_or_injury",
    "trafficking",
    "other",
)

# Declared aliases mapped onto the vocabulary above, one spelling each: lookups fold case,
# accents, "_"/"-" and spacing with fold_text, so "Detencion" and "DETENCIÓN" both match.
# Anything not here and not a category itself is rejected, never guessed.
CATEGORY_ALIASES: Final[dict[str, str]] = {
    # Spanish
    "grupo varado": "stranded_group",
    "migrantes varados": "stranded_group",
    "varados": "stranded_group",
    "cruce irregular": "irregular_crossing",
    "ingreso clandestino": "irregular_crossing",
    "paso no habilitado": "irregular_crossing",
    "detención": "detention",
    "arresto": "detention",
    "expulsión": "expulsion",
    "reconducción": "expulsion",
    "despliegue militar": "military_deployment",
    "cierre de frontera": "border_closure",
    "cierre fronterizo": "border_closure",
    "ayuda humanitaria": "humanitarian_aid",
    "protesta": "protest",
    "bloqueo": "protest",
    "muerte o lesión": "death_or_injury",
    "muerte": "death_or_injury",
    "lesión": "death_or_injury",
    "fallecimiento": "death_or_injury",
    "trata": "trafficking",
    "tráfico de migrantes": "trafficking",
    "otro": "other",
    # English variants
    "stranded": "stranded_group",
    "stranded group": "stranded_group",
    "arrest": "detention",
    "deportation": "expulsion",
    "death": "death_or_injury",
    "injury": "death_or_injury",
    "human trafficking": "trafficking",
    "smuggling": "trafficking",
}

# Nationalities are ISO 3166-1 alpha-3 codes. A name is looked up, folded (fold_text), first
# in the declared aliases below (demonyms, Spanish names, unknown), then in the ISO 3166-1
# names of pycountry (name, official and common name; "Tanzania, United Republic of" also as
# "United Republic of Tanzania"); a UN M49 / IOM name "Name (Qualifier)" is tried as
# "Name, Qualifier". Anything else is rejected, never guessed.
UNKNOWN_NATIONALITY: Final = "UNK"
NATIONALITY_ALIASES: Final[dict[str, str]] = {
    "venezolana": "VEN",
    "venezolano": "VEN",
    "ecuatoriana": "ECU",
    "ecuatoriano": "ECU",
    "colombiana": "COL",
    "colombiano": "COL",
    "haití": "HTI",
    "haitiana": "HTI",
    "haitiano": "HTI",
    "perú": "PER",
    "peruana": "PER",
    "peruano": "PER",
    "chilena": "CHL",
    "chileno": "CHL",
    "boliviana": "BOL",
    "boliviano": "BOL",
    "cubana": "CUB",
    "cubano": "CUB",
    "república dominicana": "DOM",
    "dominicana": "DOM",
    "dominicano": "DOM",
    "brasil": "BRA",
    "turkey": "TUR",
    "unknown": UNKNOWN_NATIONALITY,
    "desconocida": UNKNOWN_NATIONALITY,
    "desconocido": UNKNOWN_NATIONALITY,
}
# Words that say "several nationalities, not listed" (IOM MMP writes "Mixed"): no codes.
UNLISTED_NATIONALITIES: Final = frozenset({"mixed"})
NATIONALITY_CODES: Final[frozenset[str]] = frozenset(
    country.alpha_3 for country in pycountry.countries
) | frozenset({UNKNOWN_NATIONALITY})

# Country side -> IANA zone of local time on that side of the line.
ZONE_BY_SIDE: Final[dict[str, str]] = {"CL": "America/Santiago", "PE": "America/Lima"}
DISPLAY_ZONES: Final[tuple[str, ...]] = ("America/Santiago", "America/Lima", "UTC")

# The canonical incident, in column order, with the pandas dtype of each column.
CANONICAL_DTYPES: Final[dict[str, str]] = {
    "incident_id": "string",
    "occurred_at": "datetime64[ns, UTC]",
    "category": "string",
    "crossing": "string",
    "people_count": "Int64",
    "nationalities": "object",  # list[str] of ISO 3166-1 alpha-3 codes, one list per row
    "source": "string",
    "source_url": "string",
    "description": "string",
    "verified": "boolean",  # <NA> = unknown: a blank cell or no verified column
    "synthetic": "boolean",  # True for generated demo rows (a banner); blank or no column = False
}
CANONICAL_COLUMNS: Final[tuple[str, ...]] = (*CANONICAL_DTYPES, "geometry")

# Columns added by geo.enrich.
DERIVED_DTYPES: Final[dict[str, str]] = {
    "country": "string",
    "region": "string",
    "side": "string",
    "nearest_crossing": "string",
    "dist_crossing_m": "float64",
    "dist_border_m": "float64",
    "between_complexes": "bool",
    "crossing_assigned": "bool",  # crossing filled by enrich from the nearest complex
}


def empty_incidents() -> gpd.GeoDataFrame:
    """Return an empty canonical incident frame with the declared dtypes."""
    frame = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in CANONICAL_DTYPES.items()})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)


def fold_text(text: str) -> str:
    """Return text folded for matching names: case, accents, "_"/"-", spacing and BOM ignored.

    The one folding used by every lookup (column names, categories, nationalities, crossings,
    month names, ACLED event types): "  Detención_Arbitraria " -> "detencion arbitraria".
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("\ufeff", "").casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.replace("_", " ").replace("-", " ").replace("\u2019", "'").split())


_CATEGORY_LOOKUP: Final = {fold_text(alias): name for alias, name in CATEGORY_ALIASES.items()}
M49_QUALIFIER: Final = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<qualifier>[^()]+)\)$")


def normalise_category(value: str) -> str | None:
    """Return the vocabulary category for a value or declared alias, or None if unknown."""
    key = fold_text(value)
    snake = key.replace(" ", "_")
    if snake in CATEGORIES:
        return snake
    return _CATEGORY_LOOKUP.get(key)


def _iso_name_variants(name: str) -> list[str]:
    """Return an ISO name, and "Tanzania, United Republic of" also turned round.

    The turned form is "United Republic of Tanzania" (also without a leading "The").
    """
    head, comma, qualifier = name.partition(", ")
    if not comma or not re.search(r"\bof( the)?$", qualifier, re.IGNORECASE):
        return [name]
    turned = f"{qualifier} {head}"
    return [name, turned, re.sub(r"^the ", "", turned, flags=re.IGNORECASE)]


def _iso_country_names() -> dict[str, str]:
    """Return folded ISO 3166-1 country name -> alpha-3 code, from pycountry."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            for variant in _iso_name_variants(name) if name else []:
                names.setdefault(fold_text(variant), country.alpha_3)
    return names


_NATIONALITY_LOOKUP: Final = {
    **_iso_country_names(),
    **{fold_text(alias): code for alias, code in NATIONALITY_ALIASES.items()},
}


def normalise_nationality(value: str) -> str | None:
    """Return the ISO 3166-1 alpha-3 code for a code or a country name, or None if unknown.

    Codes (any case), declared aliases, ISO 3166-1 names and UN M49 names
    ("Venezuela (Bolivarian Republic of)") are accepted; the unlisted words
    (UNLISTED_NATIONALITIES) are not names: callers handle them.
    """
    text = value.strip()
    if len(text) == 3 and text.upper() in NATIONALITY_CODES:
        return text.upper()
    key = fold_text(text)
    found = _NATIONALITY_LOOKUP.get(key)
    m49 = M49_QUALIFIER.match(key) if found is None else None
    if m49:
        found = _NATIONALITY_LOOKUP.get(f"{m49['name']}, {m49['qualifier']}")
    return found
