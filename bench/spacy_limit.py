"""The physical limit of the extract hop: the extract service's exact spaCy pipeline
(`services.extract.nlp.model.load_pipeline(settings.spacy_model)`) run bare with `nlp.pipe`, in as many
processes as the pipeline has NLP processes, each on an equal share of the corpus.

The processes are started and the model loaded before the clock starts (the pipeline is measured warm
too); the clock stops when the last process has parsed its last document. Nothing else is done with
the documents: no extraction rules, no serialisation, no Kafka.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor

from spacy.language import Language

from services.extract.consumer.pool import split_chunks
from services.extract.nlp.model import load_pipeline

_nlp: Language | None = None  # this pool process's pipeline, set by `_init`
_batch_size = 64


def _init(model: str, batch_size: int) -> None:
    global _nlp, _batch_size
    _nlp, _batch_size = load_pipeline(model), batch_size


def _ready() -> int:
    time.sleep(0.3)  # hold this process so the next task goes to another one
    return os.getpid()


def _pipe(texts: list[str]) -> int:
    assert _nlp is not None
    count = 0
    for _ in _nlp.pipe(texts, batch_size=_batch_size):
        count += 1
    return count


def bare_spacy_rate(texts: list[str], *, model: str, processes: int, batch_size: int) -> float:
    """Documents per second parsing `texts` in `processes` warm processes. Blocks for the whole run."""
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_init,
                             initargs=(model, batch_size)) as pool:  # fmt: skip
        for _ in range(20):  # until every process has loaded the model (one task each at once)
            if len({f.result() for f in [pool.submit(_ready) for _ in range(processes)]}) == processes:
                break
        chunks = split_chunks(texts, processes)
        started = time.perf_counter()
        done = sum(f.result() for f in [pool.submit(_pipe, chunk) for chunk in chunks])
        elapsed = time.perf_counter() - started
    return done / elapsed
