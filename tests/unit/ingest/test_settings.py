"""settings.py: defaults, environment names, and the configurations that refuse to start."""

import pytest
from pydantic import ValidationError

from services.ingest.settings import METRICS_DIR_VARIABLE, IngestSettings, codec_available

KEY = "a-long-enough-key-123"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("NEWSWIRE_INGEST_") or name in ("KAFKA_BOOTSTRAP_SERVERS", METRICS_DIR_VARIABLE):
            monkeypatch.delenv(name)


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_INGEST_API_KEYS", KEY)
    settings = IngestSettings()
    assert (settings.host, settings.port, settings.env) == ("127.0.0.1", 8080, "prod")
    assert settings.kafka_bootstrap_servers == "127.0.0.1:19092"
    assert settings.default_source == "unknown"
    assert settings.topics.raw == "newswire.articles.raw.v1"
    assert settings.compression_type == ("lz4" if codec_available("lz4") else None)
    assert settings.auth_required
    assert (settings.workers, settings.metrics_dir) == (1, None)


def test_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "10.0.0.1:9092")
    monkeypatch.setenv("NEWSWIRE_INGEST_PORT", "9000")
    monkeypatch.setenv("NEWSWIRE_INGEST_TOPIC_PREFIX", "test-1.")
    monkeypatch.setenv("NEWSWIRE_INGEST_API_KEYS", f"{KEY}, other-long-key-4567890")
    settings = IngestSettings()
    assert settings.kafka_bootstrap_servers == "10.0.0.1:9092"
    assert settings.port == 9000
    assert settings.topics.raw == "test-1.newswire.articles.raw.v1"
    assert [k.get_secret_value() for k in settings.api_keys] == [KEY, "other-long-key-4567890"]


def test_workers_and_the_metrics_directory_their_parent_gives_them(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_INGEST_WORKERS", "2")
    monkeypatch.setenv(METRICS_DIR_VARIABLE, "/tmp/newswire-ingest-metrics-x")
    settings = IngestSettings(api_keys=[KEY])
    assert (settings.workers, str(settings.metrics_dir)) == (2, "/tmp/newswire-ingest-metrics-x")


def test_fewer_than_one_worker_is_refused() -> None:
    with pytest.raises(ValidationError, match="workers"):
        IngestSettings(api_keys=[KEY], workers=0)


def test_keys_as_a_json_array_and_never_in_the_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_INGEST_API_KEYS", f'["{KEY}"]')
    settings = IngestSettings()
    assert settings.api_keys[0].get_secret_value() == KEY
    assert KEY not in repr(settings)


def test_prod_without_keys_refuses_to_start() -> None:
    with pytest.raises(ValidationError, match="NEWSWIRE_INGEST_API_KEYS is empty"):
        IngestSettings()


def test_dev_without_keys_runs_without_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_INGEST_ENV", "dev")
    assert not IngestSettings().auth_required


def test_dev_with_keys_still_checks_them() -> None:
    assert IngestSettings(env="dev", api_keys=(KEY,)).auth_required


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValidationError, match="at least 16 characters"):
        IngestSettings(api_keys=("changeme",))


def test_a_codec_whose_library_is_missing_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("services.ingest.settings.codec_available", lambda codec: codec == "gzip")
    with pytest.raises(ValidationError, match="not installed"):
        IngestSettings(env="dev", compression_type="zstd")
    assert IngestSettings(env="dev", compression_type="gzip").compression_type == "gzip"
    assert IngestSettings(env="dev", compression_type="none").compression_type is None


def test_settings_are_frozen() -> None:
    settings = IngestSettings(env="dev")
    with pytest.raises(ValidationError):
        settings.port = 1  # type: ignore[misc]
