"""Generate seeded, clearly synthetic incidents around the Chacalluta–Santa Rosa crossing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.enrich import nearest_complex
from geo.layers import Layers
from geo.schema import CANONICAL_COLUMNS, CANONICAL_DTYPES, WGS84, ZONE_BY_SIDE

# Every demo row says what it is: a flag, a source, an id prefix and a description prefix.
DESCRIPTION_PREFIX: Final = "[SYNTHETIC]"
REGION_IDS: Final[tuple[str, ...]] = ("CL-AP", "PE-TAC")
COMPLEX_IDS: Final[tuple[str, ...]] = ("chacalluta", "santa-rosa")

# Calendar (local days): a low baseline, a jump on 28 Nov 2025 when Peru declared the state
# of emergency in Tacna (DS 135-2025-PCM), a high plateau through March 2026.
FIRST_DAY: Final = pd.Timestamp("2025-10-01")
LAST_DAY: Final = pd.Timestamp("2026-03-31")
EMERGENCY_DAY: Final = pd.Timestamp("2025-11-28")
CLOSURE_PLAN_DAY: Final = pd.Timestamp("2026-03-16")  # border-closure plan launched at Chacalluta
BASELINE_LEVEL: Final = 1.0
HIGH_LEVEL: Final = 5.0
EMERGENCY_DAY_LEVEL: Final = 8.0  # the decree and the highway blockade near Chacalluta
LATE_NOVEMBER_LEVEL: Final = 6.5  # the days right after, before the plateau settles
CLOSURE_PLAN_BOOST: Final = 1.5  # the five days from the closure plan's launch
WEEKDAY_FACTOR: Final = np.array([1.0, 1.0, 1.05, 1.05, 1.15, 0.9, 0.85])  # Monday .. Sunday
HOUR_WEIGHT: Final = np.array(
    [0.3, 0.25, 0.2, 0.2, 0.25, 0.4, 0.7, 1.0, 1.5, 1.7, 1.7, 1.6,
     1.3, 1.3, 1.4, 1.5, 1.6, 1.6, 1.4, 1.1, 0.9, 0.7, 0.5, 0.4]
)  # fmt: skip

# Categories, weighted; regime 0 = before the emergency, 1 = emergency, 2 = closure plan.
CATEGORY_WEIGHTS: Final[dict[str, tuple[float, float, float]]] = {
    "stranded_group": (0.22, 0.30, 0.26),
    "irregular_crossing": (0.24, 0.16, 0.14),
    "humanitarian_aid": (0.12, 0.14, 0.12),
    "detention": (0.12, 0.10, 0.11),
    "expulsion": (0.08, 0.07, 0.09),
    "protest": (0.05, 0.07, 0.06),
    "military_deployment": (0.01, 0.05, 0.08),
    "border_closure": (0.01, 0.02, 0.06),
    "death_or_injury": (0.01, 0.01, 0.01),
    "trafficking": (0.02, 0.02, 0.02),
    "other": (0.12, 0.06, 0.05),
}
# people_count range per category (log-uniform); None = not a count of people (always null).
PEOPLE_RANGE: Final[dict[str, tuple[int, int] | None]] = {
    "stranded_group": (5, 150),
    "irregular_crossing": (1, 40),
    "humanitarian_aid": (5, 200),
    "detention": (1, 20),
    "expulsion": (1, 60),
    "protest": (10, 300),
    "military_deployment": None,
    "border_closure": None,
    "death_or_injury": (1, 3),
    "trafficking": (1, 12),
    "other": (1, 30),
}
PEOPLE_NULL_SHARE: Final = 0.08
NATIONALITY_WEIGHTS: Final[dict[str, float]] = {
    "VEN": 0.55, "COL": 0.12, "ECU": 0.08, "HTI": 0.08,
    "PER": 0.05, "BOL": 0.05, "CUB": 0.04, "DOM": 0.03,
}  # fmt: skip
NATIONALITY_COUNT_WEIGHTS: Final = np.array([0.72, 0.20, 0.08])  # 1, 2 or 3 nationalities
VERIFIED_SHARE: Final = 0.6
CROSSING_GIVEN_SHARE: Final = 0.7

CATEGORY_PHRASE: Final[dict[str, str]] = {
    "stranded_group": "Demo record: a group waits, unable to cross,",
    "irregular_crossing": "Demo record: people cross outside the official lanes",
    "humanitarian_aid": "Demo record: water, food or shelter handed out",
    "detention": "Demo record: people held by police",
    "expulsion": "Demo record: people returned across the line",
    "protest": "Demo record: a road blockade or protest",
    "military_deployment": "Demo record: troops deployed",
    "border_closure": "Demo record: lanes closed to foot traffic",
    "death_or_injury": "Demo record: a person hurt",
    "trafficking": "Demo record: suspected smuggling of people",
    "other": "Demo record: other event",
}


Sampler = Callable[[np.random.Generator, int], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Place:
    """One kind of demo location: its share of rows, a description phrase and a sampler."""

    name: str
    share: float
    phrase: str
    sample: Sampler
    within: BaseGeometry | None = None  # draws outside this shape are redrawn


def generate_demo(n: int, seed: int, layers: Layers) -> gpd.GeoDataFrame:
    """Return `n` synthetic canonical incidents; the same seed always gives the same rows."""
    _check_arguments(n, seed)
    anchors = _demo_anchors(layers)
    rng = np.random.default_rng(seed)
    places = _places(anchors)
    place_index, lon, lat = _sample_locations(rng, n, places, anchors.regions)
    occurred_at, local_day = _sample_times(rng, layers.side_of(lon, lat))
    categories = _sample_categories(rng, local_day)
    columns = {
        "category": categories,
        "crossing": _crossing_column(rng, lon, lat, layers),
        "people_count": _sample_people(rng, categories),
        "nationalities": _sample_nationalities(rng, categories),
        "verified": rng.random(n) < VERIFIED_SHARE,
        "description": _describe(categories, place_index, places),
    }
    return _assemble(seed, occurred_at, lon, lat, columns)


def _check_arguments(n: int, seed: int) -> None:
    if n < 0:
        raise ValueError(f"demo size n must be 0 or more, got {n}")
    if seed < 0:
        raise ValueError(f"demo seed must be 0 or more, got {seed}")


@dataclass(frozen=True)
class DemoAnchors:
    """What the demo takes from the layers: the two regions, the corridor, the complexes."""

    regions: BaseGeometry
    corridor: BaseGeometry
    complexes: dict[str, tuple[float, float]]  # crossing id -> (lon, lat)


def _demo_anchors(layers: Layers) -> DemoAnchors:
    """Take the two regions, the corridor and the two complexes from the layers, or raise."""
    region_rows = layers.regions[layers.regions["id"].isin(REGION_IDS)]
    crossings = layers.crossings.set_index("id")
    missing = (set(REGION_IDS) - set(region_rows["id"])) | (set(COMPLEX_IDS) - set(crossings.index))
    if missing or layers.corridor.empty:
        missing_names = sorted(missing) + (["corridor"] if layers.corridor.empty else [])
        raise ValueError(f"reference layers lack what the demo needs: {', '.join(missing_names)}")
    regions = region_rows.geometry.union_all()
    corridor = layers.corridor.geometry.union_all()
    shapely.prepare(regions)
    shapely.prepare(corridor)
    complexes = {
        cid: (float(crossings.geometry[cid].x), float(crossings.geometry[cid].y))
        for cid in COMPLEX_IDS
    }
    return DemoAnchors(regions, corridor, complexes)


# --- places ---------------------------------------------------------------------------------

METRES_PER_DEGREE: Final = 111_320.0
ARICA_CENTRE: Final = (-70.296, -18.476)  # Arica (GeoNames -70.30058, -18.47552) nudged inland
TACNA_CENTRE: Final = (-70.25362, -18.01465)  # Tacna (GeoNames)
RUTA_5_SOUTH_END: Final = (-70.303, -18.44)  # approximate: where Ruta 5 reaches Arica's north


def _places(anchors: DemoAnchors) -> list[Place]:
    """Return where demo incidents happen, each with its share of the rows."""
    chacalluta, santa_rosa = anchors.complexes["chacalluta"], anchors.complexes["santa-rosa"]
    return [
        Place("corridor", 0.50, "between the two complexes", _uniform(anchors.corridor),
              within=anchors.corridor),
        Place("chacalluta", 0.10, "near the Chacalluta complex", _around(chacalluta, 250.0)),
        Place("santa_rosa", 0.10, "near the Santa Rosa complex", _around(santa_rosa, 250.0)),
        Place("ruta_5", 0.12, "on Ruta 5 toward Arica", _along(chacalluta, RUTA_5_SOUTH_END, 80.0)),
        Place("arica", 0.08, "in Arica", _around(ARICA_CENTRE, 1_200.0)),
        Place("tacna", 0.07, "in Tacna", _around(TACNA_CENTRE, 1_500.0)),
        Place("elsewhere", 0.03, "elsewhere in the two regions", _uniform(anchors.regions)),
    ]  # fmt: skip


def _around(centre: tuple[float, float], sigma_m: float) -> Sampler:
    """Sample a round normal cloud of `sigma_m` metres around `centre`."""

    def sample(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
        dx, dy = rng.normal(0.0, sigma_m, size=(2, count))
        return _offset(centre, dx, dy)

    return sample


def _along(start: tuple[float, float], end: tuple[float, float], sigma_m: float) -> Sampler:
    """Sample points along the segment start–end, jittered `sigma_m` metres."""

    def sample(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
        t = rng.random(count)
        dx, dy = rng.normal(0.0, sigma_m, size=(2, count))
        lon, lat = _offset(start, dx, dy)
        return lon + t * (end[0] - start[0]), lat + t * (end[1] - start[1])

    return sample


def _uniform(shape: BaseGeometry) -> Sampler:
    """Sample uniformly in the bounding box of `shape` (the caller redraws points outside it)."""
    minx, miny, maxx, maxy = shape.bounds

    def sample(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
        return rng.uniform(minx, maxx, size=count), rng.uniform(miny, maxy, size=count)

    return sample


def _offset(
    centre: tuple[float, float], dx: np.ndarray, dy: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Move `centre` by dx, dy metres (east, north); fine at these few-kilometre scales."""
    lon = centre[0] + dx / (METRES_PER_DEGREE * np.cos(np.radians(centre[1])))
    return lon, centre[1] + dy / METRES_PER_DEGREE


