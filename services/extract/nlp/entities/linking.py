"""Stable ids: the same real-world entity gets the same id in every article and process.

An id is `<type-lower>:<slug>`. A name is linked, first match wins, to:
1. a row of `data/aliases.tsv` (well-known countries, capitals and organisations, French and English
   forms): "Etats-Unis", "USA" and "United States" all give `loc:united-states` named "États-Unis";
2. for any label, a country of ISO 3166 (gazetteer.py: pycountry, French and English names) — a
   country is a LOC whatever the NER said; for a LOC span (or a one-word PER/ORG/MISC span naming a
   capital or a city of a million people: "Washington" tagged PER), a GeoNames city, with its
   coordinates: "Kiev" and "Kyiv" -> `loc:kyiv`;
3. for a PER span, a row of `data/persons.tsv` (well-known people), by transliteration key
   (names.person_key: "Sergueï Lavrov" = "Sergei Lavrov") or, for full names, rapidfuzz similarity
   of those keys of at least `PERSON_MATCH_THRESHOLD` (0-100, conservative: a one-letter slip in a
   long name, never another person).
Anything else is not linked; `name_key` then gives its id: the transliteration key of a person's
name (so "Oleksii Serhiiev" and "Oleksii Serhiiiev" are one person everywhere), and for other names
the slug, with the parts of a hyphenated compound of known entities in a fixed order ("Conseil
OTAN-Ukraine" = "Conseil Ukraine–NATO" = `org:conseil-nato-ukraine`). Canonical names are French
where the data has them (alias and person rows, countries), else the GeoNames name (cities) or the
article's longest form. Pure lookups over data that `Linker.load` reads once per `Extractor`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from rapidfuzz import fuzz, process

from services.contracts.models import EntityType
from services.extract.nlp.entities.gazetteer import Gazetteer, Place
from services.extract.nlp.lexicon import AliasRow, PersonRow, alias_rows, metonyms, person_rows
from services.extract.nlp.names import fold, person_key, slugify

__all__ = [
    "AliasTable",
    "Canonical",
    "Linker",
    "alias_table",
    "entity_id",
    "fold",
    "slugify",
]

PERSON_MATCH_THRESHOLD: Final = 92.0
BIG_CITY: Final = 1_000_000
_COMPOUND_SPLIT: Final = re.compile(r"[\s]+")
_DASHES: Final = re.compile(r"[-\u2010-\u2015]")


def entity_id(entity_type: EntityType | str, name: str) -> str:
    """The id of a name that nothing links: `per:jens-stoltenberg`."""
    kind = entity_type.value if isinstance(entity_type, EntityType) else entity_type
    return f"{kind.lower()}:{slugify(name) or 'unnamed'}"


@dataclass(frozen=True, slots=True)
class Canonical:
    """What a name links to: stable id, canonical name, entity type, and for places the
    knowledge-base reference ("iso3166:UA", "geonames:703448") and coordinates."""

    id: str
    name: str
    type: EntityType
    kb_id: str | None = None
    lat: float | None = None
    lon: float | None = None


class AliasTable:
    """Known names -> `Canonical`. `lookup` folds case and accents; `find_in` scans raw text for exact
    (case-sensitive) aliases, for sentences the NER model cannot read (another language)."""

    def __init__(self, rows: list[tuple[str, Canonical]]) -> None:
        self._by_key = {fold(alias): canonical for alias, canonical in rows}
        self._by_alias = {alias: canonical for alias, canonical in rows}
        self._by_id: dict[str, Canonical] = {}
        for _, canonical in rows:
            self._by_id.setdefault(canonical.id, canonical)
        ordered = sorted(self._by_alias, key=len, reverse=True)  # the longest alias at a place wins
        self._pattern = re.compile(rf"{_first_of(ordered)}(?<![\w.-])({_alternation(ordered)})(?![\w-])")

    def lookup(self, name: str) -> Canonical | None:
        """The canonical entity `name` denotes, or None when it is not a known alias."""
        return self._by_key.get(fold(name))

    def by_id(self, entity: str) -> Canonical | None:
        """The canonical entity of an id the table uses, or None."""
        return self._by_id.get(entity)

    def find_in(self, text: str, offset: int = 0) -> list[tuple[int, int, Canonical]]:
        """Exact alias occurrences in `text`, as (start + offset, end + offset, canonical)."""
        return [
            (m.start() + offset, m.end() + offset, self._by_alias[m.group(1)])
            for m in self._pattern.finditer(text)
        ]


def _alternation(names: list[str]) -> str:
    """A regex alternation of `names` matching exactly what `"|".join(names)` matches, in the same order
    of preference, but grouped by first character: `re` tries the alternatives of a group one by one,
    so one flat group of ~450 aliases tried at every position of an article cost ~0.7 ms."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name[:1], []).append(re.escape(name[1:]))
    return "|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in groups.items())


def _first_of(names: list[str]) -> str:
    """A lookahead for the first characters of `names` (non-empty): most positions fail at once."""
    return f"(?=[{re.escape(''.join(sorted({name[:1] for name in names})))}])"


