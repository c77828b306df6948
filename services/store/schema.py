"""The Postgres schema of the store, as SQLAlchemy Core tables.

The migrations in `migrations/versions/` create exactly this (a test compares them); change both together.

    articles          one row per article, the newest extractor version seen
    entities          one row per entity id, global across articles (ids are stable)
    article_entities  which entities an article names, with its number of distinct mentions
    mentions          each mention of an entity in an article (character offsets into articles.text)
    events            PLOVER events, each in one article; actor/target/location are entities

and, declared by the poller (services/ingest/poll/tables.py) on the same metadata, so the migrations
cover them:

    poll_sources      the feed poller's state per source (ETag, Last-Modified, failures, next poll)
    poll_items        the feed items the poller has published or refused, per source

Rows of an article (article_entities, mentions, events) are replaced as a whole when a newer extractor
version arrives, and deleted with the article (ON DELETE CASCADE). Entities are never deleted by the
store. Offsets are named `start_offset`/`end_offset` because END is a reserved word in SQL.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from services.common.database import metadata
from services.contracts.models import EntityType, PloverType

# The poller's tables are part of the database the store migrates (imported for their declaration).
from services.ingest.poll import tables as _poll_tables  # noqa: F401


def _in(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


ENTITY_TYPES: Final = [t.value for t in EntityType]
EVENT_TYPES: Final = [t.value for t in PloverType]

articles = Table(
    "articles",
    metadata,
    Column("article_id", Text, primary_key=True),
    Column("external_id", Text),
    Column("source", Text, nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("lang", Text),
    Column("dateline", Text),
    Column("published_at", DateTime(timezone=True)),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
    Column("extractor_version", Text, nullable=False),
    Column("extractor_version_key", ARRAY(Integer), nullable=False),
    Column("stored_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index(None, "published_at"),
    Index(None, "source", "published_at"),
    Index(None, "ingested_at", "article_id"),  # `newswire replay` reads pages in this order
)

entities = Table(
    "entities",
    metadata,
    Column("entity_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", Text, nullable=False),
    Column("kb_id", Text),
    Column("lat", Double),
    Column("lon", Double),
    Column("first_seen", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # When an article naming the entity was last stored, to the minute (bulk.merge_entities says why).
    Column("last_seen", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(_in("type", ENTITY_TYPES), name="type"),
    Index(None, "type", "name"),
    Index(None, "kb_id"),
)

article_entities = Table(
    "article_entities",
    metadata,
    Column("article_id", Text, ForeignKey("articles.article_id", ondelete="CASCADE"), nullable=False),
    Column("entity_id", Text, ForeignKey("entities.entity_id"), nullable=False),
    Column("mention_count", Integer, nullable=False),
    PrimaryKeyConstraint("article_id", "entity_id"),
    CheckConstraint("mention_count >= 0", name="mention_count"),
    Index(None, "entity_id"),
)

mentions = Table(
    "mentions",
    metadata,
    Column("article_id", Text, ForeignKey("articles.article_id", ondelete="CASCADE"), nullable=False),
    Column("entity_id", Text, ForeignKey("entities.entity_id"), nullable=False),
    Column("start_offset", Integer, nullable=False),
    Column("end_offset", Integer, nullable=False),
    Column("text", Text, nullable=False),
    # The natural key: the primary key makes "the same mention twice" impossible.
    PrimaryKeyConstraint("article_id", "entity_id", "start_offset", "end_offset"),
    CheckConstraint("start_offset >= 0 AND end_offset >= start_offset", name="span"),
    Index(None, "entity_id", "article_id"),
)

events = Table(
    "events",
    metadata,
    Column("event_id", Text, primary_key=True),
    Column(
        "article_id", Text, ForeignKey("articles.article_id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("type", Text, nullable=False),
    Column("actor_id", Text, ForeignKey("entities.entity_id"), index=True),
    Column("target_id", Text, ForeignKey("entities.entity_id"), index=True),
    Column("location_id", Text, ForeignKey("entities.entity_id"), index=True),
    Column("event_date", Date),
    Column("trigger_text", Text, nullable=False),
    Column("trigger_start", Integer, nullable=False),
    Column("trigger_end", Integer, nullable=False),
    Column("sentence_start", Integer, nullable=False),
    Column("sentence_end", Integer, nullable=False),
    Column("attributes", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("negated", Boolean, nullable=False),
    Column("hypothetical", Boolean, nullable=False),
    Column("confidence", Double, nullable=False),
    # Copied from the article so "events by date" needs no join when event_date is unknown.
    Column("published_at", DateTime(timezone=True)),
    CheckConstraint(_in("type", EVENT_TYPES), name="type"),
    CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence"),
    CheckConstraint("trigger_start >= 0 AND trigger_end >= trigger_start", name="trigger_span"),
    CheckConstraint("sentence_start >= 0 AND sentence_end >= sentence_start", name="sentence_span"),
    Index(None, "event_date"),
    Index(None, "type", "event_date"),
    Index(None, "type", "published_at"),
)

TABLES: Final = (articles, entities, article_entities, mentions, events)
"""In foreign-key order (parents first)."""
