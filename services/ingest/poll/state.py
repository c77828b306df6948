"""Each source's memory, in Postgres (tables `poll_sources` and `poll_items`, services/store/schema.py):
the validators for the next conditional GET, when it last succeeded, its consecutive failures, when to
poll it next, and which item keys it has already published or refused.

A poll records its items only after Kafka acknowledged them, in one transaction with the new
validators: a crash in between re-fetches the feed without validators and re-publishes those items
under the same article ids, which the store writes over (nothing lost, nothing doubled).

Everything here blocks: call it from a worker thread. Raises sqlalchemy.exc.SQLAlchemyError when the
database cannot be reached or refuses a statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects.postgresql import insert

from services.common import database
from services.ingest.poll.fetch import Validators
from services.ingest.poll.sources import Source
from services.ingest.poll.tables import poll_items, poll_sources

APPLICATION_NAME = "newswire-poll"


@dataclass(frozen=True, slots=True)
class SourceState:
    source: str
    validators: Validators
    last_success_at: datetime | None
    consecutive_failures: int
    next_poll_at: datetime | None


@dataclass(frozen=True, slots=True)
class SeenItem:
    """An item handled by a poll: published as `article_id`, or refused for `refused_reason`."""

    key: str
    article_id: str | None = None
    refused_reason: str | None = None


def make_engine(database_url: str) -> Engine:
    """A small pooled engine (one poll at a time per source); opens no connection until first used."""
    return database.make_engine(
        database_url, application_name=APPLICATION_NAME, pool_size=2, max_overflow=4, connect_timeout_s=5
    )


class PollState:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def load(self, source: Source) -> SourceState:
        """The source's state, created on its first poll. A source whose URL changed in the sources file
        keeps its seen items but drops the old URL's validators."""
        with self._engine.begin() as conn:
            conn.execute(
                insert(poll_sources)
                .values(source=source.source, url=source.url)
                .on_conflict_do_nothing(index_elements=["source"])
            )
            conn.execute(
                update(poll_sources)
                .where(poll_sources.c.source == source.source, poll_sources.c.url != source.url)
                .values(url=source.url, etag=None, last_modified=None)
            )
            row = conn.execute(select(poll_sources).where(poll_sources.c.source == source.source)).one()
        return SourceState(
            source=row.source,
            validators=Validators(row.etag, row.last_modified),
            last_success_at=row.last_success_at,
            consecutive_failures=row.consecutive_failures,
            next_poll_at=row.next_poll_at,
        )

    def unseen(self, source: str, keys: Sequence[str]) -> set[str]:
        """The keys among `keys` this source has not handled yet."""
        if not keys:
            return set()
        with self._engine.connect() as conn:
            seen = set(
                conn.execute(
                    select(poll_items.c.item_key).where(
                        poll_items.c.source == source, poll_items.c.item_key.in_(set(keys))
                    )
                ).scalars()
            )
        return set(keys) - seen

    def record_success(
        self,
        source: str,
        *,
        items: Iterable[SeenItem],
        validators: Validators,
        outcome: str,
        polled_at: datetime,
        next_poll_at: datetime,
    ) -> None:
        """In one transaction: the items handled, the validators for the next GET, failures reset."""
        rows = [
            {
                "source": source,
                "item_key": i.key,
                "article_id": i.article_id,
                "refused_reason": i.refused_reason,
            }
            for i in items
        ]
        with self._engine.begin() as conn:
            if rows:
                conn.execute(insert(poll_items).values(rows).on_conflict_do_nothing())
            conn.execute(
                update(poll_sources)
                .where(poll_sources.c.source == source)
                .values(
                    etag=validators.etag,
                    last_modified=validators.last_modified,
                    last_polled_at=polled_at,
                    last_success_at=polled_at,
                    last_outcome=outcome,
                    consecutive_failures=0,
                    next_poll_at=next_poll_at,
                )
            )

    def record_failure(
        self, source: str, *, outcome: str, failures: int, polled_at: datetime, next_poll_at: datetime
    ) -> None:
        """The failed poll's outcome and the backoff's next poll; validators and items stay as they were."""
        with self._engine.begin() as conn:
            conn.execute(
                update(poll_sources)
                .where(poll_sources.c.source == source)
                .values(
                    last_polled_at=polled_at,
                    last_outcome=outcome,
                    consecutive_failures=failures,
                    next_poll_at=next_poll_at,
                )
            )

    def forget_items_before(self, cutoff: datetime) -> int:
        """Drop item keys first seen before `cutoff`; returns how many. An item still listed after that
        is published again under its old article id, which the store writes over."""
        with self._engine.begin() as conn:
            result = conn.execute(delete(poll_items).where(poll_items.c.first_seen_at < cutoff))
        return result.rowcount

    def ping(self) -> None:
        """Raises SQLAlchemyError unless a connection answers."""
        with self._engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")


def retention_cutoff(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
