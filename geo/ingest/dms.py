"""Parse degrees-minutes-seconds text (18°21'00"S, 18 21 00 S, 70°22'49.8"O) exactly."""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Final, Literal

Axis = Literal["lat", "lon"]

HEMISPHERE_SIGN: Final = {"N": 1, "S": -1, "E": 1, "W": -1, "O": -1}  # O = oeste (west)
HEMISPHERE_AXIS: Final[dict[str, Axis]] = {
    "N": "lat",
    "S": "lat",
    "E": "lon",
    "W": "lon",
    "O": "lon",
}
AXIS_NAMES: Final = {"lat": "latitude", "lon": "longitude"}

_ONE = (  # one value; {p} prefixes the group names so that two can share a pattern
    r"(?P<{p}h1>[NSEWO])?\s*(?P<{p}sign>[-+])?\s*"
    r"(?P<{p}deg>\d{{1,3}}(?:[.,]\d+)?)"
    r"(?:(?:\s*[°º˚]\s*|\s+)(?P<{p}min>\d{{1,2}}(?:[.,]\d+)?)"
    r"(?:(?:\s*['′’]\s*|\s+)(?P<{p}sec>\d{{1,2}}(?:[.,]\d+)?)\s*(?:\"|″|”|''|′′)?|\s*['′’])?"
    r"|\s*[°º˚])?"
    r"(?({p}h1)|\s*(?P<{p}h2>[NSEWO])?)"
)
DMS_ONE: Final = re.compile(r"^\s*" + _ONE.format(p="a") + r"\s*$", re.IGNORECASE)
DMS_PAIR: Final = re.compile(
    r"^\s*" + _ONE.format(p="a") + r"\s*[,;/]?\s*" + _ONE.format(p="b") + r"\s*$", re.IGNORECASE
)
DMS_MARKS: Final = re.compile(r"[°º˚'′’\"″”]|\d\s*[NSEWO]\b|\b[NSEWO]\s*\d", re.IGNORECASE)


class DmsError(ValueError):
    """The text is not a degrees-minutes-seconds value for this axis; the message says why."""


def parse_dms(text: str, axis: Axis) -> float:
    """Return signed decimal degrees for one DMS value on `axis`; raise DmsError otherwise.

    Needs a degree/minute/second mark or a hemisphere letter (N S E W, O for oeste); the
    result is the correctly rounded float of the exact decimal value.
    """
    match = DMS_ONE.match(text)
    if match is None or not DMS_MARKS.search(text):
        raise DmsError("not a number or degrees-minutes-seconds")
    value, found_axis = _value(match.groupdict(), "a")
    if found_axis not in (None, axis):
        raise DmsError(
            f"hemisphere letter belongs to a {AXIS_NAMES[found_axis]}, not a {AXIS_NAMES[axis]}"
        )
    return value


def parse_dms_pair(text: str) -> tuple[float, float]:
    """Return (lat, lon) from two DMS values; hemisphere letters decide which is which.

    Without letters the first value is the latitude. Raises DmsError otherwise.
    """
    match = DMS_PAIR.match(text)
    if match is None or not DMS_MARKS.search(text):
        raise DmsError("not a degrees-minutes-seconds pair")
    groups = match.groupdict()
    first, first_axis = _value(groups, "a")
    second, second_axis = _value(groups, "b")
    if first_axis == "lon" or second_axis == "lat":
        first, second, first_axis, second_axis = second, first, second_axis, first_axis
    if first_axis == "lon" or second_axis == "lat":
        raise DmsError("both values carry the same kind of hemisphere letter")
    return first, second


def _value(groups: dict[str, str | None], prefix: str) -> tuple[float, Axis | None]:
    parts = [groups[prefix + name] for name in ("deg", "min", "sec")]
    given = [part for part in parts if part is not None]
    if any(("." in part or "," in part) for part in given[:-1]):
        raise DmsError("only the last of degrees, minutes, seconds may have decimals")
    degrees, minutes, seconds = (
        Fraction(part.replace(",", ".")) if part else Fraction(0) for part in parts
    )
    if minutes >= 60 or seconds >= 60:
        raise DmsError("minutes and seconds must be below 60")
    sign, axis = _sign_and_axis(
        groups[prefix + "h1"], groups[prefix + "h2"], groups[prefix + "sign"]
    )
    return float(sign * (degrees + minutes / 60 + seconds / 3600)), axis


def _sign_and_axis(
    before: str | None, after: str | None, sign: str | None
) -> tuple[int, Axis | None]:
    if before and after:
        raise DmsError("two hemisphere letters for one value")
    letter = (before or after or "").upper()
    if letter and sign:
        raise DmsError("both a sign and a hemisphere letter")
    if letter:
        return HEMISPHERE_SIGN[letter], HEMISPHERE_AXIS[letter]
    return (-1 if sign == "-" else 1), None
