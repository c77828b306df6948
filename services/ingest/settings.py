"""The ingest service's settings: the only place ingest reads the environment.

`KAFKA_BOOTSTRAP_SERVERS` is read unprefixed (every service shares it); everything else with the prefix
`NEWSWIRE_INGEST_` (e.g. `NEWSWIRE_INGEST_PORT=8081`). `NEWSWIRE_INGEST_API_KEYS` is a comma-separated
list (a JSON array also works). Construction raises (pydantic ValidationError) when the configuration
is unsafe or inconsistent, so the server refuses to start rather than run open or broken.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated, Final, Literal, Self

import orjson
from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.common.build import commit_field
from services.contracts.budget import RAW_ARTICLE_BYTES
from services.contracts.topics import Topics

MIB: Final = 1024 * 1024
# prometheus_client's own variable: set by `newswire ingest` for its worker processes, never by hand.
METRICS_DIR_VARIABLE: Final = "PROMETHEUS_MULTIPROC_DIR"
MIN_API_KEY_CHARS: Final = 16
Compression = Literal["gzip", "snappy", "lz4", "zstd"]
# The Python module each codec needs (kafka-python imports them itself; gzip is in the stdlib).
_CODEC_MODULES: Final[dict[str, str]] = {
    "gzip": "gzip",
    "snappy": "snappy",
    "lz4": "lz4",
    "zstd": "zstandard",
}


def codec_available(codec: str) -> bool:
    """Whether the library kafka-python needs for `codec` is importable."""
    module = _CODEC_MODULES.get(codec)
    return module is not None and importlib.util.find_spec(module) is not None


def _default_compression() -> Compression | None:
    return "lz4" if codec_available("lz4") else None


class PublishSettings(BaseSettings):
    """What every intake process of ingest needs to publish raw articles: the producer, the topics, the
    size budget and the default source. `IngestSettings` (the HTTP API) and the poller's `PollSettings`
    each extend it under their own prefix, so each process still has one settings object."""

    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_INGEST_", frozen=True, populate_by_name=True)

    metrics_dir: Path | None = Field(
        default=None,
        validation_alias=AliasChoices(METRICS_DIR_VARIABLE, "metrics_dir"),
        description="Where the worker processes keep their metrics (set by `newswire ingest` itself)",
    )
    commit: str = commit_field()
    max_message_bytes: int = Field(
        default=RAW_ARTICLE_BYTES,
        gt=0,
        le=RAW_ARTICLE_BYTES,
        description="Largest serialised article (Kafka max_request_size); may only lower the size budget "
        "(services/contracts/budget.py), which every later hop is sized for",
    )
    default_source: str = Field(default="unknown", min_length=1, description="`source` when none is given")
    topic_prefix: str = Field(default="", description="Namespace for topic names, see Topics.named")
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:19092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers"),
    )
    linger_ms: int = Field(default=5, ge=0, description="Producer wait to fill a batch")
    batch_size: int = Field(default=256 * 1024, gt=0, description="Producer batch size in bytes")
    compression_type: Compression | None = Field(
        default_factory=_default_compression, description="lz4 when its library is installed, else none"
    )
    publish_timeout_s: float = Field(
        default=10.0, gt=0, description="Longest wait for the broker to acknowledge a request's articles"
    )
    readiness_timeout_s: float = Field(default=1.0, gt=0, description="Broker reachability probe timeout")
    readiness_cache_s: float = Field(default=5.0, ge=0, description="How long a readiness answer is reused")

    @field_validator("compression_type", mode="before")
    @classmethod
    def _none_means_none(cls, value: object) -> object:
        return None if isinstance(value, str) and value.strip().lower() in ("", "none") else value

    @model_validator(mode="after")
    def _check_codec(self) -> Self:
        if self.compression_type is not None and not codec_available(self.compression_type):
            raise ValueError(
                f"compression_type={self.compression_type} needs the Python module "
                f"{_CODEC_MODULES[self.compression_type]!r}, which is not installed"
            )
        return self

    @property
    def topics(self) -> Topics:
        return Topics.named(self.topic_prefix)


class IngestSettings(PublishSettings):
    """Frozen settings of the ingest HTTP API and of `newswire feed`'s defaults.

    Authentication is required when `env` is `prod` (the default) and whenever API keys are configured;
    `env=prod` without keys is refused. `api_keys` are SecretStr so they never appear in a repr or log.
    """

    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_INGEST_", frozen=True, populate_by_name=True)

    host: str = Field(default="127.0.0.1", description="Interface the HTTP server binds")
    port: int = Field(default=8080, ge=1, le=65535)
    workers: int = Field(
        default=1,
        ge=1,
        description="Server processes on the port; each uses up to a core (one per pod, one per core "
        "given to ingest on a single host)",
    )
    env: Literal["dev", "prod"] = Field(default="prod", description="dev allows running without API keys")
    docs: bool | None = Field(
        default=None,
        description="Serve /openapi.json, /docs and /redoc (unauthenticated); by default in dev only",
    )
    api_keys: Annotated[tuple[SecretStr, ...], NoDecode] = Field(
        default=(), description="Accepted keys (X-API-Key or Authorization: Bearer)"
    )
    max_body_bytes: int = Field(default=10 * MIB, gt=0, description="Largest request body read")
    max_articles_per_request: int = Field(default=1000, gt=0)
    language_process: bool = Field(
        default=True,
        description="Detect languages in a helper process (lingua holds the GIL while it works)",
    )
    retry_after_s: int = Field(default=5, ge=1, description="Retry-After sent with a 503")

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return orjson.loads(text)
            return [key.strip() for key in text.split(",") if key.strip()]
        return value

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.env == "prod" and not self.api_keys:
            raise ValueError(
                "NEWSWIRE_INGEST_API_KEYS is empty: production (NEWSWIRE_INGEST_ENV=prod, the default) "
                "requires at least one API key; set NEWSWIRE_INGEST_ENV=dev to run without authentication"
            )
        if any(len(key.get_secret_value()) < MIN_API_KEY_CHARS for key in self.api_keys):
            raise ValueError(f"every API key must be at least {MIN_API_KEY_CHARS} characters long")
        return self

    @property
    def auth_required(self) -> bool:
        """Keys are checked in prod, and in dev too once any key is configured."""
        return self.env == "prod" or bool(self.api_keys)

    @property
    def serve_docs(self) -> bool:
        """Whether the API description is served: as `docs` says, else in dev only (in prod it would
        tell anyone who reaches the port how to call it)."""
        return self.env == "dev" if self.docs is None else self.docs
