"""`analyse(doc, rules) -> Analysis`: the entities and events of one parsed document, a pure function
of the parse and the rule data (`Rules`); `Extractor` (extractor.py) runs spaCy and calls it.

Per document:
1. sentences the language check calls foreign (language.py) are set aside: the model's entities there
   are dropped, exact alias-table names found in them are kept (LOC/ORG/... of the alias row), and no
   events are read from them. An article wholly in English run through the French pipeline (no
   English spaCy model is installed) therefore yields only known names and no events; with an
   English pipeline (`--model`/`NEWSWIRE_EXTRACT_SPACY_MODEL`) the English triggers and cues apply;
2. NER spans -> clean mentions (mentions.py), corrected by the knowledge data (`_with_known_names`:
   verbatim multi-word alias names, datelines, "à <city>" tagged as a person) -> one entity per
   real-world entity (grouping.py), linked to stable ids (linking.py); state institutions named by a
   noun and their country ("le gouvernement irakien") and named events ("le massacre de Srebrenica")
   added as entities (institutions.py, named_events.py);
3. events (events/rules.py) over the parse, their arguments resolved to those entities; a country an
   event names only by an adjective ("attaque russe") is added as an entity, its mentions at the
   adjectives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from services.extract.nlp.entities.grouping import group_mentions
from services.extract.nlp.entities.institutions import Institutions
from services.extract.nlp.entities.linking import AliasTable, Linker
from services.extract.nlp.entities.mentions import Candidate, MentionRules
from services.extract.nlp.entities.named_events import NamedEvents
from services.extract.nlp.entities.titled_names import names_after_kind_nouns
from services.extract.nlp.events.arguments import ArgumentResolver, demonym_country, mention_end, subset_words
from services.extract.nlp.events.rules import EventRules
from services.extract.nlp.language import LanguageCheck
from services.extract.nlp.lexicon import Lexicon
from services.extract.nlp.results import Analysis, EntityResult, EventResult, TextSpan

__all__ = ["Rules", "analyse"]


@dataclass(frozen=True)
class Rules:
    """Everything the rules read for one pipeline: its language's words, the linker, the language
    check. Built once per `Extractor`; read-only afterwards."""

    linker: Linker
    mentions: MentionRules
    events: EventRules
    demonyms: Mapping[str, str]
    language: LanguageCheck
    institutions: Institutions
    named_events: NamedEvents
    street_nouns: frozenset[str]
    kind_nouns: Mapping[str, str]
    group_nouns: frozenset[str]
    affiliations: frozenset[str]

    @classmethod
    def build(cls, nlp: Language, linker: Linker) -> Rules:
        """The rules of `nlp`'s language (reads the data files, blocks ~0.2 s). Raises LexiconError."""
        lexicon = Lexicon.load(str(nlp.lang))
        return cls(
            linker,
            MentionRules(nlp, lexicon, linker.aliases),
            EventRules(lexicon),
            lexicon.demonyms,
            LanguageCheck(lexicon.lang),
            Institutions(lexicon.institutions, lexicon.demonyms),
            NamedEvents(lexicon.cue("named_event")),
            lexicon.cue("street_noun"),
            {
                **dict.fromkeys(lexicon.cue("role") | lexicon.cue("person_noun"), "PER"),
                **dict.fromkeys(lexicon.cue("organisation_noun"), "ORG"),
            },
            lexicon.group_nouns(),
            lexicon.cue("affiliation"),
        )


def analyse(doc: Doc, rules: Rules) -> Analysis:
    """Entities and events of one parsed document; offsets index into `doc.text`. Raises whatever a
    rule raises (a bug); `Extractor.outcomes` turns that into a per-text failure."""
    # `Doc.text` and `Span.text` are rebuilt from the tokens on every access: the text is read once and
    # a sentence's is a slice of it.
    text = doc.text
    sentences = list(doc.sents)
    foreign = [s for s in sentences if rules.language.is_foreign(text[s.start_char : s.end_char])]
    spans = [e for e in doc.ents if not _inside(e.start, foreign)]
    candidates = rules.mentions.candidates(spans, text)
    for sentence in foreign:
        candidates.extend(_alias_mentions(text, sentence, rules.linker.aliases))
    candidates = _with_known_names(text, candidates, rules.linker, rules.street_nouns)
    candidates = names_after_kind_nouns(doc, candidates, rules.kind_nouns, rules.linker)
    entities = group_mentions(candidates, rules.linker)
    named = _token_entities(doc, entities)
    added = [
        *rules.institutions.find(doc, entities, named, rules.linker),
        *rules.named_events.find(doc, named),
    ]
    entities.extend(added)
    stands_for = {e.id: c for e in entities if (c := rules.linker.stands_for(e.id)) is not None}
    # A token keeps the entity listed first: the names found before the added entities win.
    token_entity = {**_token_entities(doc, added), **named}
    labels = _topic_labels(sentences, token_entity)
    resolver = ArgumentResolver(
        token_entity={i: e for i, e in token_entity.items() if i not in labels},
        entity_types={e.id: e.type for e in entities},
        demonyms=rules.demonyms,
        subset_words=subset_words(doc),
        metonyms=stands_for,
        countries=frozenset(e.id for e in entities if (e.kb_id or "").startswith("iso3166:")),
        group_nouns=rules.group_nouns,
        affiliations=rules.affiliations,
    )
    foreign_starts = {s.start for s in foreign}
    events = rules.events.extract(doc, [s for s in sentences if s.start not in foreign_starts], resolver)
    entities.extend(_adjective_countries(doc, events, resolver, rules))
    return Analysis(entities=tuple(entities), events=tuple(events))


