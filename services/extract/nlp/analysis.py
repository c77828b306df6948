"""Texts -> `Analysis` values: spaCy, then the pure entity and event rules.

Per document:
1. sentences the language check calls foreign (language.py) are set aside: the model's entities there
   are dropped, exact alias-table names found in them are kept (LOC/ORG/... of the alias row), and no
   events are read from them. An article wholly in English run through the French pipeline (no
   English spaCy model is installed) therefore yields only known names and no events; with an
   English pipeline (`--model`/`NEWSWIRE_EXTRACT_SPACY_MODEL`) the English triggers and cues apply;
2. NER spans -> clean mentions (mentions.py), corrected by the knowledge data (`_with_known_names`:
   verbatim multi-word alias names, datelines, "à <city>" tagged as a person) -> one entity per
   real-world entity (entities.py), linked to stable ids (linking.py);
3. events (events.py) over the parse, their arguments resolved to those entities; a country an event
   names only by an adjective ("attaque russe") is added as an entity, its mentions at the adjectives.

`analyse_texts` runs `nlp.pipe` in batches and raises on the first failure; `analyse_outcomes` never
raises for one text: a text that cannot be analysed gets an `AnalysisFailure` in its place.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from services.extract.nlp import segments
from services.extract.nlp.entities.grouping import group_mentions
from services.extract.nlp.entities.linking import AliasTable, Linker, linker
from services.extract.nlp.entities.mentions import Candidate, MentionRules
from services.extract.nlp.events.arguments import ArgumentResolver, subset_words
from services.extract.nlp.events.rules import EventRules
from services.extract.nlp.language import is_foreign
from services.extract.nlp.lexicon import demonyms
from services.extract.nlp.results import (
    Analysis,
    AnalysisFailure,
    AnalysisOutcome,
    EntityResult,
    EventResult,
    TextSpan,
)

__all__ = [
    "Analysis",
    "AnalysisFailure",
    "AnalysisOutcome",
    "EntityResult",
    "EventResult",
    "Resources",
    "TextSpan",
    "analyse_doc",
    "analyse_docs",
    "analyse_outcomes",
    "analyse_texts",
    "resources_for",
]


@dataclass(frozen=True)
class Resources:
    """Everything the rules need for one pipeline, built once per pipeline and process."""

    lang: str
    linker: Linker
    mentions: MentionRules
    events: EventRules
    demonyms: dict[str, str]


_resources: dict[int, tuple[Language, Resources]] = {}
_lock = threading.Lock()


def resources_for(nlp: Language) -> Resources:
    """The rule resources of `nlp` (cached per pipeline object). Raises LexiconError for bad data."""
    with _lock:
        cached = _resources.get(id(nlp))
        if cached is not None and cached[0] is nlp:
            return cached[1]
        links = linker()
        lang = str(nlp.lang)
        made = Resources(lang, links, MentionRules(nlp, links.aliases), EventRules(lang), demonyms(lang))
        _resources[id(nlp)] = (nlp, made)
        return made


def analyse_doc(doc: Doc, resources: Resources) -> Analysis:
    """Entities and events of one parsed document; offsets index into `doc.text`."""
    # `Doc.text` and `Span.text` are rebuilt from the tokens on every access: the text is read once and
    # a sentence's is a slice of it.
    text = doc.text
    sentences = list(doc.sents)
    foreign = [s for s in sentences if is_foreign(text[s.start_char : s.end_char], resources.lang)]
    spans = [e for e in doc.ents if not _inside(e.start, foreign)]
    candidates = resources.mentions.candidates(spans, text)
    for sentence in foreign:
        candidates.extend(_alias_mentions(text, sentence, resources.linker.aliases))
    candidates = _with_known_names(text, candidates, resources)
    entities = group_mentions(candidates, resources.linker)
    stands_for = {e.id: c for e in entities if (c := resources.linker.stands_for(e.id)) is not None}
    resolver = ArgumentResolver(
        token_entity=_token_entities(doc, entities),
        entity_types={e.id: e.type for e in entities},
        demonyms=resources.demonyms,
        subset_words=subset_words(doc),
        metonyms=stands_for,
        countries=frozenset(e.id for e in entities if (e.kb_id or "").startswith("iso3166:")),
    )
    foreign_starts = {s.start for s in foreign}
    events = resources.events.extract(doc, [s for s in sentences if s.start not in foreign_starts], resolver)
    entities.extend(_adjective_countries(doc, events, resolver, resources.linker))
    return Analysis(entities=tuple(entities), events=tuple(events))


def analyse_docs(docs: Iterable[Doc], resources: Resources) -> list[Analysis]:
    """`analyse_doc` over parsed documents, in order."""
    return [analyse_doc(doc, resources) for doc in docs]


def analyse_texts(nlp: Language, texts: Sequence[str], *, batch_size: int = 64) -> list[Analysis]:
    """Parse `texts` with `nlp.pipe(batch_size=...)` and analyse them, in order. Blocks (CPU).
    Raises whatever spaCy or the rules raise; see `analyse_outcomes` for the per-text-safe form."""
    resources = resources_for(nlp)
    return analyse_docs(nlp.pipe(texts, batch_size=batch_size), resources)


def analyse_outcomes(nlp: Language, texts: Sequence[str], *, batch_size: int = 64) -> list[AnalysisOutcome]:
    """Like `analyse_texts`, but one result per text whatever happens: a text that spaCy or the rules
    cannot handle gets an `AnalysisFailure(reason)`. A long text is analysed in segments (segments.py)
    and fails when one of them fails. Batches with `nlp.pipe`; after a failure inside a batch the
    remaining texts are parsed one at a time so the culprit is isolated. Blocks (CPU)."""
    pieces = [segments.split(text) for text in texts]
    flat = _analyse_pieces(nlp, [segment for parts in pieces for _, segment in parts], batch_size)
    outcomes: list[AnalysisOutcome] = []
    for parts in pieces:
        results, flat = flat[: len(parts)], flat[len(parts) :]
        failure = next((r for r in results if isinstance(r, AnalysisFailure)), None)
        if failure is not None:
            outcomes.append(failure)
        else:
            analyses = [r for r in results if isinstance(r, Analysis)]
            outcomes.append(
                segments.merge([(start, a) for (start, _), a in zip(parts, analyses, strict=True)])
            )
    return outcomes


def _analyse_pieces(nlp: Language, texts: Sequence[str], batch_size: int) -> list[AnalysisOutcome]:
    resources = resources_for(nlp)
    outcomes: list[AnalysisOutcome | None] = [None] * len(texts)
    pending = list(range(len(texts)))  # segments are far below spaCy's max_length
    done = 0
    try:
        docs = nlp.pipe((texts[i] for i in pending), batch_size=batch_size)
        for doc in docs:
            outcomes[pending[done]] = _safe_analyse(doc, resources)
            done += 1
    except Exception:  # isolate the failing text below, one at a time
        for index in pending[done:]:
            try:
                outcomes[index] = _safe_analyse(nlp(texts[index]), resources)
            except Exception as exc:  # per-text failure is a result, not a crash
                outcomes[index] = AnalysisFailure(f"spaCy failed: {exc}", type(exc).__name__)
    return [o if o is not None else AnalysisFailure("not analysed", "AnalysisError") for o in outcomes]


def _safe_analyse(doc: Doc, resources: Resources) -> AnalysisOutcome:
    try:
        return analyse_doc(doc, resources)
    except Exception as exc:  # a rule bug on one text must not lose the batch
        return AnalysisFailure(f"extraction rules failed: {exc}", type(exc).__name__)


_DATELINE = re.compile(r"^[ \t]*([A-ZÀ-Ý][A-ZÀ-Ý'’ -]*[A-ZÀ-Ý])[ \t]+[-–—][ \t]", re.MULTILINE)


def _inside(token: int, sentences: Sequence[Span]) -> bool:
    """Whether token index `token` is in one of `sentences` (`Span.sent` would rebuild its sentence)."""
    return any(s.start <= token < s.end for s in sentences)


def _with_known_names(text: str, candidates: list[Candidate], resources: Resources) -> list[Candidate]:
    """The model's mentions corrected with what the knowledge data knows for sure:
    * a multi-word alias-table name found verbatim in the text replaces the model's shorter or
      overlapping spans ("La France insoumise", not "La France");
    * a dateline ("BAMAKO - ", "PORT-SOUDAN - " opening a paragraph) naming a known place is a LOC;
    * a person-tagged span right after a place preposition that names a known city is that city
      ("à Khan Younès").
    """
    found = [
        Candidate(text[start:end], start, end, canonical.type.value, tuple(text[start:end].split()))
        for start, end, canonical in resources.linker.aliases.find_in(text)
        if " " in text[start:end]
    ]
    for match in _DATELINE.finditer(text):
        name = match.group(1)
        if resources.linker.places.lookup(name) is not None or resources.linker.aliases.lookup(name):
            start = match.start(1)
            found.append(Candidate(name, start, start + len(name), "LOC", tuple(name.split())))
    kept = [c for c in candidates if not any(f.start < c.end and c.start < f.end for f in found)]
    fixed = []
    for c in kept:
        before = text[max(0, c.start - 4) : c.start].split()
        if c.label == "PER" and before and before[-1].lower() in _PLACE_WORDS:
            place = resources.linker.places.city(c.text)
            if place is not None:
                c = Candidate(c.text, c.start, c.end, "LOC", c.words, c.acronym)
        fixed.append(c)
    return sorted([*fixed, *found], key=lambda c: (c.start, c.end))


_PLACE_WORDS = frozenset({"à", "au", "aux", "vers", "de", "depuis"})


def _alias_mentions(text: str, sentence: Span, aliases: AliasTable) -> list[Candidate]:
    """The exact alias-table names in `sentence` of the document text `text`."""
    start_char, end_char = sentence.start_char, sentence.end_char
    return [
        Candidate(text[start:end], start, end, canonical.type.value, tuple(text[start:end].split()))
        for start, end, canonical in aliases.find_in(text[start_char:end_char], start_char)
    ]


def _adjective_countries(
    doc: Doc, events: Sequence[EventResult], resolver: ArgumentResolver, links: Linker
) -> list[EntityResult]:
    """Countries an event names only through an adjective ("une attaque russe" in an article that never
    says "Russie"): an entity each, its mentions at those adjectives, so the event's ids resolve."""
    used = {e for event in events for e in (event.actor, event.target)} - set(resolver.entity_types)
    mentions: dict[str, list[TextSpan]] = {}
    for index, country in sorted(resolver.adjective_countries.items()):
        if country in used:
            token = doc[index]
            span = TextSpan(token.text, token.idx, token.idx + len(token.text))
            mentions.setdefault(country, []).append(span)
    added = []
    for country, spans in mentions.items():
        canonical = links.canonical(country)
        name = canonical.name if canonical is not None else country.split(":", 1)[1]
        kb_id = canonical.kb_id if canonical is not None else None
        added.append(EntityResult(country, name, "LOC", tuple(spans), kb_id))
    return added


def _token_entities(doc: Doc, entities: Sequence[EntityResult]) -> dict[int, str]:
    index: dict[int, str] = {}
    for entity in entities:
        for mention in entity.mentions:
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is not None:
                for token in span:
                    index.setdefault(token.i, entity.id)
    return index
