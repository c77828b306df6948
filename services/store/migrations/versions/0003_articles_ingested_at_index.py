"""An index on articles (ingested_at, article_id): the order `newswire replay` reads its pages in, so each
page is an index range scan instead of a scan of every article.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07

Written by hand like 0001; equal to `services/store/schema.py` as of this revision (a test compares the
migrated database with the metadata).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_articles_ingested_at_article_id"), "articles", ["ingested_at", "article_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_articles_ingested_at_article_id"), table_name="articles")
