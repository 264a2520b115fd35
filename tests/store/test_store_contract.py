"""One suite for every store backend (GeoPackage, PostGIS): the rules of geo.store.base.

Each test runs once per backend (the `store_url` fixture). Query results are compared with
geo.query.apply_filter on the same rows in memory, exactly (values, dtypes, order); since
both backends must equal the in-memory answer, they also equal each other.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.query import Filter, apply_filter, prepare
from geo.schema import CANONICAL_DTYPES, DERIVED_DTYPES, WGS84
from geo.store import SCHEMA_VERSION, IngestRecord, Store, StoreError, open_store

OUTPUT_COLUMNS = [*CANONICAL_DTYPES, "geometry", *DERIVED_DTYPES]
FILE_BYTES = b"incident_id,occurred_at\n"  # stands in for the file a batch came from
FILE_SHA256 = hashlib.sha256(FILE_BYTES).hexdigest()
# A box around the middle half of the demo points (their interquartile lon/lat range).
MIDDLE_BOX = (-70.3151, -18.3171, -70.3104, -18.3088)


def by_time_then_id(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The order every store returns: occurred_at, then incident_id."""
    return frame.sort_values(["occurred_at", "incident_id"], kind="stable").reset_index(drop=True)


def assert_same_incidents(got: gpd.GeoDataFrame, expected: gpd.GeoDataFrame) -> None:
    """Exactly equal: columns and their order, dtypes, every value, points, CRS, row order."""
    assert list(got.columns) == OUTPUT_COLUMNS
    assert isinstance(got, gpd.GeoDataFrame) and got.crs == WGS84
    want = by_time_then_id(expected)
    pd.testing.assert_frame_equal(
        pd.DataFrame(got.drop(columns="geometry")),
        pd.DataFrame(want.drop(columns="geometry")),
        check_exact=True,
    )
    assert np.array_equal(shapely.get_coordinates(got.geometry.array),
                          shapely.get_coordinates(want.geometry.array))  # fmt: skip


def ingest(
    store: Store, frame: gpd.GeoDataFrame, name: str = "batch.csv", **kw: Any
) -> IngestRecord:
    """Ingest `frame` as if it came from a CSV file called `name`."""
    return store.ingest(frame, file_name=name, file_sha256=FILE_SHA256, source_format="csv", **kw)


def changed_rows(frame: gpd.GeoDataFrame, positions: list[int]) -> gpd.GeoDataFrame:
    """Return the rows at `positions` with a new description (same ids, other content)."""
    rows = frame.iloc[positions].copy()
    rows["description"] = rows["description"].astype("string") + " (corrected)"
    return rows


# --- schema -------------------------------------------------------------------------------


def test_init_creates_the_latest_schema_and_is_safe_to_repeat(store_url: str) -> None:
    store = open_store(store_url)
    try:
        assert store.schema_version() == 0
        assert store.init() == SCHEMA_VERSION == 2
        assert store.init() == 2
        assert store.schema_version() == 2
        assert store.count() == 0 and store.ingests() == []
    finally:
        store.close()


def test_a_store_not_yet_initialised_asks_for_hito_db_init(store_url: str) -> None:
    store = open_store(store_url)
    try:
        with pytest.raises(StoreError, match="hito db init"):
            store.count()
    finally:
        store.close()


def test_upgrade_from_version_one_keeps_every_row(store_url: str, demo: gpd.GeoDataFrame) -> None:
    store = open_store(store_url)
    try:
        assert store.migrate(1) == 1  # type: ignore[attr-defined]  # internal, both backends
        assert store.schema_version() == 1
        with pytest.raises(StoreError, match="hito db init"):
            ingest(store, demo)  # this Hito does not write to an older schema
        # Write as a version-1 Hito would have (step 2 only adds indexes): skip the guard.
        store._checked_version = True  # type: ignore[attr-defined]
        first = ingest(store, demo)
        store.close()
        reopened = open_store(store_url)
        assert reopened.init() == 2 and reopened.schema_version() == 2
        assert reopened.ingests() == [first]
        assert_same_incidents(reopened.query(), demo)
        reopened.close()
    finally:
        store.close()


