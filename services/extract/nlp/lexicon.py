"""The data files of the extraction rules (`data/*.tsv`) and `Lexicon`, their per-language value.

Nothing here is cached: each reader parses its file when called, and the process's `Extractor`
(extractor.py) reads them once and passes the values to the rules. Every file is UTF-8 TSV with `#`
comment lines and one header row naming the columns. Rows are filtered by language (ISO 639-1) where
the file has a `lang` column, so the French pipeline never applies an English trigger and vice versa.
Raises LexiconError for a missing file or a malformed row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Final

from services.contracts.models import EntityType, PloverType
from services.extract.errors import LexiconError

_PACKAGE: Final = "services.extract.data"
_VERB_POS: Final = frozenset({"VERB", "NOUN"})


def read_tsv(name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of `data/<name>` as dicts; the header must start with `columns` (in that order)."""
    try:
        text = resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    except (FileNotFoundError, OSError) as exc:
        raise LexiconError(f"data file {name} cannot be read: {exc}") from exc
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line and not line.startswith("#")]
    if not lines:
        raise LexiconError(f"data file {name} is empty")
    header = tuple(lines[0][1].split("\t"))
    if header[: len(columns)] != columns:
        raise LexiconError(f"data file {name}: header {header} does not start with {columns}")
    rows = []
    for number, line in lines[1:]:
        cells = line.split("\t")
        if len(cells) < len(columns) - 1 or not cells[0].strip():
            raise LexiconError(f"data file {name} line {number}: expected {len(columns)} columns")
        cells += [""] * (len(header) - len(cells))
        rows.append({key: value.strip() for key, value in zip(header, cells, strict=False)})
    return rows


@dataclass(frozen=True, slots=True)
class Trigger:
    """One row of plover_triggers.tsv, its lemma column parsed.

    `reflexive`: the verb needs a reflexive clitic; `preposition`: it needs a dependent introduced by
    that word; `intransitive`: it must have no direct object; `object_cue`: its object (or passive
    subject, or the noun a passive participle qualifies; with a `preposition`, the phrase it introduces)
    must be a word of that cue list ("person": a person noun, role or name; see events/rules.py).
    """

    lemma: str
    pos: str
    type: PloverType
    reflexive: bool = False
    preposition: str | None = None
    intransitive: bool = False
    object_cue: str | None = None


def parse_trigger(spec: str, pos: str, plover_type: str) -> Trigger:
    """Parse a lemma column such as "s'entretenir", "se rendre à", "appeler à", "manifester !obj" or
    "déployer @military_noun" (the object, or passive subject, must be a word of that cue list)."""
    words = spec.lower().split()
    reflexive = False
    if words and words[0] == "se":
        reflexive, words = True, words[1:]
    elif words and words[0].startswith(("s'", "s’")):
        reflexive, words = True, [words[0][2:], *words[1:]]
    intransitive = "!obj" in words
    object_cue = next((w[1:] for w in words if w.startswith("@")), None)
    words = [w for w in words if w != "!obj" and not w.startswith("@")]
    if not words or len(words) > 2 or pos not in _VERB_POS:
        raise LexiconError(f"plover_triggers.tsv: cannot read trigger {spec!r} ({pos})")
    try:
        kind = PloverType(plover_type)
    except ValueError:
        raise LexiconError(f"plover_triggers.tsv: {plover_type!r} is not a PLOVER type") from None
    preposition = words[1] if len(words) == 2 else None
    return Trigger(words[0], pos, kind, reflexive, preposition, intransitive, object_cue)


def triggers(lang: str) -> dict[tuple[str, str], tuple[Trigger, ...]]:
    """Triggers for a pipeline language, indexed by (lemma, pos)."""
    index: dict[tuple[str, str], list[Trigger]] = {}
    for row in read_tsv("plover_triggers.tsv", ("lemma", "pos", "plover_type", "lang", "note")):
        if row["lang"] != lang:
            continue
        trigger = parse_trigger(row["lemma"], row["pos"], row["plover_type"])
        index.setdefault((trigger.lemma, trigger.pos), []).append(trigger)
    return {key: tuple(value) for key, value in index.items()}


