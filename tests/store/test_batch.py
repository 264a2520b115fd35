"""The ingest checks both backends share (geo.store.batch): each rule, its message, and the
same refusal from both stores (the rules test_store_contract does not already cover there).

Every bad batch is 20 demo rows whose index starts at 100, with one bad cell at position 4:
messages name that position (the row in the batch as given), its incident_id and its value.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.schema import CANONICAL_DTYPES, DERIVED_DTYPES
from geo.store import Store
from geo.store.batch import checked_batch

BAD = 4  # position of the bad row
Case = Callable[[gpd.GeoDataFrame], object]


def twenty(demo: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return 20 demo rows indexed 100…119 (so a row's label is not its position)."""
    batch = demo.iloc[:20].copy()
    batch.index = pd.RangeIndex(100, 120)
    return batch


def with_cell(column: str, value: object, dtype: str | None = None) -> Case:
    """A case: `column` holds `value` at position BAD (the column's dtype, or `dtype`)."""

    def change(batch: gpd.GeoDataFrame) -> object:
        cells = batch[column].tolist()
        cells[BAD] = value
        kind = dtype or batch[column].dtype
        return batch.assign(**{column: pd.Series(cells, index=batch.index, dtype=kind)})

    return change


def with_point(point: shapely.Geometry | None) -> Case:
    """A case: the geometry at position BAD is `point`."""

    def change(batch: gpd.GeoDataFrame) -> object:
        geometry = batch.geometry.copy()
        geometry.iloc[BAD] = point
        return batch.set_geometry(geometry)

    return change


def with_far_time(batch: gpd.GeoDataFrame) -> object:
    """Times in seconds (a unit that reaches past 2262), one of them in 2300."""
    times = batch["occurred_at"].dt.floor("s").astype("datetime64[s, UTC]")
    times.iloc[BAD] = pd.Timestamp("2300-01-01", tz="UTC")
    return batch.assign(occurred_at=times)


def row_message(column: str, reason: str, value: str | None = None) -> Callable[[str], str]:
    """The message for one bad row at BAD whose id is `bad_id` (regex, anchored)."""

    def message(bad_id: str) -> str:
        shown = "" if value is None else f" with values {value}"
        return re.escape(
            f"ingest: {column} {reason} in 1 row(s), e.g. rows [{BAD}] "
            f"(incident_id [{bad_id!r}]){shown}"
        )

    return message