# --- ingest -------------------------------------------------------------------------------


def test_ingesting_the_same_rows_twice_adds_nothing_the_second_time(
    store: Store, demo: gpd.GeoDataFrame
) -> None:
    first = ingest(store, demo, "a.csv")
    second = ingest(store, demo, "a.csv")
    n = len(demo)
    assert (first.added, first.skipped, first.conflicts, first.updated) == (n, 0, 0, 0)
    assert (second.added, second.skipped, second.conflicts, second.updated) == (0, n, 0, 0)
    assert store.count() == n
    assert store.ingests() == [first, second]
    assert second.ingest_id > first.ingest_id
    assert_same_incidents(store.query(), demo)


def test_a_known_id_with_other_content_is_a_conflict_and_is_not_written(
    store: Store, demo: gpd.GeoDataFrame
) -> None:
    ingest(store, demo.iloc[:500])
    corrected = changed_rows(demo, [40, 3, 17])
    batch = pd.concat([demo.iloc[100:110], corrected, demo.iloc[500:502]])
    record = ingest(store, batch, "b.csv")
    assert (record.added, record.skipped, record.conflicts, record.updated) == (2, 10, 3, 0)
    assert record.conflict_ids == tuple(corrected["incident_id"])  # in input order
    assert store.ingests()[-1] == record
    for incident_id in corrected["incident_id"]:
        assert store.history(incident_id).empty
    assert_same_incidents(store.query(), demo.iloc[:502])


def test_update_replaces_the_row_and_keeps_the_old_version_in_history(
    store: Store, demo: gpd.GeoDataFrame
) -> None:
    ingest(store, demo)
    corrected = changed_rows(demo, [8, 9])
    record = ingest(store, corrected, "fix.csv", update=True)
    assert (record.added, record.skipped, record.conflicts, record.updated) == (0, 0, 0, 2)
    assert record.conflict_ids == ()
    expected = pd.concat([demo.drop(index=corrected.index), corrected])
    assert_same_incidents(store.query(), expected)
    history = store.history(str(demo["incident_id"].iloc[8]))
    assert list(history.columns) == [*OUTPUT_COLUMNS, "replaced_at", "replaced_by_ingest"]
    assert_same_incidents(history[OUTPUT_COLUMNS], demo.iloc[[8]])
    assert history["replaced_by_ingest"].tolist() == [record.ingest_id]
    assert str(history["replaced_at"].dtype) == "datetime64[ns, UTC]"
    again = ingest(store, corrected, "fix.csv", update=True)
    assert (again.added, again.skipped, again.updated) == (0, 2, 0)
    assert len(store.history(str(demo["incident_id"].iloc[8]))) == 1


def test_history_of_an_unknown_or_never_replaced_id_is_empty(
    store: Store, demo: gpd.GeoDataFrame
) -> None:
    ingest(store, demo.iloc[:5])
    for incident_id in ("no-such-id", str(demo["incident_id"].iloc[0])):
        history = store.history(incident_id)
        assert history.empty
        assert list(history.columns) == [*OUTPUT_COLUMNS, "replaced_at", "replaced_by_ingest"]


