"""The code that runs inside an NLP pool process: load the pipeline once, analyse chunks of texts.

Imports only spaCy and the pure extraction code, so a forkserver/spawn child starts quickly and never
imports Kafka, faust or asyncio machinery. Module state is per process by construction.
"""

from __future__ import annotations

import os

from spacy.language import Language

from services.common.owner import follow_owner
from services.extract.nlp.analysis import analyse_outcomes, resources_for
from services.extract.nlp.model import load_pipeline
from services.extract.nlp.results import AnalysisOutcome

_nlp: Language | None = None
_batch_size = 64


def init_worker(model: str, batch_size: int, owner_pid: int) -> None:
    """Pool initializer: exit with the process `owner_pid` that owns the pool (services.common.owner),
    load the pipeline and the rule data once for this process. Blocks seconds; raises
    ModelLoadError/LexiconError, which breaks the pool (the parent sees BrokenProcessPool)."""
    global _nlp, _batch_size
    follow_owner(owner_pid)
    _nlp = load_pipeline(model)
    _batch_size = batch_size
    resources_for(_nlp)


def analyse_chunk(texts: list[str]) -> list[AnalysisOutcome]:
    """One outcome per text, in order (`analysis.analyse_outcomes`). Needs `init_worker` first."""
    if _nlp is None:
        raise RuntimeError("init_worker was not called in this process")
    return analyse_outcomes(_nlp, texts, batch_size=_batch_size)


def ready() -> int:
    """A no-op task whose completion proves a worker finished its initializer; returns its pid."""
    return os.getpid()
