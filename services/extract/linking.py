"""Stable entity ids: the same real-world entity gets the same id in every article and process.

An id is `<type-lower>:<slug>`. Names in `data/aliases.tsv` (well-known countries, capitals and
international organisations, French and English forms) take the id and French canonical name of their
row, e.g. "Etats-Unis", "USA" and "United States" all give `loc:united-states` named "États-Unis".
Any other name's id is the slug of the name itself: "Jens Stoltenberg" (PER) -> `per:jens-stoltenberg`.
Pure functions; the alias table is parsed once per process.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from services.contracts.models import EntityType
from services.extract.lexicon import alias_rows

_TRANSLATE: Final = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'", "\u2013": "-", "\u2014": "-", "\u2011": "-"}
)
_NON_SLUG: Final = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Comparison key of a name: accents removed, case folded, quotes/dashes/whitespace normalised."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLATE))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def slugify(name: str) -> str:
    """ASCII, lower case, words joined by "-": "Volodymyr Zelensky" -> "volodymyr-zelensky"."""
    ascii_text = fold(name).encode("ascii", "ignore").decode("ascii")
    return _NON_SLUG.sub("-", ascii_text).strip("-")


def entity_id(entity_type: EntityType | str, name: str) -> str:
    """The id of a name that is not in the alias table: `per:jens-stoltenberg`."""
    kind = entity_type.value if isinstance(entity_type, EntityType) else entity_type
    return f"{kind.lower()}:{slugify(name) or 'unnamed'}"


@dataclass(frozen=True, slots=True)
class Canonical:
    """What a name links to: stable id, canonical (French) name, entity type."""

    id: str
    name: str
    type: EntityType


class AliasTable:
    """Known names -> `Canonical`. `lookup` folds case and accents; `find_in` scans raw text for exact
    (case-sensitive) aliases, for sentences the NER model cannot read (another language)."""

    def __init__(self, rows: list[tuple[str, Canonical]]) -> None:
        self._by_key = {fold(alias): canonical for alias, canonical in rows}
        self._by_alias = {alias: canonical for alias, canonical in rows}
        ordered = sorted(self._by_alias, key=len, reverse=True)
        self._pattern = re.compile(r"(?<![\w.-])(" + "|".join(re.escape(a) for a in ordered) + r")(?![\w-])")

    def lookup(self, name: str) -> Canonical | None:
        """The canonical entity `name` denotes, or None when it is not a known alias."""
        return self._by_key.get(fold(name))

    def find_in(self, text: str, offset: int = 0) -> list[tuple[int, int, Canonical]]:
        """Exact alias occurrences in `text`, as (start + offset, end + offset, canonical)."""
        return [
            (m.start() + offset, m.end() + offset, self._by_alias[m.group(1)])
            for m in self._pattern.finditer(text)
        ]


@functools.cache
def alias_table() -> AliasTable:
    """The table of `data/aliases.tsv` (parsed once per process)."""
    return AliasTable([(row.alias, Canonical(row.id, row.name, row.type)) for row in alias_rows()])


def link(name: str, entity_type: EntityType) -> Canonical:
    """The canonical entity of a normalised name: the alias table's, else the name's own slug id."""
    known = alias_table().lookup(name)
    if known is not None:
        return known
    return Canonical(entity_id(entity_type, name), name, entity_type)
