"""Declare the canonical incident contract: columns, vocabularies, aliases and zones."""

from __future__ import annotations

from typing import Final

import geopandas as gpd
import pandas as pd

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

# Declared aliases (lower-cased, accents kept) mapped onto the vocabulary above.
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
    "detencion": "detention",
    "arresto": "detention",
    "expulsión": "expulsion",
    "expulsion": "expulsion",
    "reconducción": "expulsion",
    "reconduccion": "expulsion",
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
    "trafico de migrantes": "trafficking",
    "otro": "other",
    # English variants
    "stranded": "stranded_group",
    "stranded group": "stranded_group",
    "irregular crossing": "irregular_crossing",
    "arrest": "detention",
    "deportation": "expulsion",
    "military deployment": "military_deployment",
    "border closure": "border_closure",
    "humanitarian aid": "humanitarian_aid",
    "death": "death_or_injury",
    "injury": "death_or_injury",
    "human trafficking": "trafficking",
    "smuggling": "trafficking",
}

# ISO 3166-1 alpha-3 codes accepted as nationalities, and declared name aliases.
NATIONALITY_ALIASES: Final[dict[str, str]] = {
    "venezuela": "VEN",
    "venezuela (bolivarian republic of)": "VEN",
    "venezolana": "VEN",
    "venezolano": "VEN",
    "ecuador": "ECU",
    "ecuatoriana": "ECU",
    "ecuatoriano": "ECU",
    "colombia": "COL",
    "colombiana": "COL",
    "colombiano": "COL",
    "haiti": "HTI",
    "haití": "HTI",
    "haitiana": "HTI",
    "haitiano": "HTI",
    "peru": "PER",
    "perú": "PER",
    "peruana": "PER",
    "peruano": "PER",
    "chile": "CHL",
    "chilena": "CHL",
    "chileno": "CHL",
    "bolivia": "BOL",
    "bolivia (plurinational state of)": "BOL",
    "boliviana": "BOL",
    "boliviano": "BOL",
    "cuba": "CUB",
    "cubana": "CUB",
    "cubano": "CUB",
    "dominican republic": "DOM",
    "república dominicana": "DOM",
    "republica dominicana": "DOM",
    "dominicana": "DOM",
    "dominicano": "DOM",
    "argentina": "ARG",
    "brazil": "BRA",
    "brasil": "BRA",
    "china": "CHN",
    "unknown": "UNK",
    "desconocida": "UNK",
    "desconocido": "UNK",
}
NATIONALITY_CODES: Final[frozenset[str]] = frozenset(NATIONALITY_ALIASES.values()) | frozenset(
    {"PRY", "URY", "MEX", "USA", "ESP", "GTM", "HND", "SLV", "NIC", "PAN", "CRI", "SEN", "GHA"}
)

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
    "nationalities": "object",  # list[str] of ISO 3166-1 alpha-3 codes
    "source": "string",
    "source_url": "string",
    "description": "string",
    "verified": "boolean",
    "synthetic": "boolean",  # True for generated demo rows; shown as a banner
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
}


def empty_incidents() -> gpd.GeoDataFrame:
    """Return an empty canonical incident frame with the declared dtypes."""
    frame = pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in CANONICAL_DTYPES.items()})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)


def normalise_category(value: str) -> str | None:
    """Return the vocabulary category for a value or declared alias, or None if unknown."""
    key = " ".join(value.strip().lower().replace("_", " ").split())
    snake = key.replace(" ", "_")
    if snake in CATEGORIES:
        return snake
    return CATEGORY_ALIASES.get(key)


def normalise_nationality(value: str) -> str | None:
    """Return the ISO 3166-1 alpha-3 code for a code or declared name, or None if unknown."""
    text = value.strip()
    if text.upper() in NATIONALITY_CODES and len(text) == 3:
        return text.upper()
    return NATIONALITY_ALIASES.get(" ".join(text.lower().split()))
