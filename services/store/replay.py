"""`newswire replay`: re-publish stored articles' raw form to the raw topic, so the extractor now running
re-enriches them.

    newswire replay --since ISO8601 [--until ISO8601] [--source S ...] [--batch N] [--dry-run]

What it does. It reads the `articles` rows ingested in [since, until) (until: by default the moment the
command starts, so a replay ends even while ingest keeps storing articles), of the given sources if any,
in pages of `--batch` rows ordered by (ingested_at, article_id), and publishes each page to the raw topic
with ingest's own publisher (`services.ingest.publisher.KafkaPublisher`: keyed by article_id, schema and
`ingested_at` headers, idempotent, acks=all), waiting for the broker's acknowledgement of a page before
reading the next. It prints how many articles it re-published, then one JSON summary line.

Why the store owns it. Its input is the store's table and its rules: which columns hold an article's raw
form (exactly the RawArticle contract's fields, the inverse of `rows.article_row`), and the version rule
(`versions.py`) that turns a re-published article into an overwrite instead of a second copy. What it
sends goes through ingest's publisher, so the raw topic still has one producer code path.

Why from Postgres and not from the raw topic. Nothing in newswire sets the raw topic's retention:
`newswire topics ensure` sets only `max.message.bytes` and `min.insync.replicas`, so the broker's default
applies (`log.retention.hours=168`: a week). Postgres keeps every stored article (nothing deletes
`articles` rows), so replay from Postgres reaches any date; reading the raw topic from a timestamp would
reach a week back at most. The one thing only the raw topic has is the articles extract dead-lettered
(never stored): those are replayed from the dead-letter topic or re-posted, not by this command.

What it guarantees.
* No duplicates: each article keeps its stored `article_id` (never recomputed), and the store keeps one
  row per article with the highest extractor version; an equal version is rewritten (its entities and
  events replaced atomically), an older one is skipped. Event ids are derived from the article id, so a
  re-extraction gives the same ids where it finds the same events.
* Downstream topics get the re-enriched article and its events with the extractor's current version;
  deploy the new extract workers before replaying, since an old worker still running would publish the
  old version downstream (the store would still refuse to let it overwrite the new one).
* Running it again is harmless (the same overwrites), so a replay that stopped is resumed with
  `--since` set to the summary's `last.ingested_at` (the articles at that instant are re-published once
  more).
* Each page is its own short read (keyset pagination: no transaction is held open during a replay, a
  large store is streamed, not loaded), a range of the index on (ingested_at, article_id) (migration
  0003).

What it depends on in Kafka: the replayed messages carry the time they were published as their Kafka
timestamp (the producer's default), so the raw topic's retention counts from the replay, not from the
article's ingestion. The body keeps the article's original `ingested_at` (the stored row does not
change it); the `ingested_at` header, where end-to-end latency starts, is the time the page was sent, so
the latency histogram and its alert measure the replay's own delay, not the article's age.

Exit status: 0 every selected article was re-published (or counted, with --dry-run); 1 some article is
larger than the raw topic accepts (named on stderr, the others are published), Kafka did not acknowledge
a page, or the database is unreachable or not migrated (what was done is in the summary); 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from sqlalchemy import Engine, Select, select, tuple_
from sqlalchemy import exc as sa_exc

from services.common.database import redact_url
from services.contracts.models import RawArticle, utc
from services.ingest.errors import BrokerUnavailable, PayloadTooLarge
from services.ingest.outgoing import OutgoingArticle, check_sizes, encode
from services.ingest.publisher import KafkaPublisher
from services.store.db import make_engine
from services.store.schema import articles
from services.store.settings import ReplaySettings

# The raw form is the contract's fields, each a column of `articles`: a field added to RawArticle
# without its column fails here, at import, rather than replaying articles without it.
RAW_COLUMNS: Final = tuple(articles.c[name] for name in RawArticle.model_fields)
_ORDER: Final = (articles.c.ingested_at, articles.c.article_id)

Publish = Callable[[Sequence[OutgoingArticle]], None]


@dataclass(frozen=True)
class Selection:
    """Which stored articles to replay: ingested in [since, until), of `sources` (all when empty)."""

    since: dt.datetime
    until: dt.datetime
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cursor:
    """A position in the replay order (ingested_at, article_id): the last article of a page."""

    ingested_at: dt.datetime
    article_id: str


@dataclass(frozen=True)
class Progress:
    """What a replay did so far: `articles` re-published (counted, in a dry run), the ids of those too
    large for the raw topic, and the last article read."""

    articles: int = 0
    too_large: tuple[str, ...] = ()
    last: Cursor | None = None

    def summary(self, selection: Selection, *, topic: str, dry_run: bool) -> dict[str, Any]:
        """The JSON summary line's content."""
        last = self.last
        return {
            "articles": self.articles,
            "too_large": list(self.too_large),
            "dry_run": dry_run,
            "topic": topic,
            "since": selection.since.isoformat(),
            "until": selection.until.isoformat(),
            "sources": list(selection.sources),
            "last": None
            if last is None
            else {"ingested_at": last.ingested_at.isoformat(), "article_id": last.article_id},
        }


