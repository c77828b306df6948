"""Initial schema: articles, entities, article_entities, mentions, events.

Revision ID: 0001
Revises:
Create Date: 2026-11-21

Written by hand; every name is wrapped in op.f() so the metadata's naming convention is not applied on
top of it. It must stay equal to `services/store/schema.py` as of this revision (a test compares
the migrated database with the metadata). Later changes go in new revisions, never here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ENTITY_TYPES = "'PER', 'ORG', 'LOC', 'MISC'"
_EVENT_TYPES = (
    "'AGREE', 'CONSULT', 'SUPPORT', 'CONCEDE', 'COOPERATE', 'AID', 'RETREAT', 'REQUEST', "
    "'ACCUSE', 'REJECT', 'THREATEN', 'PROTEST', 'SANCTION', 'MOBILIZE', 'COERCE', 'ASSAULT'"
)


def _tstz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sa.Text(), nullable=True),
        sa.Column("dateline", sa.Text(), nullable=True),
        sa.Column("published_at", _tstz(), nullable=True),
        sa.Column("ingested_at", _tstz(), nullable=False),
        sa.Column("extractor_version", sa.Text(), nullable=False),
        sa.Column("extractor_version_key", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("stored_at", _tstz(), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", _tstz(), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_articles")),
    )
    op.create_index(op.f("ix_articles_published_at"), "articles", ["published_at"])
    op.create_index(op.f("ix_articles_source_published_at"), "articles", ["source", "published_at"])

    op.create_table(
        "entities",
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("kb_id", sa.Text(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("first_seen", _tstz(), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_seen", _tstz(), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", name=op.f("pk_entities")),
        sa.CheckConstraint(f"type IN ({_ENTITY_TYPES})", name=op.f("ck_entities_type")),
    )
    op.create_index(op.f("ix_entities_type_name"), "entities", ["type", "name"])
    op.create_index(op.f("ix_entities_kb_id"), "entities", ["kb_id"])

    op.create_table(
        "article_entities",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("mention_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "entity_id", name=op.f("pk_article_entities")),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.article_id"],
            name=op.f("fk_article_entities_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.entity_id"], name=op.f("fk_article_entities_entity_id_entities")
        ),
        sa.CheckConstraint("mention_count >= 0", name=op.f("ck_article_entities_mention_count")),
    )
    op.create_index(op.f("ix_article_entities_entity_id"), "article_entities", ["entity_id"])

    op.create_table(
        "mentions",
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "article_id", "entity_id", "start_offset", "end_offset", name=op.f("pk_mentions")
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.article_id"],
            name=op.f("fk_mentions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"], ["entities.entity_id"], name=op.f("fk_mentions_entity_id_entities")
        ),
        sa.CheckConstraint("start_offset >= 0 AND end_offset >= start_offset", name=op.f("ck_mentions_span")),
    )
    op.create_index(op.f("ix_mentions_entity_id_article_id"), "mentions", ["entity_id", "article_id"])

    op.create_table(
        "events",
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Text(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Text(), nullable=True),
        sa.Column("target_id", sa.Text(), nullable=True),
        sa.Column("location_id", sa.Text(), nullable=True),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("trigger_text", sa.Text(), nullable=False),
        sa.Column("trigger_start", sa.Integer(), nullable=False),
        sa.Column("trigger_end", sa.Integer(), nullable=False),
        sa.Column("sentence_start", sa.Integer(), nullable=False),
        sa.Column("sentence_end", sa.Integer(), nullable=False),
        sa.Column(
            "attributes",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("negated", sa.Boolean(), nullable=False),
        sa.Column("hypothetical", sa.Boolean(), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("published_at", _tstz(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_events")),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.article_id"],
            name=op.f("fk_events_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["entities.entity_id"], name=op.f("fk_events_actor_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["target_id"], ["entities.entity_id"], name=op.f("fk_events_target_id_entities")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["entities.entity_id"], name=op.f("fk_events_location_id_entities")
        ),
        sa.CheckConstraint(f"type IN ({_EVENT_TYPES})", name=op.f("ck_events_type")),
        sa.CheckConstraint("confidence >= 0 AND confidence <= 1", name=op.f("ck_events_confidence")),
        sa.CheckConstraint(
            "trigger_start >= 0 AND trigger_end >= trigger_start", name=op.f("ck_events_trigger_span")
        ),
        sa.CheckConstraint(
            "sentence_start >= 0 AND sentence_end >= sentence_start", name=op.f("ck_events_sentence_span")
        ),
    )
    op.create_index(op.f("ix_events_article_id"), "events", ["article_id"])
    op.create_index(op.f("ix_events_actor_id"), "events", ["actor_id"])
    op.create_index(op.f("ix_events_target_id"), "events", ["target_id"])
    op.create_index(op.f("ix_events_location_id"), "events", ["location_id"])
    op.create_index(op.f("ix_events_event_date"), "events", ["event_date"])
    op.create_index(op.f("ix_events_type_event_date"), "events", ["type", "event_date"])
    op.create_index(op.f("ix_events_type_published_at"), "events", ["type", "published_at"])


def downgrade() -> None:
    for table in ("events", "mentions", "article_entities", "entities", "articles"):
        op.drop_table(table)
