"""Small builders of enriched articles for the store's tests: every field has a dull default, and a
test spells out only what it is about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from services.contracts.models import EnrichedArticle, Entity, EntityType, Event, Mention, PloverType, Span

TEXT = "L'Ukraine a appelé l'OTAN à fournir des missiles à Kiev."
INGESTED_AT = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def mention(word: str, text: str = TEXT, *, occurrence: int = 0) -> Mention:
    """The mention of the `occurrence`-th appearance of `word` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(word, start + 1)
    return Mention(text=word, start=start, end=start + len(word))


def entity(
    entity_id: str,
    name: str | None = None,
    entity_type: EntityType = EntityType.LOC,
    mentions: Sequence[Mention] = (),
    **extra: Any,
) -> Entity:
    return Entity.model_validate(
        {"id": entity_id, "name": name or entity_id, "type": entity_type, "mentions": list(mentions), **extra}
    )


def event(
    event_id: str,
    event_type: PloverType = PloverType.REQUEST,
    *,
    actor: str | None = None,
    target: str | None = None,
    location: str | None = None,
    trigger: str = "appelé",
    **extra: Any,
) -> Event:
    return Event.model_validate(
        {
            "id": event_id,
            "type": event_type,
            "actor": actor,
            "target": target,
            "location": location,
            "trigger": mention(trigger),
            "sentence": Span(start=0, end=len(TEXT)),
            "confidence": 0.8,
            **extra,
        }
    )


def article(
    article_id: str = "a1",
    version: str = "1.0.0",
    *,
    entities: Sequence[Entity] = (),
    events: Sequence[Event] = (),
    text: str = TEXT,
    **extra: Any,
) -> EnrichedArticle:
    return EnrichedArticle.model_validate(
        {
            "article_id": article_id,
            "source": "test",
            "text": text,
            "ingested_at": INGESTED_AT,
            "extractor_version": version,
            "entities": list(entities),
            "events": list(events),
            **extra,
        }
    )


def ukraine_appeals_to_nato(article_id: str = "a1", version: str = "1.0.0", **extra: Any) -> EnrichedArticle:
    """Three entities (Ukraine, OTAN, Kiev), each mentioned once, and a REQUEST event linking them."""
    ukraine = entity("loc:ukraine", "Ukraine", EntityType.LOC, [mention("Ukraine")], kb_id="iso3166:UA")
    nato = entity("org:nato", "OTAN", EntityType.ORG, [mention("OTAN")])
    kyiv = entity("loc:kyiv", "Kiev", EntityType.LOC, [mention("Kiev")], lat=50.45, lon=30.52)
    request = event(f"{article_id}:ev1", actor="loc:ukraine", target="org:nato", location="loc:kyiv")
    return article(article_id, version, entities=[ukraine, nato, kyiv], events=[request], **extra)
