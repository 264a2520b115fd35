"""Build regex rules that put one English text template into Spanish (see geo.reason_text).

`{name}` in a Spanish template inserts group `name` (after its converter, when the rule has
one); `{name|one|many}` writes `one` when the group is "1", else `many` (plural agreement).
Values the English quotes or lists are copied verbatim: a template only places them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final

Convert = Callable[[str], str]

PLACEHOLDER: Final = re.compile(r"\{(\w+)(?:\|([^|{}]*)\|([^{}]*))?\}")
PYTHON_REPR: Final = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""
BYTE: Final = r"0x[0-9A-F]{2}"


@dataclass(frozen=True)
class Rule:
    """One English template (a compiled regex) and its Spanish template."""

    pattern: re.Pattern[str]
    template: str
    convert: Mapping[str, Convert]


def rule(pattern: str, template: str, **convert: Mapping[str, str] | Convert) -> Rule:
    """Return a rule; a group given a dict is translated by it (unknown values kept as given).

    A dict group written empty in the pattern, `(?P<name>)`, matches exactly the dict's keys.
    """
    converters: dict[str, Convert] = {}
    for name, how in convert.items():
        if isinstance(how, Mapping):
            keys = sorted(how, key=len, reverse=True)
            alternatives = "|".join(re.escape(key) for key in keys)
            pattern = pattern.replace(f"(?P<{name}>)", f"(?P<{name}>{alternatives})")
            converters[name] = lookup(dict(how))
        else:
            converters[name] = how
    compiled = re.compile(pattern, re.DOTALL)
    unknown = {found[0] for found in PLACEHOLDER.findall(template)} - set(compiled.groupindex)
    if unknown:
        raise ValueError(f"reason_text: template {template!r} names no group {sorted(unknown)}")
    return Rule(compiled, template, converters)


def lookup(table: dict[str, str]) -> Convert:
    return lambda value: table.get(value, value)


def sub_rules(*rules: Rule) -> Convert:
    """Return a converter translating a group by its own rules (kept as given otherwise)."""

    def convert(value: str) -> str:
        found = translate(value, rules)
        return value if found is None else found

    return convert


def each(separator: str, *rules: Rule) -> Convert:
    """Return a converter translating each item of a list joined by `separator`."""
    translate = sub_rules(*rules)
    return lambda value: separator.join(map(translate, value.split(separator)))


def quoted_list(joint: str, spanish_joint: str) -> Convert:
    """Return a converter for quoted values joined by `joint` (" and "): only the joints change."""
    whole = re.compile(rf"(?:{PYTHON_REPR})(?:{re.escape(joint)}(?:{PYTHON_REPR}))*", re.DOTALL)
    item = re.compile(PYTHON_REPR, re.DOTALL)

    def convert(value: str) -> str:
        if whole.fullmatch(value) is None:
            return value
        return spanish_joint.join(found.group() for found in item.finditer(value))

    return convert


def fill(rule: Rule, match: re.Match[str]) -> str:
    """Return the rule's Spanish template with the matched groups placed in it."""

    def place(slot: re.Match[str]) -> str:
        name, one, many = slot.group(1), slot.group(2), slot.group(3)
        value = match.group(name) or ""
        if one is not None:
            return one if value == "1" else many
        convert = rule.convert.get(name)
        return convert(value) if convert else value

    return PLACEHOLDER.sub(place, rule.template)


def translate(text: str, rules: Iterable[Rule]) -> str | None:
    """Return the Spanish of `text` by the first rule matching all of it, or None."""
    for rule in rules:
        match = rule.pattern.fullmatch(text)
        if match is not None:
            return fill(rule, match)
    return None
