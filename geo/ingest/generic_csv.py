"""Read Hito's own CSV layout (and hand-made variants with Spanish or English column names)."""

from __future__ import annotations

from geo.ingest.columns import HeaderIndex, find_canonical
from geo.ingest.raw import LatLonText, Location, PointText, RawIncidents
from geo.ingest.split_csv import CsvRows


def check_header(header: list[str], file: str) -> dict[str, int]:
    """Return canonical field -> column position; raise IngestError for missing columns."""
    return find_canonical(HeaderIndex(header, file))


def to_raw(rows: CsvRows, file: str) -> RawIncidents:
    """Return the rows as text cells by canonical field, with a notice for unused columns."""
    index = HeaderIndex(rows.header, file)
    found = find_canonical(index)
    location: Location
    if "coordinates" in found:
        position = found.pop("coordinates")
        location = PointText(rows.columns[position], rows.header[position])
    else:
        lat, lon = found.pop("lat"), found.pop("lon")
        location = LatLonText(
            rows.columns[lat], rows.columns[lon], rows.header[lat], rows.header[lon]
        )
    unused = index.unused_notice()
    return RawIncidents(
        file=file,
        format="csv",
        lines=rows.lines,
        cells={field: rows.columns[position] for field, position in found.items()},
        names={field: rows.header[position] for field, position in found.items()},
        location=location,
        total=rows.total,
        problems=list(rows.problems),
        notices=[*rows.notices, *([unused] if unused else [])],
    )