def raw_article(row: Mapping[Any, Any]) -> RawArticle:
    """The RawArticle a stored `articles` row was extracted from (pure): its contract fields as stored,
    the `article_id` included, so the store overwrites the article instead of adding one. Other keys of
    `row` are ignored; timestamps are normalised to UTC (a naive one is taken as UTC)."""
    return RawArticle.model_validate({name: row[name] for name in RawArticle.model_fields})


def fitting(
    outgoing: Sequence[OutgoingArticle], max_message_bytes: int
) -> tuple[list[OutgoingArticle], tuple[str, ...]]:
    """The articles the raw topic accepts, and the ids of the others (pure). Ingest refused such an
    article at intake; one can only be stored when a producer bypassed ingest or the limit was lowered
    since, and it must not stop the replay of the others."""
    kept: list[OutgoingArticle] = []
    refused: list[str] = []
    for item in outgoing:
        try:
            check_sizes([item], max_message_bytes)
        except PayloadTooLarge:
            refused.append(item.article.article_id)
            continue
        kept.append(item)
    return kept, tuple(refused)


def page_query(selection: Selection, after: Cursor | None, limit: int) -> Select[Any]:
    """The next page of the selection after `after` (from the start when None): at most `limit` rows of
    the raw columns, in (ingested_at, article_id) order."""
    query = select(*RAW_COLUMNS).where(
        articles.c.ingested_at >= selection.since, articles.c.ingested_at < selection.until
    )
    if selection.sources:
        query = query.where(articles.c.source.in_(selection.sources))
    if after is not None:
        query = query.where(tuple_(*_ORDER) > tuple_(after.ingested_at, after.article_id))
    return query.order_by(*_ORDER).limit(limit)


def read_pages(engine: Engine, selection: Selection, batch: int) -> Iterator[list[RawArticle]]:
    """The selected articles as RawArticles, in non-empty pages of at most `batch`, in (ingested_at,
    article_id) order: each article exactly once, unless its ingested_at changes during the read (the
    same article posted to ingest again, which re-extracts it anyway).

    Each page is one short query on its own connection, so nothing is held open while the caller
    publishes a page, and the store rewriting a replayed article does not move it (a replay keeps its
    ingested_at). Blocks; raises SQLAlchemy errors unchanged.
    """
    after: Cursor | None = None
    while True:
        with engine.connect() as conn:
            rows = conn.execute(page_query(selection, after, batch)).mappings().all()
        if not rows:
            return
        page = [raw_article(row) for row in rows]
        yield page
        if len(page) < batch:
            return
        after = Cursor(page[-1].ingested_at, page[-1].article_id)


def replay(
    pages: Iterable[Sequence[RawArticle]],
    publish: Publish | None,
    *,
    max_message_bytes: int,
    clock: Callable[[], dt.datetime],
) -> Iterator[Progress]:
    """Publish each page (non-empty, as `read_pages` gives them) with `publish` (None: a dry run, nothing
    is sent) and yield the progress after it. Articles larger than `max_message_bytes` are left out and
    named in the progress. Each page's `ingested_at` header is `clock()` when it is sent (the body keeps
    the article's), so end-to-end latency measures the replay, not the article's age.

    Blocks while `publish` does; raises what it raises (KafkaPublisher: BrokerUnavailable, nothing of the
    page may be assumed durable), the progress yielded before it then being what is known to be done.
    """
    progress = Progress()
    for page in pages:
        sendable, too_large = fitting(encode(page), max_message_bytes)
        if publish is not None:
            entered_at = clock()
            publish([replace(item, entered_at=entered_at) for item in sendable])
        last = page[-1]
        progress = Progress(
            articles=progress.articles + len(sendable),
            too_large=progress.too_large + too_large,
            last=Cursor(last.ingested_at, last.article_id),
        )
        yield progress


