"""Fixtures for tests against the real Kafka broker and PostgreSQL server started by `scripts/infra.sh`
(`make test` exports their addresses). Each test gets its own topic prefix and its own database."""

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.stack import Stack, fresh_database
from bench.stack import drop_database as drop_owned
from services.common.topics_admin import TopicLayout, ensure_topics
from services.contracts.topics import Topics

OWNER_URL = "NEWSWIRE_DB_OWNER_URL"


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the suite with `make test` (it starts Kafka and Postgres)")
    return value


def create_database(database_url: str) -> str:
    """A new database migrated by the schema owner (NEWSWIRE_DB_OWNER_URL); its URL for the runtime
    role of `database_url`, the one the services use."""
    return fresh_database(required_env(OWNER_URL), database_url, f"test_{uuid.uuid4().hex[:12]}")


def drop_database(url: str) -> None:
    """Drop the database of `url`, as its owner."""
    drop_owned(required_env(OWNER_URL), url)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return required_env("KAFKA_BOOTSTRAP_SERVERS")


@pytest.fixture(scope="session")
def database_url() -> str:
    """The store's runtime role (reads and writes rows, no DDL)."""
    return required_env("DATABASE_URL")


@pytest.fixture(scope="session")
def database_owner_url() -> str:
    """The schema owner's role (migrations; may create databases)."""
    return required_env(OWNER_URL)


@pytest.fixture
def topics(kafka_bootstrap: str) -> Topics:
    """A fresh, created set of the project's topics under a unique prefix."""
    named = Topics.named(f"test-{uuid.uuid4().hex[:10]}.")
    ensure_topics(kafka_bootstrap, named, TopicLayout(partitions=2))
    return named


@contextlib.contextmanager
def private_stack(kafka_bootstrap: str, database_url: str, workdir: Path, **fields: Any) -> Iterator[Stack]:
    """A Stack (no service started yet) on a fresh topic prefix, its topics created, and a fresh database
    for the runtime role of `database_url`; every service it started is stopped and the database dropped
    afterwards. `fields` are Stack's own (partitions, store_env, ...)."""
    url = create_database(database_url)
    running = Stack(kafka_bootstrap, url, f"test-{uuid.uuid4().hex[:10]}.", workdir, **fields)
    try:
        running.create_topics()
        yield running
    finally:
        running.stop_all()
        drop_database(url)


@pytest.fixture(scope="module")
def stack(
    kafka_bootstrap: str, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    """The three services as real processes (as `make run` starts them) on a private namespace and
    database, one stack per test module, stopped and dropped after it."""
    workdir = tmp_path_factory.mktemp("stack")
    with private_stack(kafka_bootstrap, database_url, workdir, partitions=2, loglevel="info") as running:
        running.start_ingest()
        running.start_extract(1)
        running.start_store()
        yield running
