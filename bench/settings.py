"""The benchmark's settings: the only place the harness reads the environment.

`KAFKA_BOOTSTRAP_SERVERS` and `DATABASE_URL` (unprefixed) point at the bench stack that
`scripts/bench.sh` starts (`NEWSWIRE_PROFILE=bench scripts/infra.sh up`: Kafka 49092, Postgres 45432);
the sizes have the prefix `NEWSWIRE_BENCH_` and are also command-line flags.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

RESULTS_DIR = Path(__file__).resolve().parent / "results"


class BenchSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_BENCH_", frozen=True)

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:49092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS", "kafka_bootstrap_servers"),
    )
    database_url: str = Field(
        default="postgresql://newswire:newswire@127.0.0.1:45432/newswire",
        validation_alias=AliasChoices("DATABASE_URL", "database_url"),
    )
    db_owner_url: str = Field(
        default="postgresql://newswire_owner:newswire@127.0.0.1:45432/newswire",
        validation_alias=AliasChoices("NEWSWIRE_DB_OWNER_URL", "db_owner_url"),
        description="The schema owner's URL (scripts/infra.sh env): creates and migrates the bench databases",
    )
    articles: int = Field(default=1200, gt=0, description="Articles per pipeline run (b) and (f)")
    extract_workers: int = Field(default=2, ge=2, description="Extract workers of (b); (f) compares with 1")
    latency_seconds: float = Field(default=40.0, gt=0, description="Length of the steady-load run (e)")
    ingest_workers: int = Field(
        default=2, ge=1, description="Ingest server processes, as on the local stack: one per core"
    )
    ingest_articles: int = Field(default=12000, gt=0, description="Articles posted in the ingest run (d)")
    store_copies: int = Field(default=2, gt=0, description="Copies of the enriched articles for run (c)")
    partitions: int = Field(default=4, gt=0, description="Partitions of the bench topics")
    workdir: Path = Field(
        default=Path(tempfile.gettempdir()) / "newswire-bench", description="Service logs and faust data"
    )
    results_dir: Path = RESULTS_DIR