def alias_table(rows: Iterable[AliasRow]) -> AliasTable:
    """The table of rows of `data/aliases.tsv` (`lexicon.alias_rows`)."""
    return AliasTable([(row.alias, Canonical(row.id, row.name, row.type)) for row in rows])


class Linker:
    """Names -> `Canonical` through the alias table, the gazetteer and the known people (see the
    module docstring). `lookup` and `name_key` are pure functions of their arguments and the data, so
    this instance memoises them (bounded; they run for every mention of every article)."""

    def __init__(
        self,
        aliases: AliasTable,
        places: Gazetteer,
        people: Iterable[PersonRow],
        seats_of_power: Mapping[str, str],
    ) -> None:
        self.aliases = aliases
        self.places = places
        self._seats_of_power = dict(seats_of_power)
        self._people: dict[str, Canonical] = {}
        for row in people:
            self._people.setdefault(person_key(row.alias), Canonical(row.id, row.name, EntityType.PER))
        self._full_names = [key for key in self._people if " " in key]
        self.lookup = functools.lru_cache(maxsize=65536)(self._lookup)
        self.name_key = functools.lru_cache(maxsize=65536)(self._name_key)

    @classmethod
    def load(cls) -> Linker:
        """The linker of the packaged data: aliases.tsv, persons.tsv, metonyms.tsv and the gazetteer
        (blocks ~0.5 s). Raises LexiconError for bad data."""
        return cls(alias_table(alias_rows()), Gazetteer.load(), person_rows(), metonyms())

    def link(self, name: str, entity_type: EntityType) -> Canonical:
        """The canonical entity of a normalised name: linked when known, else the name's own key id."""
        found = self.lookup(name, entity_type.value)
        if found is not None:
            return found
        return Canonical(self.name_key(name, entity_type), name, entity_type)

    def _lookup(self, name: str, label: str | None = None) -> Canonical | None:
        known = self.aliases.lookup(name)
        if known is not None:
            return self._with_place(known, name)
        country = self.places.country(name)
        if country is not None:
            return self._place(country)
        if label == "PER":
            person = self._person(name)
            if person is not None:
                return person
        city = self.places.city(name)
        if city is not None and (
            label in (None, "LOC")
            or (" " not in name.strip() and (city.capital or city.population >= BIG_CITY))
        ):
            return self._place(city)
        return None

    def _with_place(self, known: Canonical, name: str) -> Canonical:
        if known.type != EntityType.LOC:
            return known
        place = self.places.by_id(known.id) or self.places.lookup(name)
        if place is None:
            return known
        return Canonical(known.id, known.name, known.type, place.kb_id, place.lat, place.lon)

    def _place(self, place: Place) -> Canonical:
        # An alias row for the same place keeps its id and French name (aliases.tsv wins).
        known = self.aliases.lookup(place.name)
        if known is not None and known.type == EntityType.LOC:
            return Canonical(known.id, known.name, EntityType.LOC, place.kb_id, place.lat, place.lon)
        return Canonical(place.id, place.name, EntityType.LOC, place.kb_id, place.lat, place.lon)

    def _person(self, name: str) -> Canonical | None:
        key = person_key(name)
        exact = self._people.get(key)
        if exact is not None or " " not in key:
            return exact
        best = process.extractOne(
            key, self._full_names, scorer=fuzz.ratio, score_cutoff=PERSON_MATCH_THRESHOLD
        )
        return self._people[best[0]] if best is not None else None

    def country_of_capital(self, entity: str) -> str | None:
        """The id of the country whose capital `entity` is ("loc:moscow" -> "loc:russia"), if any."""
        code = self.places.capital_country(entity)
        country = self.country(code) if code is not None else None
        return country.id if country is not None else None

    def canonical(self, entity: str) -> Canonical | None:
        """The canonical entity of a known id (alias table, else a country or city of the gazetteer)."""
        known = self.aliases.by_id(entity)
        if known is not None:
            return self._with_place(known, known.name)
        place = self.places.by_id(entity)
        return self._place(place) if place is not None else None

    def stands_for(self, entity: str) -> str | None:
        """The country a capital or a seat of power stands for as an actor ("loc:moscow" ->
        "loc:russia", "loc:kremlin" -> "loc:russia"), or None."""
        return self._seats_of_power.get(entity) or self.country_of_capital(entity)

    def country(self, code: str) -> Canonical | None:
        """The country of an ISO 3166-1 alpha-2 code, linked like a name."""
        place = self.places.country_by_code(code)
        return self._place(place) if place is not None else None

    def _name_key(self, name: str, entity_type: EntityType) -> str:
        """The id of a name nothing links (see the module docstring)."""
        if entity_type == EntityType.PER:
            return f"per:{slugify(person_key(name)) or 'unnamed'}"
        words = []
        for word in _COMPOUND_SPLIT.split(name.strip()):
            parts = [p for p in _DASHES.split(word) if p]
            linked = [self.lookup(p) for p in parts] if len(parts) > 1 else []
            if linked and all(c is not None for c in linked):
                words.append("-".join(sorted(c.id.split(":", 1)[1] for c in linked if c is not None)))
            else:
                words.append(word)
        return entity_id(entity_type, " ".join(words))