@dataclass(frozen=True)
class Request:
    """The command line, parsed."""

    selection: Selection
    batch: int | None
    dry_run: bool


def instant(text: str) -> dt.datetime:
    """An ISO 8601 date or time as an aware UTC datetime (a time without offset is UTC), for argparse."""
    try:
        return utc(dt.datetime.fromisoformat(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date or time: {text!r} ({exc})") from None


def parse(argv: Sequence[str], *, now: dt.datetime) -> Request:
    """The request of `argv`; `--until` defaults to `now`. Exits with status 2 on a usage error."""
    parser = argparse.ArgumentParser(
        prog="newswire replay",
        description="Re-publish stored articles to the raw topic so the running extractor re-enriches them.",
    )
    parser.add_argument("--since", type=instant, required=True, help="first ingestion time (inclusive)")
    parser.add_argument("--until", type=instant, help="last ingestion time (exclusive; default: now)")
    parser.add_argument(
        "--source",
        dest="sources",
        nargs="+",
        action="extend",
        default=[],
        metavar="S",
        help="only these sources",
    )
    parser.add_argument("--batch", type=int, help="articles per page (default NEWSWIRE_REPLAY_BATCH_SIZE)")
    parser.add_argument(
        "--dry-run", action="store_true", help="count what would be re-published; send nothing"
    )
    args = parser.parse_args(argv)
    until: dt.datetime = args.until or now
    if until <= args.since:
        parser.error("--until must be later than --since")
    if args.batch is not None and args.batch < 1:
        parser.error("--batch must be at least 1")
    return Request(Selection(args.since, until, tuple(args.sources)), args.batch, args.dry_run)


def main(argv: list[str] | None = None) -> int:
    """Run the command (see the module docstring); returns the exit status."""
    request = parse(sys.argv[1:] if argv is None else argv, now=dt.datetime.now(dt.UTC))
    settings = ReplaySettings() if request.batch is None else ReplaySettings(batch_size=request.batch)
    engine = make_engine(settings.store, application_name="newswire-replay")
    publisher = None if request.dry_run else KafkaPublisher(settings.publish, client_id="newswire-replay")
    progress = Progress()
    failure: str | None = None
    try:
        pages = read_pages(engine, request.selection, settings.batch_size)
        steps = replay(
            pages,
            None if publisher is None else publisher.publish,
            max_message_bytes=settings.publish.max_message_bytes,
            clock=lambda: dt.datetime.now(dt.UTC),
        )
        for step in steps:
            progress = step
    except BrokerUnavailable as exc:
        failure = f"Kafka did not take a page: {exc.reason}"
    except sa_exc.OperationalError as exc:
        failure = f"cannot read {redact_url(settings.store.database_url)}: {exc.orig}"
    except sa_exc.ProgrammingError as exc:
        failure = f"{exc.orig} (is the schema migrated? run `newswire db upgrade`)"
    finally:
        if publisher is not None:
            publisher.close()
        engine.dispose()
    return _report(request, settings, progress, failure)


def _report(request: Request, settings: ReplaySettings, progress: Progress, failure: str | None) -> int:
    topic = settings.publish.topics.raw
    for article_id in progress.too_large:
        print(
            f"newswire replay: {article_id}: larger than the raw topic accepts, not re-published",
            file=sys.stderr,
        )
    if failure is not None:
        resume = (
            "" if progress.last is None else f"; resume with --since {progress.last.ingested_at.isoformat()}"
        )
        print(f"newswire replay: stopped: {failure}{resume}", file=sys.stderr)
    verb = "would re-publish" if request.dry_run else "re-published"
    print(f"newswire replay: {verb} {progress.articles} articles to {topic}")
    print(json.dumps(progress.summary(request.selection, topic=topic, dry_run=request.dry_run)))
    return 1 if failure is not None or progress.too_large else 0
