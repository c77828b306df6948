"""`newswire summary`: a short human account of what the store holds in Postgres.

`fetch_summary(engine)` runs the queries and returns a `Summary` (plain values, reusable in tests);
`format_summary(summary)` renders it (pure); `main` wires both to the command line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from dataclasses import dataclass

from sqlalchemy import Column, ColumnElement, Connection, Engine, Table, desc, func, nulls_last, select
from sqlalchemy import exc as sa_exc

from services.common.database import normalise_database_url, redact_url
from services.ingest.poll.tables import poll_items, poll_sources
from services.store.db import make_engine
from services.store.schema import article_entities, articles, entities, events, mentions
from services.store.settings import StoreSettings


@dataclass(frozen=True)
class EntityCount:
    entity_id: str
    name: str
    type: str
    articles: int


@dataclass(frozen=True)
class Headline:
    article_id: str
    published_at: dt.datetime | None
    title: str | None


@dataclass(frozen=True)
class FeedState:
    """What `newswire poll` last did with a source (table poll_sources)."""

    source: str
    last_outcome: str | None
    last_success_at: dt.datetime | None
    consecutive_failures: int
    items: int


@dataclass(frozen=True)
class Summary:
    """Counts of what is stored. `*_by_type` and `articles_by_source` are (name, count) pairs, most
    frequent first; `feeds` are the poller's sources, by name."""

    articles: int
    entities: int
    mentions: int
    events: int
    entities_by_type: tuple[tuple[str, int], ...]
    events_by_type: tuple[tuple[str, int], ...]
    top_entities: tuple[EntityCount, ...]
    latest_articles: tuple[Headline, ...]
    articles_by_source: tuple[tuple[str, int], ...] = ()
    feeds: tuple[FeedState, ...] = ()


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _by_type(
    conn: Connection, column: Column[str], *where: ColumnElement[bool]
) -> tuple[tuple[str, int], ...]:
    n = func.count().label("n")
    stmt = select(column, n).where(*where).group_by(column).order_by(desc(n), column)
    return tuple((str(kind), int(total)) for kind, total in conn.execute(stmt))


def fetch_summary(engine: Engine, *, top: int = 10, latest: int = 5) -> Summary:
    """Query the counts in one read-only transaction (a consistent snapshot). Blocks; raises
    SQLAlchemy errors unchanged (OperationalError when unreachable, ProgrammingError before migration)."""
    with engine.connect() as conn:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")

        # The entities table keeps every id ever seen; count those a stored article mentions today (a newer
        # extractor version may have dropped some).
        linked = entities.c.entity_id.in_(select(article_entities.c.entity_id))
        n_articles = func.count(article_entities.c.article_id).label("n_articles")
        top_stmt = (
            select(entities.c.entity_id, entities.c.name, entities.c.type, n_articles)
            .join(article_entities, article_entities.c.entity_id == entities.c.entity_id)
            .group_by(entities.c.entity_id)
            .order_by(desc(n_articles), entities.c.name, entities.c.entity_id)
            .limit(top)
        )
        latest_stmt = (
            select(articles.c.article_id, articles.c.published_at, articles.c.title)
            .order_by(
                nulls_last(desc(articles.c.published_at)), desc(articles.c.stored_at), articles.c.article_id
            )
            .limit(latest)
        )
        items = (
            select(poll_items.c.source, func.count().label("n"))
            .where(poll_items.c.article_id.is_not(None))
            .group_by(poll_items.c.source)
            .subquery()
        )
        feeds_stmt = (
            select(poll_sources, func.coalesce(items.c.n, 0).label("n"))
            .outerjoin(items, items.c.source == poll_sources.c.source)
            .order_by(poll_sources.c.source)
        )
        return Summary(
            articles=_count(conn, articles),
            entities=int(conn.execute(select(func.count()).select_from(entities).where(linked)).scalar_one()),
            mentions=_count(conn, mentions),
            events=_count(conn, events),
            entities_by_type=_by_type(conn, entities.c.type, linked),
            events_by_type=_by_type(conn, events.c.type),
            top_entities=tuple(
                EntityCount(
                    entity_id=row.entity_id, name=row.name, type=row.type, articles=int(row.n_articles)
                )
                for row in conn.execute(top_stmt)
            ),
            latest_articles=tuple(
                Headline(article_id=row.article_id, published_at=row.published_at, title=row.title)
                for row in conn.execute(latest_stmt)
            ),
            articles_by_source=_by_type(conn, articles.c.source),
            feeds=tuple(
                FeedState(row.source, row.last_outcome, row.last_success_at, row.consecutive_failures, row.n)
                for row in conn.execute(feeds_stmt)
            ),
        )


