"""The poller's memory in PostgreSQL, as SQLAlchemy Core tables: one row per configured feed source
(`poll_sources`), and the feed items it has handled (`poll_items`), so a restart neither re-publishes nor
misses items. Written by `newswire poll` only (state.py).

They live in the store's database and are created by the store's migrations (0002), which cover every
table declared on `services.common.database.metadata`; change both together.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)

from services.common.database import metadata

poll_sources = Table(
    "poll_sources",
    metadata,
    Column("source", Text, primary_key=True),
    Column("url", Text, nullable=False),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_polled_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("last_outcome", Text),
    Column("consecutive_failures", Integer, nullable=False, server_default=text("0")),
    Column("next_poll_at", DateTime(timezone=True)),
    CheckConstraint("consecutive_failures >= 0", name="failures"),
)

poll_items = Table(
    "poll_items",
    metadata,
    Column("source", Text, ForeignKey("poll_sources.source", ondelete="CASCADE"), nullable=False),
    Column("item_key", Text, nullable=False),
    Column("article_id", Text),
    Column("refused_reason", Text),
    Column("first_seen_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("source", "item_key"),
    Index(None, "first_seen_at"),
)
