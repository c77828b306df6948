"""The code that runs inside an NLP pool process: build the process's `Extractor`, analyse chunks of texts.

Imports only spaCy and the pure extraction code, so a forkserver/spawn child starts quickly and never
imports Kafka, faust or asyncio machinery. `ProcessPoolExecutor` calls the initializer and the tasks as
plain functions of the child process, so the extractor the initializer builds is held in this module:
one per pool process, set once, never seen by the parent.
"""

from __future__ import annotations

import os

from services.common.owner import follow_owner
from services.extract.nlp.extractor import Extractor
from services.extract.nlp.results import AnalysisOutcome

_extractor: Extractor | None = None


def init_worker(model: str, batch_size: int, owner_pid: int) -> None:
    """Pool initializer: exit with the process `owner_pid` that owns the pool (services.common.owner),
    build this process's extractor (loads the pipeline and the rule data; blocks seconds). Raises
    ModelLoadError/LexiconError, which breaks the pool (the parent sees BrokenProcessPool)."""
    global _extractor
    follow_owner(owner_pid)
    _extractor = Extractor.load(model, batch_size)


def analyse_chunk(texts: list[str]) -> list[AnalysisOutcome]:
    """One outcome per text, in order (`Extractor.outcomes`). Needs `init_worker` first."""
    if _extractor is None:
        raise RuntimeError("init_worker was not called in this process")
    return _extractor.outcomes(texts)


def ready() -> int:
    """A no-op task whose completion proves a worker finished its initializer; returns its pid."""
    return os.getpid()
