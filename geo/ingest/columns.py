"""Find columns (or properties) by declared aliases, case- and accent-insensitively."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from geo.ingest.detect import header_key
from geo.ingest.report import IngestError, Notice

# Canonical field -> accepted column names (folded by header_key: lower case, no accents,
# spaces and dashes as underscores). `lat`/`lon` or one `coordinates` column give the place.
COLUMN_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "incident_id": ("incident_id", "id"),
    "occurred_at": ("occurred_at", "date", "datetime", "timestamp", "fecha", "fecha_hora"),
    "lat": ("lat", "latitude", "latitud"),
    "lon": ("lon", "lng", "long", "longitude", "longitud"),
    "coordinates": ("coordinates", "coordenadas", "geometry", "wkt"),
    "category": ("category", "categoria", "tipo"),
    "crossing": ("crossing", "paso", "cruce"),
    "people_count": ("people_count", "people", "personas", "n_personas"),
    "nationalities": ("nationalities", "nationality", "nacionalidades", "nacionalidad"),
    "source": ("source", "fuente"),
    "source_url": ("source_url", "url"),
    "description": ("description", "descripcion"),
    "verified": ("verified", "verificado"),
    "synthetic": ("synthetic", "sintetico"),
}
REQUIRED: Final = {
    "occurred_at": "a time column (occurred_at, date, datetime, timestamp, fecha, fecha_hora)",
    "place": "a location: lat and lon (latitude/latitud, longitude/lng/longitud) or coordinates",
    "category": "a category column (category, categoria, tipo)",
}


class HeaderIndex:
    """Positions of a file's column names, looked up by folded name."""

    def __init__(self, header: Sequence[str], file: str, what: str = "columns") -> None:
        self.header = list(header)
        self.file = file
        self.what = what
        self.used: set[int] = set()
        self._positions: dict[str, list[int]] = {}
        for position, name in enumerate(self.header):
            self._positions.setdefault(header_key(name), []).append(position)

    def find(self, aliases: Iterable[str], meaning: str) -> int | None:
        """Return the position of the one column named by any alias (None if absent).

        Raises IngestError when two columns match: the reader never picks one silently.
        """
        found = [position for alias in aliases for position in self._positions.get(alias, [])]
        if len(found) > 1:
            names = " and ".join(repr(self.header[position]) for position in found)
            raise IngestError(f"{self.file}: {self.what} {names} both give {meaning}; keep one")
        if found:
            self.used.add(found[0])
            return found[0]
        return None

    def has(self, key: str) -> bool:
        """Return True when a column folds to `key`."""
        return key in self._positions

    def unused_notice(self) -> Notice | None:
        """Return a notice listing the columns nothing read, or None."""
        unused = [name for position, name in enumerate(self.header) if position not in self.used]
        if not unused:
            return None
        return Notice(None, None, None, f"{self.what} not used: {', '.join(unused)}")


def find_canonical(index: HeaderIndex) -> dict[str, int]:
    """Return canonical field -> column position for the generic layout; check required ones.

    Raises IngestError naming every missing required column, or a lat/lon + coordinates clash.
    """
    found = {}
    for field, aliases in COLUMN_ALIASES.items():
        position = index.find(aliases, field)
        if position is not None:
            found[field] = position
    has_pair = "lat" in found and "lon" in found
    if has_pair and "coordinates" in found:
        raise IngestError(
            f"{index.file}: both lat/lon and {index.header[found['coordinates']]!r} give the "
            "location; keep one"
        )
    missing = [
        text
        for key, text in REQUIRED.items()
        if not (has_pair or "coordinates" in found if key == "place" else key in found)
    ]
    if missing:
        raise IngestError(
            f"{index.file}: missing required {index.what}: {'; '.join(missing)} "
            f"(found: {', '.join(index.header) or 'none'})"
        )
    return found
