"""Texts -> `Analysis` values: spaCy, then the pure entity and event rules.

Per document:
1. sentences the language check calls foreign (language.py) are set aside: the model's entities there
   are dropped, exact alias-table names found in them are kept (LOC/ORG/... of the alias row), and no
   events are read from them;
2. NER spans -> clean mentions (mentions.py) -> one entity per real-world entity (entities.py), linked
   to stable ids (linking.py);
3. events (events.py) over the parse, their arguments resolved to those entities.

`analyse_texts` runs `nlp.pipe` in batches and raises on the first failure; `analyse_outcomes` never
raises for one text: a text that cannot be analysed gets an `AnalysisFailure` in its place.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from services.extract.arguments import ArgumentResolver
from services.extract.entities import group_mentions
from services.extract.events import EventRules
from services.extract.language import is_foreign
from services.extract.lexicon import demonyms
from services.extract.linking import AliasTable, alias_table
from services.extract.mentions import Candidate, MentionRules
from services.extract.results import (
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
    aliases: AliasTable
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
        aliases = alias_table()
        lang = str(nlp.lang)
        made = Resources(lang, aliases, MentionRules(nlp, aliases), EventRules(lang), demonyms(lang))
        _resources[id(nlp)] = (nlp, made)
        return made


def analyse_doc(doc: Doc, resources: Resources) -> Analysis:
    """Entities and events of one parsed document; offsets index into `doc.text`."""
    foreign = [s for s in doc.sents if is_foreign(s.text, resources.lang)]
    foreign_starts = {s.start for s in foreign}
    spans = [e for e in doc.ents if e.sent.start not in foreign_starts]
    candidates = resources.mentions.candidates(spans)
    for sentence in foreign:
        candidates.extend(_alias_mentions(sentence, resources.aliases))
    entities = group_mentions(candidates, resources.aliases)
    resolver = ArgumentResolver(
        token_entity=_token_entities(doc, entities),
        entity_types={e.id: e.type for e in entities},
        demonyms=resources.demonyms,
    )
    events = resources.events.extract(doc, resolver, lambda s: s.start in foreign_starts)
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
    cannot handle gets an `AnalysisFailure(reason)`. Batches with `nlp.pipe`; after a failure inside
    a batch the remaining texts are parsed one at a time so the culprit is isolated. Blocks (CPU)."""
    resources = resources_for(nlp)
    outcomes: list[AnalysisOutcome | None] = [None] * len(texts)
    pending = []
    for index, text in enumerate(texts):
        if len(text) > nlp.max_length:
            outcomes[index] = AnalysisFailure(
                f"text too long: {len(text)} characters, the model accepts {nlp.max_length}", "TextTooLong"
            )
        else:
            pending.append(index)
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


def _alias_mentions(sentence: Span, aliases: AliasTable) -> list[Candidate]:
    return [
        Candidate(sentence.doc.text[start:end], start, end, canonical.type.value,
                  tuple(sentence.doc.text[start:end].split()))
        for start, end, canonical in aliases.find_in(sentence.text, sentence.start_char)
    ]  # fmt: skip


def _token_entities(doc: Doc, entities: Sequence[EntityResult]) -> dict[int, str]:
    index: dict[int, str] = {}
    for entity in entities:
        for mention in entity.mentions:
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is not None:
                for token in span:
                    index.setdefault(token.i, entity.id)
    return index
