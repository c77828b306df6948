"""Fixtures for tests against the real Kafka broker and PostgreSQL server started by `scripts/infra.sh`
(`make test` exports their addresses). Each test gets its own topic prefix and its own database."""

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from services.common.topics_admin import ensure_topics
from services.contracts.topics import Topics
from services.store.migrate import upgrade


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"{name} is not set: run the suite with `make test` (it starts Kafka and Postgres)")
    return value


def new_topics(kafka_bootstrap: str) -> Topics:
    """A fresh, created set of the project's topics under a unique prefix."""
    named = Topics.named(f"test-{uuid.uuid4().hex[:10]}.")
    ensure_topics(kafka_bootstrap, named, partitions=2)
    return named


def plain_url(database_url: str) -> str:
    """The URL as libpq/psycopg take it (no SQLAlchemy driver suffix)."""
    return database_url.replace("postgresql+psycopg://", "postgresql://")


def create_database(database_url: str) -> str:
    """Create and migrate a new database on the server of `database_url`; return its URL."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(plain_url(database_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = plain_url(database_url).rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    return url


def drop_database(database_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(plain_url(database_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    return required_env("KAFKA_BOOTSTRAP_SERVERS")


@pytest.fixture(scope="session")
def database_url() -> str:
    return required_env("DATABASE_URL")


@pytest.fixture
def topics(kafka_bootstrap: str) -> Topics:
    return new_topics(kafka_bootstrap)


@pytest.fixture
def fresh_database(database_url: str) -> Iterator[str]:
    """A new, migrated database, dropped afterwards. Yields its URL."""
    url = create_database(database_url)
    yield url
    drop_database(database_url, url)