@dataclass(frozen=True, slots=True)
class AliasRow:
    alias: str
    id: str
    name: str
    type: EntityType


def alias_rows() -> tuple[AliasRow, ...]:
    """The rows of aliases.tsv (every language: an alias names the same entity in any text)."""
    rows = []
    for row in read_tsv("aliases.tsv", ("alias", "canonical_id", "canonical_name", "type", "source")):
        try:
            kind = EntityType(row["type"])
        except ValueError:
            raise LexiconError(f"aliases.tsv: {row['type']!r} is not an entity type") from None
        if not row["source"]:
            raise LexiconError(f"aliases.tsv: alias {row['alias']!r} states no source")
        rows.append(AliasRow(row["alias"], row["canonical_id"], row["canonical_name"], kind))
    return tuple(rows)


@dataclass(frozen=True, slots=True)
class PersonRow:
    alias: str
    id: str
    name: str


def person_rows() -> tuple[PersonRow, ...]:
    """The rows of persons.tsv (well-known people; every row states its source)."""
    rows = []
    for row in read_tsv("persons.tsv", ("alias", "canonical_id", "canonical_name", "source")):
        if not row["source"] or not row["canonical_id"].startswith("per:"):
            raise LexiconError(f"persons.tsv: alias {row['alias']!r} lacks a source or a per: id")
        rows.append(PersonRow(row["alias"], row["canonical_id"], row["canonical_name"]))
    return tuple(rows)


def metonyms() -> dict[str, str]:
    """Entity id of a seat of power -> the country id it stands for as an actor (metonyms.tsv)."""
    rows = read_tsv("metonyms.tsv", ("canonical_id", "country_id", "source"))
    return {row["canonical_id"]: row["country_id"] for row in rows}


def demonyms(lang: str) -> dict[str, str]:
    """Adjective of nationality (lower case) -> stable entity id, for a pipeline language."""
    rows = read_tsv("demonyms.tsv", ("form", "canonical_id", "lang", "source"))
    return {row["form"].lower(): row["canonical_id"] for row in rows if row["lang"] == lang}


def institutions(lang: str) -> dict[str, str]:
    """Institution noun (lower case) -> kind slug, for a pipeline language (institutions.tsv)."""
    rows = read_tsv("institutions.tsv", ("noun", "kind", "lang", "note"))
    return {row["noun"].lower(): row["kind"] for row in rows if row["lang"] == lang}


def cues(lang: str) -> dict[str, frozenset[str]]:
    """cue name -> its words, for a pipeline language (see data/cues.tsv)."""
    found: dict[str, set[str]] = {}
    for row in read_tsv("cues.tsv", ("word", "cue", "lang", "note")):
        if row["lang"] == lang:
            found.setdefault(row["cue"], set()).add(row["word"])
    return {cue: frozenset(words) for cue, words in found.items()}


@dataclass(frozen=True)
class Lexicon:
    """The word data of one pipeline language: event triggers, cue lists, demonyms, institution nouns."""

    lang: str
    triggers: Mapping[tuple[str, str], tuple[Trigger, ...]]
    cues: Mapping[str, frozenset[str]]
    demonyms: Mapping[str, str]
    institutions: Mapping[str, str]

    @classmethod
    def load(cls, lang: str) -> Lexicon:
        """Read the data files for `lang` (milliseconds). Raises LexiconError for bad data."""
        return cls(lang, triggers(lang), cues(lang), demonyms(lang), institutions(lang))

    def cue(self, name: str) -> frozenset[str]:
        """The words of one cue list (empty when the language has none)."""
        return self.cues.get(name, frozenset())

    def group_nouns(self) -> frozenset[str]:
        """Common nouns naming people or a group that acts without a name ("les manifestants", "la
        police"): the cue lists `person_noun` and `group_noun`."""
        return self.cue("person_noun") | self.cue("group_noun")
