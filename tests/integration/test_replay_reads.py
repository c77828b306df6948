"""How `newswire replay` reads the store, against a real PostgreSQL: which articles a selection takes, and
pages that walk them in (ingested_at, article_id) order, each once, ties on ingested_at included.

The module migrates its own database (conftest.create_database) and drops it afterwards; each test
names its own sources, so the tests never select each other's articles.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from services.store.db import make_engine
from services.store.replay import Selection, read_pages
from services.store.settings import StoreSettings
from services.store.writer import BatchWriter
from tests.integration.conftest import create_database, drop_database
from tests.unit.store.factories import INGESTED_AT, ukraine_appeals_to_nato

pytestmark = pytest.mark.postgres

LATER = INGESTED_AT + dt.timedelta(days=30)


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[Engine]:
    url = create_database(database_url)
    engine = make_engine(StoreSettings(database_url=url))
    try:
        yield engine
    finally:
        engine.dispose()
        drop_database(url)


@pytest.fixture
def source() -> str:
    return f"replay-{uuid.uuid4().hex[:10]}"


def store(engine: Engine, source: str, *articles: tuple[str, int]) -> None:
    """Store an article of `source` per (name, minutes after INGESTED_AT); its id is `source:name`."""
    BatchWriter(engine).write_batch(
        [
            ukraine_appeals_to_nato(
                f"{source}:{name}", source=source, ingested_at=INGESTED_AT + dt.timedelta(minutes=minutes)
            )
            for name, minutes in articles
        ]
    )


def pages_of(engine: Engine, selection: Selection, batch: int) -> list[list[str]]:
    return [[article.article_id for article in page] for page in read_pages(engine, selection, batch)]


def test_pages_walk_the_selection_in_ingestion_order_each_article_once(engine: Engine, source: str) -> None:
    # Stored out of order; b, c and d share an instant, and a page boundary falls between them.
    store(engine, source, ("e", 3), ("d", 1), ("a", 0), ("c", 1), ("g", 5), ("b", 1), ("f", 4))

    pages = pages_of(engine, Selection(INGESTED_AT, LATER, (source,)), batch=3)

    assert pages == [[f"{source}:{name}" for name in names] for names in ("abc", "def", "g")]


def test_a_selection_that_fills_its_last_page_exactly_ends_without_an_empty_page(
    engine: Engine, source: str
) -> None:
    store(engine, source, ("a", 0), ("b", 1), ("c", 2), ("d", 3))

    pages = pages_of(engine, Selection(INGESTED_AT, LATER, (source,)), batch=2)

    assert [len(page) for page in pages] == [2, 2]


def test_since_is_inclusive_until_exclusive_and_only_the_named_sources_are_taken(
    engine: Engine, source: str
) -> None:
    other = f"{source}-other"
    store(engine, source, ("before", 0), ("first", 10), ("last", 19), ("at-until", 20))
    store(engine, other, ("elsewhere", 15))
    since, until = INGESTED_AT + dt.timedelta(minutes=10), INGESTED_AT + dt.timedelta(minutes=20)

    assert pages_of(engine, Selection(since, until, (source,)), batch=10) == [
        [f"{source}:first", f"{source}:last"]
    ]
    assert pages_of(engine, Selection(since, until, (source, other)), batch=10) == [
        [f"{source}:first", f"{other}:elsewhere", f"{source}:last"]
    ]


def test_the_raw_form_read_back_is_the_article_as_it_was_stored(engine: Engine, source: str) -> None:
    enriched = ukraine_appeals_to_nato(
        f"{source}:a", source=source, title="Titre", url="https://example.org/a", lang="fr", dateline="KIEV"
    )
    BatchWriter(engine).write_batch([enriched])

    [[article]] = read_pages(engine, Selection(INGESTED_AT, LATER, (source,)), batch=10)

    assert article.model_dump() == enriched.model_dump(include=set(article.model_fields))


def test_a_selection_of_nothing_gives_no_page(engine: Engine, source: str) -> None:
    assert pages_of(engine, Selection(INGESTED_AT, LATER, (source,)), batch=10) == []