def _counts_line(pairs: tuple[tuple[str, int], ...]) -> str:
    return ", ".join(f"{kind} {total}" for kind, total in pairs) if pairs else "none"


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_summary(summary: Summary, *, title_width: int = 80) -> str:
    """The summary as a few lines of text (no trailing newline)."""
    by_source = f" ({_counts_line(summary.articles_by_source)})" if summary.articles_by_source else ""
    lines = [
        f"articles: {summary.articles}{by_source}",
        f"entities: {summary.entities} ({_counts_line(summary.entities_by_type)})",
        f"mentions: {summary.mentions}",
        f"events:   {summary.events} ({_counts_line(summary.events_by_type)})",
        "",
        "top entities by number of articles:",
    ]
    if not summary.top_entities:
        lines.append("  (none)")
    width = max((len(str(e.articles)) for e in summary.top_entities), default=1)
    lines += [f"  {e.articles:>{width}}  {e.name} [{e.type}] {e.entity_id}" for e in summary.top_entities]
    lines += ["", "latest articles:"]
    if not summary.latest_articles:
        lines.append("  (none)")
    for headline in summary.latest_articles:
        when = headline.published_at.strftime("%Y-%m-%d %H:%M") if headline.published_at else "(undated)"
        title = _shorten(headline.title or f"(untitled: {headline.article_id})", title_width)
        lines.append(f"  {when:<16}  {title}")
    if summary.feeds:
        lines += ["", "feeds polled (newswire poll):"]
        width = max(len(feed.source) for feed in summary.feeds)
        for feed in summary.feeds:
            success = feed.last_success_at.strftime("%Y-%m-%d %H:%M:%S") if feed.last_success_at else "never"
            outcome = feed.last_outcome or "none yet"
            lines.append(
                f"  {feed.source:<{width}}  last poll {outcome}, last success {success}, "
                f"{feed.consecutive_failures} failures in a row, {feed.items} items published"
            )
    return "\n".join(lines)


def wait_for_articles(
    engine: Engine,
    wanted: int,
    timeout_s: float,
    since: dt.datetime | None = None,
    sources: tuple[str, ...] = (),
) -> bool:
    """Poll until at least `wanted` articles are stored (written or rewritten at or after `since`, when
    given, so a re-run waits for its own delivery; of `sources` only, when given); False when
    `timeout_s` passed first."""
    deadline = time.monotonic() + timeout_s
    query = select(func.count()).select_from(articles)
    if since is not None:
        query = query.where(articles.c.updated_at >= since)
    if sources:
        query = query.where(articles.c.source.in_(sources))
    while True:
        with engine.connect() as conn:
            if int(conn.execute(query).scalar_one()) >= wanted:
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)


def main(argv: list[str] | None = None) -> int:
    """`newswire summary [--url URL]`. Exit status: 0 printed, 1 database unreachable or not migrated."""
    parser = argparse.ArgumentParser(prog="newswire summary", description=__doc__)
    parser.add_argument("--url", help="database URL (default: DATABASE_URL)")
    parser.add_argument("--top", type=int, default=10, help="how many entities to list (default 10)")
    parser.add_argument("--latest", type=int, default=5, help="how many articles to list (default 5)")
    parser.add_argument(
        "--wait-articles", type=int, default=0, metavar="N", help="first wait until N articles are stored"
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds --wait-articles waits at most")
    parser.add_argument(
        "--since",
        type=dt.datetime.fromisoformat,
        help="with --wait-articles: count only articles written at or after this ISO 8601 time",
    )
    parser.add_argument(
        "--source",
        action="append",
        default=[],
        help="with --wait-articles: count only articles of this source (repeatable)",
    )
    args = parser.parse_args(argv)
    settings = StoreSettings(database_url=normalise_database_url(args.url)) if args.url else StoreSettings()
    engine = make_engine(settings, application_name="newswire-summary")
    try:
        if not wait_for_articles(engine, args.wait_articles, args.timeout, args.since, tuple(args.source)):
            print(
                f"newswire summary: fewer than {args.wait_articles} articles after {args.timeout}s",
                file=sys.stderr,
            )
            return 1
        summary = fetch_summary(engine, top=args.top, latest=args.latest)
    except sa_exc.OperationalError as exc:
        print(
            f"newswire summary: cannot reach {redact_url(settings.database_url)}: {exc.orig}", file=sys.stderr
        )
        return 1
    except sa_exc.ProgrammingError as exc:
        print(
            f"newswire summary: {exc.orig}\n(is the schema migrated? run `newswire db upgrade`)",
            file=sys.stderr,
        )
        return 1
    finally:
        engine.dispose()
    print(format_summary(summary))
    return 0