def test_every_ingest_is_recorded_with_its_file_and_counts(
    store: Store, demo: gpd.GeoDataFrame
) -> None:
    before = datetime.now(UTC)
    record = store.ingest(demo.iloc[:50], file_name="partner.geojson", file_sha256=FILE_SHA256,
                          source_format="geojson", rejected=4)  # fmt: skip
    empty = store.ingest(demo.iloc[:0], file_name="empty.csv")
    after = datetime.now(UTC)
    assert (record.file_name, record.file_sha256, record.source_format) == (
        "partner.geojson", FILE_SHA256, "geojson")  # fmt: skip
    assert (record.accepted, record.rejected, record.added) == (50, 4, 50)
    assert record.at.tzinfo is not None and record.at.utcoffset().total_seconds() == 0
    assert before.replace(microsecond=0) <= record.at <= empty.at <= after
    assert (empty.accepted, empty.added, empty.file_sha256, empty.source_format) == (0, 0, "", "")
    assert store.ingests() == [record, empty]


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("not_a_geodataframe", "GeoDataFrame"),
        ("missing_column", "region"),
        ("line_geometry", "point"),
        ("metric_crs", "EPSG:4326"),
        ("naive_times", "occurred_at"),
        ("repeated_id", "repeats"),
        ("unknown_category", "category"),
    ],
)
def test_bad_input_is_refused_before_anything_is_written(
    store: Store, demo: gpd.GeoDataFrame, case: str, fragment: str
) -> None:
    batch = demo.iloc[:20].copy()
    bad_id = str(batch["incident_id"].iloc[3])
    bad: object
    if case == "not_a_geodataframe":
        bad = pd.DataFrame(batch.drop(columns="geometry"))
    elif case == "missing_column":
        bad = batch.drop(columns=["region"])
    elif case == "line_geometry":
        geometry = batch.geometry.copy()
        geometry.iloc[3] = shapely.LineString([(-70.3, -18.3), (-70.2, -18.2)])
        bad = batch.set_geometry(geometry)
    elif case == "metric_crs":
        bad = batch.to_crs("EPSG:32719")
    elif case == "naive_times":
        bad = batch.assign(occurred_at=batch["occurred_at"].dt.tz_localize(None))
    elif case == "repeated_id":
        bad = pd.concat([batch, batch.iloc[[3]]])
    else:
        bad = batch.assign(category=batch["category"].mask(batch.index == batch.index[3], "riot"))
    with pytest.raises(ValueError, match=fragment) as caught:
        store.ingest(bad, file_name="bad.csv")  # type: ignore[arg-type]
    if case in ("line_geometry", "repeated_id", "unknown_category"):
        assert bad_id in str(caught.value)  # the message names the incident
    assert store.count() == 0 and store.ingests() == []


# --- reads --------------------------------------------------------------------------------