def _sample_locations(
    rng: np.random.Generator, n: int, places: list[Place], regions: BaseGeometry
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pick a place per row, then draw points, redrawing any outside the two regions."""
    shares = np.array([place.share for place in places])
    place_index = rng.choice(len(places), size=n, p=shares / shares.sum())
    lon, lat = np.empty(n), np.empty(n)
    for index, place in enumerate(places):
        rows = np.flatnonzero(place_index == index)
        lon[rows], lat[rows] = _draw_inside(rng, place, rows.size, regions)
    return place_index, lon, lat


def _draw_inside(
    rng: np.random.Generator, place: Place, count: int, regions: BaseGeometry, rounds: int = 500
) -> tuple[np.ndarray, np.ndarray]:
    """Draw `count` points (6 decimals) of one place, all inside the regions and its shape."""
    lon, lat = np.empty(count), np.empty(count)
    todo = np.arange(count)
    for _ in range(rounds):
        if todo.size == 0:
            break
        x, y = (np.round(values, 6) for values in place.sample(rng, todo.size))
        ok = shapely.contains_xy(regions, x, y)
        if place.within is not None:
            ok &= shapely.contains_xy(place.within, x, y)
        lon[todo[ok]], lat[todo[ok]] = x[ok], y[ok]
        todo = todo[~ok]
    if todo.size:
        raise ValueError(f"demo place {place.name!r} keeps falling outside {', '.join(REGION_IDS)}")
    return lon, lat


# --- time -----------------------------------------------------------------------------------


def _daily_weights(days: pd.DatetimeIndex) -> np.ndarray:
    """Return the expected relative incident count of each local day (before noise)."""
    level = np.where(days < EMERGENCY_DAY, BASELINE_LEVEL, HIGH_LEVEL)
    level = np.where(days == EMERGENCY_DAY, EMERGENCY_DAY_LEVEL, level)
    late_november = (days > EMERGENCY_DAY) & (days < pd.Timestamp("2025-12-01"))
    level = np.where(late_november, LATE_NOVEMBER_LEVEL, level)
    after_plan = (days >= CLOSURE_PLAN_DAY) & (days < CLOSURE_PLAN_DAY + pd.Timedelta(days=5))
    level = np.where(after_plan, HIGH_LEVEL * CLOSURE_PLAN_BOOST, level)
    return level * WEEKDAY_FACTOR[days.dayofweek]


def _sample_times(rng: np.random.Generator, side: np.ndarray) -> tuple[pd.Series, pd.DatetimeIndex]:
    """Draw UTC instants (whole minutes) and return them with each row's local day.

    Each row draws a UTC hour weighted by the local day and local hour it falls on in the
    zone of the row's side, then a minute. Only UTC → local conversions are made, which are
    always defined: no wall-clock time is ever read back into a zone, so none can be
    ambiguous or skipped (an hour repeated by a DST change is two UTC hours, a skipped one
    is none).
    """
    unknown = sorted(set(side.tolist()) - set(ZONE_BY_SIDE), key=str)
    if unknown:
        raise ValueError(f"demo: sides {unknown} have no time zone in {list(ZONE_BY_SIDE)}")
    days = pd.date_range(FIRST_DAY, LAST_DAY, freq="D")
    day_weight = _daily_weights(days) * rng.gamma(20.0, 1.0 / 20.0, size=days.size)
    instants = np.empty(side.size, dtype="datetime64[ns]")
    local_day = np.empty(side.size, dtype="datetime64[ns]")
    for country, zone in ZONE_BY_SIDE.items():
        rows = np.flatnonzero(side == country)
        slots, slot_day, weights = _hour_slots(zone, days, day_weight)
        pick = rng.choice(slots.size, size=rows.size, p=weights / weights.sum())
        minutes = rng.integers(0, 60, size=rows.size).astype("timedelta64[m]")
        instants[rows] = slots[pick] + minutes
        local_day[rows] = slot_day[pick]
    occurred_at = pd.Series(pd.to_datetime(instants, utc=True))  # the values already are UTC
    return occurred_at, pd.DatetimeIndex(local_day)


def _hour_slots(
    zone: str, days: pd.DatetimeIndex, day_weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the UTC hours whose local day in `zone` is one of `days`, their local day, weight."""
    margin = pd.Timedelta(days=2)
    utc = pd.date_range(days[0] - margin, days[-1] + margin, freq="h", tz="UTC")
    local = utc.tz_convert(zone).tz_localize(None)  # wall clock of each UTC hour
    keep = (local >= days[0]) & (local < days[-1] + pd.Timedelta(days=1))
    local = local[keep]
    day_index = (local.normalize() - days[0]).days.to_numpy()
    weights = day_weight[day_index] * HOUR_WEIGHT[local.hour.to_numpy()]
    return utc[keep].tz_localize(None).to_numpy(), local.normalize().to_numpy(), weights


# --- attributes -----------------------------------------------------------------------------


def _sample_categories(rng: np.random.Generator, local_day: pd.DatetimeIndex) -> np.ndarray:
    """Draw categories with the weights of each row's period (before, emergency, plan)."""
    names = np.array(list(CATEGORY_WEIGHTS))
    table = np.array(list(CATEGORY_WEIGHTS.values()))
    regime = (local_day >= EMERGENCY_DAY).astype(int) + (local_day >= CLOSURE_PLAN_DAY).astype(int)
    categories = np.empty(len(local_day), dtype=object)
    for period in range(table.shape[1]):
        rows = np.flatnonzero(regime == period)
        weights = table[:, period] / table[:, period].sum()
        categories[rows] = names[rng.choice(names.size, size=rows.size, p=weights)]
    return categories


def _sample_people(rng: np.random.Generator, categories: np.ndarray) -> pd.Series:
    """Draw a log-uniform head count within each category's range; some left unknown."""
    low = np.array([(PEOPLE_RANGE[c] or (0, 0))[0] for c in CATEGORY_WEIGHTS], dtype=float)
    high = np.array([(PEOPLE_RANGE[c] or (0, 0))[1] for c in CATEGORY_WEIGHTS], dtype=float)
    code = pd.Categorical(categories, categories=list(CATEGORY_WEIGHTS)).codes
    lo, hi = np.maximum(low[code], 1.0), high[code]
    count = np.floor(lo * np.exp(rng.random(code.size) * np.log((hi + 1.0) / lo)))
    count = np.minimum(count, hi)
    unknown = (high[code] == 0) | (rng.random(code.size) < PEOPLE_NULL_SHARE)
    return pd.Series(pd.array(np.where(unknown, np.nan, count), dtype="Float64")).astype("Int64")


def _sample_nationalities(rng: np.random.Generator, categories: np.ndarray) -> list[list[str]]:
    """Draw 1–3 distinct codes per row (weighted, without replacement; Gumbel top-k)."""
    codes = np.array(list(NATIONALITY_WEIGHTS))
    log_weights = np.log(np.array(list(NATIONALITY_WEIGHTS.values())))
    keys = log_weights + rng.gumbel(size=(categories.size, codes.size))
    ranked = codes[np.argsort(-keys, axis=1)[:, :3]]
    p = NATIONALITY_COUNT_WEIGHTS
    how_many = rng.choice(np.arange(1, 4), size=categories.size, p=p / p.sum())
    no_people = np.isin(categories, [c for c, r in PEOPLE_RANGE.items() if r is None])
    how_many[no_people] = 0
    return [list(row[:k]) for row, k in zip(ranked.tolist(), how_many.tolist(), strict=True)]


def _crossing_column(
    rng: np.random.Generator, lon: np.ndarray, lat: np.ndarray, layers: Layers
) -> np.ndarray:
    """Name the nearest complex (as enrich finds it) on ~70% of rows; leave the rest null."""
    nearest, _ = nearest_complex(lon, lat, layers)
    left_for_enrich = rng.random(lon.size) >= CROSSING_GIVEN_SHARE
    nearest[left_for_enrich] = None
    return nearest


def _describe(categories: np.ndarray, place_index: np.ndarray, places: list[Place]) -> pd.Series:
    """Build "[SYNTHETIC] <what> <where>." from fixed phrases only (no personal details)."""
    category_text = pd.Series(categories).map(CATEGORY_PHRASE)
    place_text = pd.Series(np.array([p.phrase for p in places], dtype=object)[place_index])
    return f"{DESCRIPTION_PREFIX} " + category_text + " " + place_text + "."


def _assemble(
    seed: int, occurred_at: pd.Series, lon: np.ndarray, lat: np.ndarray, columns: dict[str, object]
) -> gpd.GeoDataFrame:
    """Sort by time, number the rows, cast to the canonical dtypes."""
    frame = pd.DataFrame({"occurred_at": occurred_at, "lon": lon, "lat": lat, **columns})
    frame = frame.sort_values("occurred_at", kind="stable").reset_index(drop=True)
    frame["incident_id"] = [f"demo-{seed}-{i}" for i in range(1, len(frame) + 1)]
    frame["source"] = f"SYNTHETIC DEMO (hito demo --seed {seed})"
    frame["source_url"] = pd.NA
    frame["synthetic"] = True
    geometry = gpd.points_from_xy(frame.pop("lon"), frame.pop("lat"), crs=WGS84)
    frame = frame.astype(CANONICAL_DTYPES)
    result = gpd.GeoDataFrame(frame, geometry=geometry, crs=WGS84)
    return result[list(CANONICAL_COLUMNS)]