_DATELINE = re.compile(r"^[ \t]*([A-ZÀ-Ý][A-ZÀ-Ý'’ -]*[A-ZÀ-Ý])[ \t]+[-–—][ \t]", re.MULTILINE)


def _inside(token: int, sentences: Sequence[Span]) -> bool:
    """Whether token index `token` is in one of `sentences` (`Span.sent` would rebuild its sentence)."""
    return any(s.start <= token < s.end for s in sentences)


def _with_known_names(
    text: str, candidates: list[Candidate], linker: Linker, street_nouns: frozenset[str]
) -> list[Candidate]:
    """The model's mentions corrected with what the knowledge data knows for sure:
    * a multi-word alias-table name found verbatim in the text replaces the model's shorter or
      overlapping spans ("La France insoumise", not "La France"); so does a name the table lists in
      lower case, as the press writes it ("les shebab"), which the model never tags;
    * a dateline ("BAMAKO - ", "PORT-SOUDAN - " opening a paragraph) naming a known place is a LOC;
    * a person-tagged span right after a place preposition that names a known city is that city
      ("à Khan Younès");
    * a name right after a street noun is the street, square or district, a place of its own ("place
      Tahrir", "rue d'Aubagne": not the town of Aubagne).
    """
    found = [
        Candidate(text[start:end], start, end, canonical.type.value, tuple(text[start:end].split()))
        for start, end, canonical in linker.aliases.find_in(text)
        if " " in text[start:end] or text[start:end].islower()
    ]
    for match in _DATELINE.finditer(text):
        name = match.group(1)
        if linker.places.lookup(name) is not None or linker.aliases.lookup(name):
            start = match.start(1)
            found.append(Candidate(name, start, start + len(name), "LOC", tuple(name.split())))
    kept = [c for c in candidates if not any(f.start < c.end and c.start < f.end for f in found)]
    fixed = []
    for c in kept:
        street = _STREET.search(text, max(0, c.start - 24), c.start)
        if street is not None and street.end() == c.start and street.group(1).lower() in street_nouns:
            start = street.start(1)
            fixed.append(
                Candidate(text[start : c.end], start, c.end, "LOC", tuple(text[start : c.end].split()))
            )
            continue
        before = text[max(0, c.start - 4) : c.start].split()
        if c.label == "PER" and before and before[-1].lower() in _PLACE_WORDS:
            place = linker.places.city(c.text)
            if place is not None:
                c = Candidate(c.text, c.start, c.end, "LOC", c.words, c.acronym)
        fixed.append(c)
    return sorted([*fixed, *found], key=lambda c: (c.start, c.end))


_PLACE_WORDS = frozenset({"à", "au", "aux", "vers", "de", "depuis"})
_STREET = re.compile(r"\b(\w+) (?:de la |de l['’]|d['’]|de |du |des )?$")


def _alias_mentions(text: str, sentence: Span, aliases: AliasTable) -> list[Candidate]:
    """The exact alias-table names in `sentence` of the document text `text`."""
    start_char, end_char = sentence.start_char, sentence.end_char
    return [
        Candidate(text[start:end], start, end, canonical.type.value, tuple(text[start:end].split()))
        for start, end, canonical in aliases.find_in(text[start_char:end_char], start_char)
    ]


def _adjective_countries(
    doc: Doc, events: Sequence[EventResult], resolver: ArgumentResolver, rules: Rules
) -> list[EntityResult]:
    """Countries an event names only through an adjective ("une attaque russe" in an article that never
    says "Russie"): an entity each, its mentions at the adjectives naming it, so the event's ids resolve."""
    used = {e for event in events for e in (event.actor, event.target)} - set(resolver.entity_types) - {None}
    mentions: dict[str, list[TextSpan]] = {}
    if used:
        for token in doc:
            country = demonym_country(token, rules.demonyms)
            if country is not None and country in used:
                mentions.setdefault(country, []).append(
                    TextSpan(token.text, token.idx, token.idx + len(token))
                )
    added = []
    for country, spans in mentions.items():
        canonical = rules.linker.canonical(country)
        name = canonical.name if canonical is not None else country.split(":", 1)[1]
        kb_id = canonical.kb_id if canonical is not None else None
        added.append(EntityResult(country, name, "LOC", tuple(spans), kb_id))
    return added


def _topic_labels(sentences: Sequence[Span], token_entity: dict[int, str]) -> set[int]:
    """The tokens of a name that opens a sentence as its topic label ("Indonésie : ...", "Soudan : les
    FSR accusées ..."): the headline says what it is about, not who acts, so the name is no participant."""
    labels: set[int] = set()
    for sentence in sentences:
        first = sentence.start
        if first not in token_entity:
            continue
        end = mention_end(first, token_entity, sentence.end)
        if end + 1 < sentence.end and sentence.doc[end + 1].text == ":":
            labels.update(range(first, end + 1))
    return labels


def _token_entities(doc: Doc, entities: Sequence[EntityResult]) -> dict[int, str]:
    index: dict[int, str] = {}
    for entity in entities:
        for mention in entity.mentions:
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is not None:
                for token in span:
                    index.setdefault(token.i, entity.id)
    return index
