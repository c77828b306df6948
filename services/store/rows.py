"""An enriched article -> plain row dicts, one shape per table (pure: no database import).

The article comes as plain dicts: validated by `plain_validator(EnrichedArticle)` (what the store
worker decodes) or `EnrichedArticle.model_dump()` (the same shape).

Keys are the column names of `schema.py`. Columns the database fills itself (`stored_at`,
`updated_at`, `first_seen`, `last_seen`) are not in the rows.

Within one article the rows are deduplicated, so inserting them never violates a unique key:
an entity listed twice becomes one entity row (the last listing's attributes, the union of the
mentions); a mention listed twice becomes one; an event id listed twice keeps the last event.
Timestamps without a timezone are taken as UTC.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

from services.contracts.plain import PlainDict
from services.store.errors import InvalidArticleError
from services.store.versions import VersionKey, article_version_key


class ArticleRow(TypedDict):
    article_id: str
    external_id: str | None
    source: str
    url: str | None
    title: str | None
    text: str
    lang: str | None
    dateline: str | None
    published_at: dt.datetime | None
    ingested_at: dt.datetime
    extractor_version: str
    extractor_version_key: list[int]


class EntityRow(TypedDict):
    entity_id: str
    name: str
    type: str
    kb_id: str | None
    lat: float | None
    lon: float | None


class ArticleEntityRow(TypedDict):
    article_id: str
    entity_id: str
    mention_count: int


class MentionRow(TypedDict):
    article_id: str
    entity_id: str
    start_offset: int
    end_offset: int
    text: str


class EventRow(TypedDict):
    event_id: str
    article_id: str
    type: str
    actor_id: str | None
    target_id: str | None
    location_id: str | None
    event_date: dt.date | None
    trigger_text: str
    trigger_start: int
    trigger_end: int
    sentence_start: int
    sentence_end: int
    attributes: dict[str, int]
    negated: bool
    hypothetical: bool
    confidence: float
    published_at: dt.datetime | None


@dataclass(frozen=True)
class ArticleRows:
    """Every row one article contributes, ready for executemany."""

    article_id: str
    version_key: VersionKey
    article: ArticleRow
    entities: tuple[EntityRow, ...]
    article_entities: tuple[ArticleEntityRow, ...]
    mentions: tuple[MentionRow, ...]
    events: tuple[EventRow, ...]


def as_utc(value: dt.datetime) -> dt.datetime:
    """An aware datetime; a naive one is taken to be UTC (the contract's timestamps are UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _optional_utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else as_utc(value)


def article_row(article: PlainDict) -> ArticleRow:
    """The `articles` row. Raises InvalidVersionError when the extractor version cannot be ordered."""
    return ArticleRow(
        article_id=article["article_id"],
        external_id=article["external_id"],
        source=article["source"],
        url=article["url"],
        title=article["title"],
        text=article["text"],
        lang=article["lang"],
        dateline=article["dateline"],
        published_at=_optional_utc(article["published_at"]),
        ingested_at=as_utc(article["ingested_at"]),
        extractor_version=article["extractor_version"],
        extractor_version_key=list(article_version_key(article)),
    )


def _merged_entities(
    entities: Iterable[PlainDict],
) -> dict[str, tuple[PlainDict, dict[tuple[int, int], str]]]:
    """Entities by id (last listing wins), each with its distinct mentions keyed by (start, end)."""
    merged: dict[str, tuple[PlainDict, dict[tuple[int, int], str]]] = {}
    for entity in entities:
        entity_id = entity["id"]
        mentions = merged[entity_id][1] if entity_id in merged else {}
        for mention in entity["mentions"]:
            mentions.setdefault((mention["start"], mention["end"]), mention["text"])
        merged[entity_id] = (entity, mentions)
    return merged


def entity_row(entity: PlainDict) -> EntityRow:
    return EntityRow(
        entity_id=entity["id"],
        name=entity["name"],
        type=str(entity["type"]),
        kb_id=entity["kb_id"],
        lat=entity["lat"],
        lon=entity["lon"],
    )


def event_row(article: PlainDict, event: PlainDict) -> EventRow:
    trigger, sentence = event["trigger"], event["sentence"]
    return EventRow(
        event_id=event["id"],
        article_id=article["article_id"],
        type=str(event["type"]),
        actor_id=event["actor"],
        target_id=event["target"],
        location_id=event["location"],
        event_date=event["date"],
        trigger_text=trigger["text"],
        trigger_start=trigger["start"],
        trigger_end=trigger["end"],
        sentence_start=sentence["start"],
        sentence_end=sentence["end"],
        attributes=dict(event["attributes"]),
        negated=event["negated"],
        hypothetical=event["hypothetical"],
        confidence=event["confidence"],
        published_at=_optional_utc(article["published_at"]),
    )


def _check_references(article: PlainDict, entity_ids: set[str]) -> None:
    for event in article["events"]:
        for role in ("actor", "target", "location"):
            ref = event[role]
            if ref is not None and ref not in entity_ids:
                raise InvalidArticleError(
                    article["article_id"],
                    f"event {event['id']!r} names {role} {ref!r}, not an entity of the article",
                )


def article_rows(article: PlainDict) -> ArticleRows:
    """All rows of one article, deduplicated.

    Raises InvalidArticleError when an event's actor/target/location is not one of the article's
    entities (the database would refuse the foreign key anyway, later and less clearly), and
    InvalidVersionError when the extractor version cannot be ordered.
    """
    article_id = article["article_id"]
    row = article_row(article)
    merged = _merged_entities(article["entities"])
    _check_references(article, set(merged))
    events = {event["id"]: event_row(article, event) for event in article["events"]}
    return ArticleRows(
        article_id=article_id,
        version_key=tuple(row["extractor_version_key"]),
        article=row,
        entities=tuple(entity_row(entity) for entity, _ in merged.values()),
        article_entities=tuple(
            ArticleEntityRow(article_id=article_id, entity_id=entity_id, mention_count=len(mentions))
            for entity_id, (_, mentions) in merged.items()
        ),
        mentions=tuple(
            MentionRow(
                article_id=article_id, entity_id=entity_id, start_offset=start, end_offset=end, text=text
            )
            for entity_id, (_, mentions) in merged.items()
            for (start, end), text in mentions.items()
        ),
        events=tuple(events.values()),
    )


def merged_entity_rows(batch: Iterable[ArticleRows]) -> list[EntityRow]:
    """One row per entity id across articles, sorted by id.

    Later articles win for the attributes (name, type, kb_id, lat, lon). Sorting gives every writer the
    same lock order on shared entities, so two store workers upserting overlapping entities wait for
    each other instead of deadlocking.
    """
    merged: dict[str, EntityRow] = {}
    for rows in batch:
        for entity in rows.entities:
            merged[entity["entity_id"]] = entity
    return [merged[entity_id] for entity_id in sorted(merged)]
