"""Put the ingest's English validation reasons, notices and file errors into Spanish.

Each rule is a regex matching one English template of geo.ingest in full, and its Spanish
template. Values the ingest quotes or lists (cell values, column and file names, numbers,
lists of categories) are copied verbatim: a template only places them. `{name}` inserts
group `name` (after its converter, when the rule has one); `{name|one|many}` writes `one`
when the group is "1", else `many` (Spanish plural agreement). A text no rule matches is
returned unchanged, in English.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from geo.i18n import check_lang
from geo.reason_patterns import translate
from geo.reason_rules import FIXED, RULES

# --- public API ----------------------------------------------------------------------------------


def localise_reason(reason: str, lang: str) -> str:
    """Return an ingest reason, notice or file error in `lang` ("en": as given; "es": Spanish).

    A text no rule knows is returned as given (English). Raises ValueError for another lang.
    """
    check_lang(lang)
    spanish = None if lang == "en" else _spanish(reason)
    return reason if spanish is None else spanish


def localise_reasons(reasons: Sequence[str], lang: str) -> list[str]:
    """Return every text in `lang`, translating each distinct text once."""
    check_lang(lang)
    if lang == "en":
        return list(reasons)
    done: dict[str, str] = {}
    for reason in reasons:
        if reason not in done:
            done[reason] = localise_reason(reason, lang)
    return [done[reason] for reason in reasons]


def untranslated(reasons: Iterable[str]) -> list[str]:
    """Return the distinct texts (in first-seen order) that no rule translates."""
    return [reason for reason in dict.fromkeys(reasons) if _spanish(reason) is None]


def _spanish(text: str) -> str | None:
    """Return the Spanish of a whole ingest text, or None when no rule knows it."""
    fixed = FIXED.get(text)
    return fixed if fixed is not None else translate(text, RULES)
