"""RawArticle + Analysis -> EnrichedArticle: the contract the worker publishes and `newswire extract`
prints (pure).

Event ids are deterministic: a hash of the article id, the event type, the trigger offsets and the
actor and target ids (several events may share one trigger: "X, Y et Z soutiennent ..."), so a
re-delivered article gets the same ids. Each article carries the extractor version it is given,
by default `EXTRACTOR_VERSION` (services/contracts/versions.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from services.contracts.models import (
    EnrichedArticle,
    Entity,
    EntityType,
    Event,
    Mention,
    PloverType,
    RawArticle,
    Span,
)
from services.contracts.versions import EXTRACTOR_VERSION
from services.extract.errors import AnalysisError
from services.extract.nlp.dates import resolve_date
from services.extract.nlp.results import Analysis, EntityResult, EventResult


def event_id(
    article_id: str, event_type: str, start: int, end: int, actor: str | None, target: str | None
) -> str:
    """Deterministic event id: 32 hex characters of SHA-256 over the identifying fields."""
    key = "\x1f".join((article_id, event_type, str(start), str(end), actor or "", target or ""))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


DateResolution = Callable[[str, dt.datetime | None, str], dt.date | None]


def enrich(
    raw: RawArticle,
    analysis: Analysis,
    resolve: DateResolution = resolve_date,
    *,
    extractor_version: str = EXTRACTOR_VERSION,
) -> EnrichedArticle:
    """The enriched article for `raw` given the analysis of `raw.text`, stamped `extractor_version` (the
    worker's setting); event dates from `resolve` (`dates.resolve_date`, or a worker's memoised
    `DateResolver.resolve`).

    Raises AnalysisError when the analysis does not fit the text (a mention's offsets do not give its
    text): that is an analysis of another text, never published.
    """
    entities = [_entity(raw.text, e) for e in analysis.entities]
    known = {e.id for e in entities}
    events = [_event(raw, e, known, resolve) for e in analysis.events]
    # An enriched article is its raw article plus the extraction: every raw field carries over as it is.
    return EnrichedArticle(**dict(raw), extractor_version=extractor_version, entities=entities, events=events)


def _entity(text: str, entity: EntityResult) -> Entity:
    for m in entity.mentions:
        if text[m.start : m.end] != m.text:
            raise AnalysisError(f"mention {m.text!r} at {m.start}:{m.end} does not match the article text")
    return Entity(
        id=entity.id,
        name=entity.name,
        type=EntityType(entity.type),
        mentions=[Mention(text=m.text, start=m.start, end=m.end) for m in entity.mentions],
        kb_id=entity.kb_id,
        lat=entity.lat,
        lon=entity.lon,
    )


def _event(raw: RawArticle, event: EventResult, known: set[str], resolve: DateResolution) -> Event:
    for ref in (event.actor, event.target, event.location):
        if ref is not None and ref not in known:
            raise AnalysisError(f"event refers to entity {ref!r} that the article does not have")
    trigger = event.trigger
    if raw.text[trigger.start : trigger.end] != trigger.text:
        raise AnalysisError(
            f"trigger {trigger.text!r} at {trigger.start}:{trigger.end} does not match the text"
        )
    return Event(
        id=event_id(raw.article_id, event.type, trigger.start, trigger.end, event.actor, event.target),
        type=PloverType(event.type),
        actor=event.actor,
        target=event.target,
        location=event.location,
        date=resolve(event.when.text, raw.published_at, event.tense) if event.when else None,
        trigger=Mention(text=trigger.text, start=trigger.start, end=trigger.end),
        sentence=Span(start=event.sentence[0], end=event.sentence[1]),
        attributes=dict(event.attributes),
        negated=event.negated,
        hypothetical=event.hypothetical,
        confidence=event.confidence,
    )