# case → (bad batch, expected message for the bad row's id)
CASES: dict[str, tuple[Case, Callable[[str], str]]] = {
    "integer_column_holding_text": (
        lambda b: b.assign(people_count=b["people_count"].astype(str)),
        lambda _: re.escape("ingest: column 'people_count' has dtype object, expected Int64"),
    ),
    "text_column_holding_a_number": (
        with_cell("description", 7, "object"),
        lambda _: re.escape("ingest: column 'description' has dtype object, expected string"),
    ),
    "bool_column_with_a_missing_value": (
        with_cell("between_complexes", pd.NA, "boolean"),
        lambda _: re.escape("ingest: column 'between_complexes' has dtype boolean, expected bool"),
    ),
    "no_crs": (
        lambda b: b.set_crs(None, allow_override=True),
        lambda _: re.escape("ingest: geometry CRS is missing, expected EPSG:4326"),
    ),
    "no_geometry_column": (
        lambda b: gpd.GeoDataFrame(pd.DataFrame(b).drop(columns="geometry")),
        lambda _: re.escape("ingest: the incidents lack column(s) ['geometry']"),
    ),
    "missing_point": (with_point(None), row_message("geometry", "is not a point", "['None']")),
    "empty_point": (
        with_point(shapely.Point()),
        row_message("geometry", "is an empty point", "['POINT EMPTY']"),
    ),
    "non_finite_coordinate": (
        with_point(shapely.Point(-70.3, np.inf)),
        row_message("geometry", "has a non-finite coordinate"),
    ),
    "longitude_out_of_range": (
        with_point(shapely.Point(-200.5, -18.3)),
        row_message("geometry", "is outside lon -180…180 / lat -90…90", "['POINT (-200.5 -18.3)']"),
    ),
    "missing_time": (
        with_cell("occurred_at", pd.NaT),
        row_message("occurred_at", "is missing", "['NaT']"),
    ),
    "time_past_what_nanoseconds_hold": (
        with_far_time,
        row_message(
            "occurred_at",
            "is outside 1677-09-21 00:12:43.145224193+00:00 … 2262-04-11 23:47:16.854775807+00:00",
            "['2300-01-01 00:00:00+00:00']",
        ),
    ),
    "missing_id": (
        with_cell("incident_id", pd.NA),
        lambda _: (
            re.escape(
                "ingest: incident_id is missing or empty in 1 row(s), e.g. rows [4] "
                "(incident_id [<NA>])"
            )
            + "$"
        ),
    ),
    "empty_id": (
        with_cell("incident_id", ""),
        lambda _: (
            re.escape(
                "ingest: incident_id is missing or empty in 1 row(s), e.g. rows [4] "
                "(incident_id [''])"
            )
            + "$"
        ),
    ),
    "nul_in_text": (
        with_cell("source", "ACNUR\x00"),
        row_message("source", "holds a NUL character", "['ACNUR\\x00']"),
    ),
    "nul_in_a_nationality_code": (
        with_cell("nationalities", ["VEN", "H\x00TI"]),
        row_message("nationalities", "holds a NUL character", "[['VEN', 'H\\x00TI']]"),
    ),
    "nationality_cell_not_a_list": (
        with_cell("nationalities", "VEN"),
        lambda _: re.escape(
            "ingest: column 'nationalities', row 4: 1 cell(s) are not a list of strings, e.g. 'VEN'"
        ),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_rule_refuses_with_a_message_naming_column_row_id_and_value(
    demo: gpd.GeoDataFrame, case: str
) -> None:
    batch = twenty(demo)
    make_bad, message = CASES[case]
    with pytest.raises(ValueError, match=message(str(batch["incident_id"].iloc[BAD]))):
        checked_batch(make_bad(batch))


@pytest.mark.parametrize("case", CASES)
def test_both_stores_refuse_the_same_way_and_write_nothing(
    store: Store, demo: gpd.GeoDataFrame, case: str
) -> None:
    batch = twenty(demo)
    make_bad, message = CASES[case]
    with pytest.raises(ValueError, match=message(str(batch["incident_id"].iloc[BAD]))):
        store.ingest(make_bad(batch), file_name="bad.csv")  # type: ignore[arg-type]
    assert store.count() == 0 and store.ingests() == []


def test_repeated_ids_are_counted_and_their_rows_named(demo: gpd.GeoDataFrame) -> None:
    batch = twenty(demo)
    repeated = pd.concat([batch, batch.iloc[[BAD, 7]], batch.iloc[[BAD]]])
    first, second = batch["incident_id"].iloc[BAD], batch["incident_id"].iloc[7]
    expected = (
        "ingest: incident_id repeats within the batch (2 id(s)) in 5 row(s), e.g. rows "
        f"[4, 7, 20, 21, 22] (incident_id {[first, second, first, second, first]!r})"
    )
    with pytest.raises(ValueError, match=re.escape(expected) + "$"):
        checked_batch(repeated)


def test_unknown_categories_are_counted_and_the_first_named(demo: gpd.GeoDataFrame) -> None:
    batch = twenty(demo)
    category = batch["category"].copy()
    category.iloc[[BAD, 9]] = ["riot", pd.NA]
    bad_ids = batch["incident_id"].iloc[[BAD, 9]].tolist()
    expected = (
        "ingest: category is not one of ['stranded_group', 'irregular_crossing', 'detention', "
        "'expulsion', 'military_deployment', 'border_closure', 'humanitarian_aid', 'protest', "
        "'death_or_injury', 'trafficking', 'other'] in 2 row(s), e.g. rows [4, 9] "
        f"(incident_id {bad_ids!r}) with values ['riot', '<NA>']"
    )
    with pytest.raises(ValueError, match=re.escape(expected) + "$"):
        checked_batch(batch.assign(category=category))


def test_a_long_value_is_cut_in_the_message(demo: gpd.GeoDataFrame) -> None:
    batch = twenty(demo)
    text = "x" * 100 + "\x00"
    with pytest.raises(ValueError, match=re.escape("with values ['" + "x" * 79 + "…']")):
        checked_batch(with_cell("description", text)(batch))


def test_the_batch_comes_back_with_a_fresh_index_and_utc_nanoseconds(
    demo: gpd.GeoDataFrame,
) -> None:
    batch = twenty(demo)
    lima = batch["occurred_at"].dt.tz_convert("America/Lima").astype("datetime64[us, America/Lima]")
    given = batch.assign(occurred_at=lima)
    untouched = given.copy()
    checked = checked_batch(given)
    assert list(checked.index) == list(range(20))
    assert str(checked["occurred_at"].dtype) == "datetime64[ns, UTC]"
    assert checked["occurred_at"].tolist() == lima.dt.tz_convert("UTC").tolist()
    pd.testing.assert_frame_equal(given, untouched)  # the caller's frame is not changed
    assert checked["incident_id"].tolist() == batch["incident_id"].tolist()


def test_an_empty_batch_passes(demo: gpd.GeoDataFrame) -> None:
    assert len(checked_batch(demo.iloc[:0])) == 0


def lossless_variants(batch: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same rows with numpy/object twins of the declared dtypes and an all-missing
    text column of floats: every one holds the declared kind without loss."""
    return batch.assign(
        people_count=batch["people_count"].fillna(0).to_numpy(dtype=np.int64),
        verified=batch["verified"].fillna(False).to_numpy(dtype=bool),
        dist_border_m=np.round(batch["dist_border_m"]).to_numpy(dtype=np.int64),
        description=batch["description"].astype(object),
        source_url=np.full(len(batch), np.nan),
    )


def test_lossless_dtype_variants_are_stored_as_the_declared_dtypes(
    store: Store, demo: gpd.GeoDataFrame
) -> None:
    batch = demo.iloc[:30].copy()
    variants = lossless_variants(batch)
    store.ingest(variants, file_name="variants.csv")
    expected = variants.astype({**CANONICAL_DTYPES, **DERIVED_DTYPES})
    expected = expected.sort_values(["occurred_at", "incident_id"]).reset_index(drop=True)
    got = store.query()
    pd.testing.assert_frame_equal(
        pd.DataFrame(got.drop(columns="geometry")),
        pd.DataFrame(expected[got.columns].drop(columns="geometry")),
        check_exact=True,
    )
