"""Writes batches of enriched articles to Postgres, one transaction per batch, idempotently.

The contract with the caller (the store worker):

* `BatchWriter.write_batch(articles)` blocks (run it in a thread from an event loop) until the batch's
  transaction has committed, then returns a `WriteResult`; only then may the caller commit the Kafka
  offsets of those articles.
* It raises `TransientStoreError` when the database is unreachable or gave up on the transaction
  (connection lost, serialization failure, deadlock, lock or statement timeout): nothing was committed,
  and the caller retries the same batch after a backoff. Retrying is safe: writes are idempotent.
* It raises `PoisonBatchError` when the data is refused (a DataError such as a NUL byte in a text, an
  IntegrityError, an article whose rows cannot be built): nothing was committed, and retrying the same
  batch would fail again. The caller then calls `write_batch([article])` for each article to find the
  bad one(s), which raise PoisonBatchError on their own, and dead-letters them.
* `write_batch` = `prepare_batch` (rows, pure CPU) then `write_prepared` (the transaction), for a caller
  that builds the next batch's rows while the previous transaction runs; `prepare_batch` raises the
  PoisonBatchError of an article whose rows cannot be built.
* Anything else (a missing table because migrations were not run, a bug) propagates unchanged.

What one batch does. Without the database (`prepare_batch`):

1. Keep one copy per article_id (the highest extractor version, the last copy on ties); build its rows.

In one transaction (`write_prepared`):

2. Upsert the article rows, sorted by id; a stored row is overwritten only when the incoming version key
   is >= the stored one (`ON CONFLICT ... DO UPDATE ... WHERE`); RETURNING says which were accepted,
   and which of those replaced a stored row. The others are stale: skipped, with all their rows.
3. For the accepted articles: delete the article_entities, mentions and events of those that replaced
   a stored row; merge their entities (deduplicated across the batch and sorted by id: new ones are
   inserted, known ones updated only when their attributes changed or their `last_seen` is over a
   minute old, so concurrent writers do not queue on popular entities, and lock them in id order
   when they do, so they cannot deadlock); insert the new article_entities, mentions and events.

So re-delivery rewrites the same rows (no duplicates), a newer extractor version replaces an article's
entities and events atomically, and an older one never overwrites a newer one.

Rows travel by COPY (`bulk.py`): into staging tables merged with one INSERT ... ON CONFLICT per batch
for articles and entities, straight into the tables for the child rows. The writer records the write
duration, rows and articles metrics; the caller records failures and end-to-end latency from
`WriteResult.committed_at`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine
from sqlalchemy import exc as sa_exc

from services.contracts.models import EnrichedArticle
from services.contracts.plain import PlainDict
from services.store import bulk, metrics
from services.store.errors import (
    InvalidArticleError,
    PoisonBatchError,
    StoreWriteError,
    TransientStoreError,
    classify_sqlstate,
    write_error,
)
from services.store.rows import ArticleRows, article_rows, merged_entity_rows
from services.store.schema import article_entities, events, mentions
from services.store.versions import newest_per_article

log = logging.getLogger(__name__)

_CHILD_TABLES = (article_entities, mentions, events)


@dataclass(frozen=True)
class RowCounts:
    """Rows inserted or upserted per table by one committed batch."""

    articles: int = 0
    entities: int = 0
    article_entities: int = 0
    mentions: int = 0
    events: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class WriteResult:
    """What a committed batch did.

    `articles_in` = `articles_written` + `articles_skipped_stale` + `articles_superseded_in_batch`:
    written are new or replaced articles; skipped-stale ones lost against a newer stored version;
    superseded ones were older (or equal and earlier) copies of an article later in the same batch.
    `committed_at` is the time just after the commit, for end-to-end latency.
    """

    articles_in: int
    articles_written: int
    articles_skipped_stale: int
    articles_superseded_in_batch: int
    rows_written: RowCounts
    written_ids: tuple[str, ...]
    skipped_stale_ids: tuple[str, ...]
    committed_at: dt.datetime


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class PreparedBatch:
    """A batch turned into rows, ready for its transaction (`prepare_batch`)."""

    articles_in: int
    article_ids: tuple[str, ...]
    rows: tuple[ArticleRows, ...]  # the newest copy of each article, sorted by id
    superseded: int


def prepare_batch(articles_in: Sequence[PlainDict]) -> PreparedBatch:
    """The rows of a batch of enriched articles as plain dicts (pure CPU work, no database): one copy
    per article, sorted by id.

    Split from the write so a caller can build the next batch's rows while the previous transaction
    runs. Raises PoisonBatchError when an article's rows cannot be built.
    """
    ids = tuple(article["article_id"] for article in articles_in)
    try:
        newest = newest_per_article(articles_in)
        rows = sorted((article_rows(article) for article in newest.articles), key=lambda r: r.article_id)
    except InvalidArticleError as exc:
        raise PoisonBatchError(str(exc), reason="invalid_article", article_ids=ids) from exc
    return PreparedBatch(len(articles_in), ids, tuple(rows), newest.superseded)


class BatchWriter:
    """Writes batches of enriched articles through `engine` (see the module docstring for the contract).

    Thread-safe as far as the engine's pool is: each call checks out its own connection.
    """

    def __init__(self, engine: Engine, *, clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def write_batch(self, articles_in: Sequence[EnrichedArticle]) -> WriteResult:
        """Write `articles_in` in one transaction; blocks until it commits. (The store worker decodes
        messages into plain dicts and calls `prepare_batch` and `write_prepared` itself.)

        Raises TransientStoreError (retry the batch) or PoisonBatchError (write articles one by one).
        """
        return self.write_prepared(prepare_batch([article.model_dump() for article in articles_in]))

    def write_prepared(self, batch: PreparedBatch) -> WriteResult:
        """`write_batch` of a batch already turned into rows."""
        if not batch.articles_in:
            return WriteResult(0, 0, 0, 0, RowCounts(), (), (), self._clock())
        started = time.perf_counter()
        try:
            with self._engine.begin() as conn, _driver(conn).cursor() as cur:
                accepted, replaced = bulk.merge_articles(cur, [rows.article for rows in batch.rows])
                kept = [rows for rows in batch.rows if rows.article_id in accepted]
                counts = _replace_article_rows(cur, kept, replaced)
        except (sa_exc.SQLAlchemyError, psycopg.Error) as exc:
            translated = _translate(exc, batch.article_ids)
            if translated is None:
                raise
            raise translated from exc
        committed_at = self._clock()
        duration = time.perf_counter() - started

        result = WriteResult(
            articles_in=batch.articles_in,
            articles_written=len(kept),
            articles_skipped_stale=len(batch.rows) - len(kept),
            articles_superseded_in_batch=batch.superseded,
            rows_written=counts,
            written_ids=tuple(rows.article_id for rows in kept),
            skipped_stale_ids=tuple(
                rows.article_id for rows in batch.rows if rows.article_id not in accepted
            ),
            committed_at=committed_at,
        )
        _observe(result, duration)
        log.debug("batch committed in %.3fs: %s", duration, result)
        return result


def _driver(conn: Connection) -> psycopg.Connection[Any]:
    """The psycopg connection under `conn` (COPY has no SQLAlchemy API); same transaction."""
    driver = conn.connection.driver_connection
    if not isinstance(driver, psycopg.Connection):
        raise TypeError(f"the store needs the psycopg driver, not {type(driver).__name__}")
    return driver


def _replace_article_rows(
    cur: psycopg.Cursor[Any], kept: Sequence[ArticleRows], replaced: set[str]
) -> RowCounts:
    """Delete the child rows of the replaced articles, upsert the entities, insert the new child rows."""
    if not kept:
        return RowCounts()
    bulk.delete_children(cur, _CHILD_TABLES, sorted(replaced))
    entity_rows = merged_entity_rows(kept)
    bulk.merge_entities(cur, entity_rows)
    link_rows = [row for rows in kept for row in rows.article_entities]
    mention_rows = [row for rows in kept for row in rows.mentions]
    event_rows = [row for rows in kept for row in rows.events]
    bulk.insert_children(cur, article_entities, link_rows)
    bulk.insert_children(cur, mentions, mention_rows)
    bulk.insert_children(cur, events, event_rows)
    return RowCounts(
        articles=len(kept),
        entities=len(entity_rows),
        article_entities=len(link_rows),
        mentions=len(mention_rows),
        events=len(event_rows),
    )


def _translate(
    exc: sa_exc.SQLAlchemyError | psycopg.Error, article_ids: Sequence[str]
) -> StoreWriteError | None:
    """The store error a SQLAlchemy or psycopg error stands for, or None when it must propagate as is."""
    if isinstance(exc, psycopg.Error):  # raised by the COPY statements, which bypass SQLAlchemy
        return _translate_driver(exc, article_ids)
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection became free in time
        return TransientStoreError(str(exc), reason="resources", article_ids=article_ids)
    if not isinstance(exc, sa_exc.StatementError):
        return None
    if not isinstance(exc, sa_exc.DBAPIError):
        # Raised while binding parameters, before the database saw anything: the data cannot be sent.
        return PoisonBatchError(str(exc), reason="data", article_ids=article_ids)
    reason = classify_sqlstate(getattr(exc.orig, "sqlstate", None))
    if reason is None:
        # Errors raised by the driver itself carry no SQLSTATE (refused connection, NUL byte in a text).
        if exc.connection_invalidated or isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
            reason = "connection"
        elif isinstance(exc, sa_exc.DataError):
            reason = "data"
        elif isinstance(exc, sa_exc.IntegrityError):
            reason = "integrity"
    if reason is None:
        return None
    return write_error(reason, str(exc.orig) if exc.orig is not None else str(exc), article_ids)


def _translate_driver(exc: psycopg.Error, article_ids: Sequence[str]) -> StoreWriteError | None:
    reason = classify_sqlstate(exc.sqlstate)
    if reason is None:
        # Errors raised by psycopg itself carry no SQLSTATE (connection lost, NUL byte in a text).
        if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
            reason = "connection"
        elif isinstance(exc, psycopg.DataError):
            reason = "data"
        elif isinstance(exc, psycopg.IntegrityError):
            reason = "integrity"
    return None if reason is None else write_error(reason, str(exc), article_ids)


def _observe(result: WriteResult, duration_s: float) -> None:
    metrics.WRITE_DURATION.observe(duration_s)
    metrics.ARTICLES_WRITTEN.inc(result.articles_written)
    metrics.ARTICLES_SKIPPED_STALE.inc(result.articles_skipped_stale + result.articles_superseded_in_batch)
    counts: Mapping[str, int] = result.rows_written.as_dict()
    for table, count in counts.items():
        if count:
            metrics.ROWS_WRITTEN.labels(table=table).inc(count)