FILTERS: dict[str, Filter] = {
    "everything": Filter(),
    "december_in_santiago": Filter(start=date(2025, 12, 1), end=date(2025, 12, 31)),
    "one_day_in_lima": Filter(start=date(2026, 1, 10), end=date(2026, 1, 10), zone="America/Lima"),
    "from_february": Filter(start=date(2026, 2, 1)),
    "until_mid_november_utc": Filter(end=date(2025, 11, 15), zone="UTC"),
    "chacalluta": Filter(crossings=("chacalluta",)),
    "both_complexes": Filter(crossings=("santa-rosa", "chacalluta")),
    "two_categories": Filter(categories=("detention", "stranded_group")),
    "tacna": Filter(regions=("PE-TAC",)),
    "chile_side": Filter(sides=("CL",)),
    "middle_box": Filter(bbox=MIDDLE_BOX),
    "combined": Filter(
        start=date(2025, 12, 1),
        end=date(2026, 1, 31),
        crossings=("chacalluta",),
        sides=("CL",),
        categories=("stranded_group", "irregular_crossing"),
    ),
    "unknown_crossing": Filter(crossings=("nowhere",)),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_query_and_count_give_the_rows_the_filter_gives_in_memory(
    store: Store, demo: gpd.GeoDataFrame, name: str
) -> None:
    ingest(store, demo)
    flt = FILTERS[name]
    ordered = by_time_then_id(demo)
    expected = ordered.loc[apply_filter(prepare(ordered), flt).index]
    if name == "unknown_crossing":
        assert expected.empty
    elif name != "everything":
        assert 0 < len(expected) < len(demo)  # the filter really selects
    got = store.query(flt)
    assert_same_incidents(got, expected)
    assert store.count(flt) == len(expected)


def test_an_empty_store_queries_to_an_empty_frame_of_the_same_shape(
    store: Store, demo: gpd.GeoDataFrame
) -> None:
    empty = store.query()
    assert_same_incidents(empty, demo.iloc[:0])
    assert dict(empty.dtypes.astype(str)) == dict(demo.dtypes.astype(str))


def test_times_come_back_in_utc_to_the_nanosecond_from_any_input_zone(
    store: Store, demo: gpd.GeoDataFrame
) -> None:
    batch = demo.iloc[:30]
    in_lima = batch.assign(occurred_at=batch["occurred_at"].dt.tz_convert("America/Lima"))
    ingest(store, in_lima)
    got = store.query()
    assert str(got["occurred_at"].dtype) == "datetime64[ns, UTC]"
    nanoseconds = got["occurred_at"].array.asi8
    assert nanoseconds.tolist() == sorted(batch["occurred_at"].array.asi8.tolist())
    assert (nanoseconds % 1000 != 0).any()  # sub-microsecond parts kept
    assert_same_incidents(got, batch)


def test_times_in_microsecond_units_come_back_as_the_same_instants_in_nanoseconds(
    store: Store, demo: gpd.GeoDataFrame
) -> None:
    batch = demo.iloc[:10]
    micro = batch.assign(occurred_at=batch["occurred_at"].dt.floor("us").dt.as_unit("us"))
    ingest(store, micro)
    expected = micro.assign(occurred_at=micro["occurred_at"].dt.as_unit("ns"))
    assert_same_incidents(store.query(), expected)


def test_missing_values_and_list_cells_round_trip(store: Store, demo: gpd.GeoDataFrame) -> None:
    ingest(store, demo.iloc[:12])
    by_id = store.query().set_index("incident_id")
    ids = demo["incident_id"].tolist()
    assert by_id.loc[ids[1], "nationalities"] == []
    assert by_id.loc[ids[2], "nationalities"] is None
    assert by_id.loc[ids[0], "nationalities"] == demo["nationalities"].iloc[0]
    assert by_id.loc[ids[3], "description"] == demo["description"].iloc[3]
    assert by_id.loc[ids[7], "source"] is pd.NA
    assert by_id.loc[ids[0], "verified"] is pd.NA  # row 0: verified unknown


def test_get_returns_one_row_or_an_empty_frame(store: Store, demo: gpd.GeoDataFrame) -> None:
    ingest(store, demo)
    wanted = demo.iloc[[42]]
    assert_same_incidents(store.get(str(wanted["incident_id"].iloc[0])), wanted)
    assert_same_incidents(store.get("no-such-id"), demo.iloc[:0])


def test_delete_removes_only_the_named_rows_and_counts_the_stored_ones(
    store: Store, demo: gpd.GeoDataFrame
) -> None:
    ingest(store, demo)
    doomed = demo["incident_id"].iloc[[5, 6]].tolist()
    assert store.delete([*doomed, "no-such-id"]) == 2
    assert store.delete(doomed) == 0
    assert store.count() == len(demo) - 2
    assert store.get(doomed[0]).empty
    assert_same_incidents(store.query(), demo.drop(index=demo.index[[5, 6]]))


def test_change_token_changes_after_every_ingest_update_and_delete(
    store: Store, demo: gpd.GeoDataFrame
) -> None:
    tokens = [store.change_token()]
    ingest(store, demo.iloc[:100])
    tokens.append(store.change_token())
    ingest(store, changed_rows(demo, [1]), update=True)
    tokens.append(store.change_token())
    store.delete([str(demo["incident_id"].iloc[2])])
    tokens.append(store.change_token())
    ingest(store, demo.iloc[2:3])  # the deleted row comes back: same count as before delete
    tokens.append(store.change_token())
    assert len(set(tokens)) == len(tokens), tokens
    assert store.change_token() == tokens[-1]  # reading changes nothing
