"""The feed poller's state: poll_sources and poll_items.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07

Written by hand like 0001 (every name wrapped in op.f()); equal to `services/store/schema.py` as of this
revision (a test compares the migrated database with the metadata).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _tstz() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "poll_sources",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("last_polled_at", _tstz(), nullable=True),
        sa.Column("last_success_at", _tstz(), nullable=True),
        sa.Column("last_outcome", sa.Text(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_poll_at", _tstz(), nullable=True),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_poll_sources")),
        sa.CheckConstraint("consecutive_failures >= 0", name=op.f("ck_poll_sources_failures")),
    )
    op.create_table(
        "poll_items",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("item_key", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Text(), nullable=True),
        sa.Column("refused_reason", sa.Text(), nullable=True),
        sa.Column("first_seen_at", _tstz(), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("source", "item_key", name=op.f("pk_poll_items")),
        sa.ForeignKeyConstraint(
            ["source"],
            ["poll_sources.source"],
            name=op.f("fk_poll_items_source_poll_sources"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_poll_items_first_seen_at"), "poll_items", ["first_seen_at"])


def downgrade() -> None:
    op.drop_table("poll_items")
    op.drop_table("poll_sources")
