"""The store's settings: where they come from and how the database URL is handled."""

import pytest
from pydantic import ValidationError

from services.common.database import normalise_database_url, redact_url
from services.store.settings import StoreSettings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("postgresql://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ],
)
def test_postgres_urls_are_normalised_to_psycopg_3(given: str, normalised: str) -> None:
    assert normalise_database_url(given) == normalised


@pytest.mark.parametrize("url", ["postgresql+psycopg2://u@h/db", "mysql://u@h/db", "not a url"])
def test_other_drivers_and_garbage_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="URL"):
        normalise_database_url(url)


def test_database_url_and_kafka_servers_are_read_unprefixed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/x")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092")

    settings = StoreSettings()

    assert settings.database_url == "postgresql+psycopg://u:p@db:5432/x"
    assert settings.kafka_bootstrap_servers == "k1:9092,k2:9092"


def test_everything_else_is_read_with_the_store_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_STORE_BATCH_SIZE", "1000")
    monkeypatch.setenv("NEWSWIRE_STORE_TOPIC_PREFIX", "staging.")

    settings = StoreSettings()

    assert settings.batch_size == 1000
    assert settings.topics.enriched == "staging.newswire.articles.enriched.v1"


def test_the_defaults_point_at_the_local_stack() -> None:
    settings = StoreSettings()

    assert settings.database_url == "postgresql+psycopg://newswire:newswire@127.0.0.1:15432/newswire"
    assert settings.kafka_bootstrap_servers == "127.0.0.1:19092"
    assert (settings.batch_size, settings.batch_window_s, settings.web_port) == (500, 0.05, 6068)


def test_the_password_never_shows_in_repr_or_str() -> None:
    settings = StoreSettings(database_url="postgresql://newswire:s3cr3t@db:5432/newswire")

    assert "s3cr3t" not in repr(settings)
    assert "s3cr3t" not in str(settings)
    assert "postgresql+psycopg://newswire:***@db:5432/newswire" in repr(settings)
    assert settings.database_url.endswith("newswire:s3cr3t@db:5432/newswire")


def test_redacting_a_url_without_password_leaves_it_alone() -> None:
    assert redact_url("postgresql+psycopg://newswire@db/x") == "postgresql+psycopg://newswire@db/x"


def test_settings_are_frozen() -> None:
    settings = StoreSettings()
    with pytest.raises(ValidationError):
        settings.batch_size = 1  # type: ignore[misc]


def test_backoff_bounds_must_be_ordered() -> None:
    with pytest.raises(ValidationError, match="retry_max_s"):
        StoreSettings(retry_initial_s=5, retry_max_s=1)
    policy = StoreSettings(retry_initial_s=0.1, retry_max_s=2).retry_policy
    assert (policy.initial_s, policy.maximum_s) == (0.1, 2)
