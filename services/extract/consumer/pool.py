"""`NlpPool`: spaCy analysis off the event loop, in a persistent pool of processes (one per core).

Why processes: spaCy is CPU-bound Python; a thread would hold the GIL and stall the faust event loop.
Why `forkserver`: the faust process is multi-threaded and `fork` from such a process can deadlock
(NOTES-infra §3.1); workers are started from a clean server process and load the model once, in the
pool initializer (`worker.init_worker`).

Modes (`processes`):
* `>= 1`: `analyse` (async) splits a batch into one contiguous chunk per process and gathers the
  results in order. `analyse_chunks` (async) submits pieces of at most `batch_size` texts all at once
  and yields their outcomes in order as they complete, so the caller can publish the first pieces
  while the processes parse the next ones (the worker's processes never wait for the caller).
  `analyse_sync` uses the pool too when `processes >= 2`; with exactly 1 it runs in the calling
  process, because one extra process gives no parallelism to a blocking caller and costs
  a second model load (the offline command uses this path).
* `0`: no pool at all; `analyse_sync` runs in-process and `analyse` in the loop's default thread
  executor (for tests and tools, not for the worker).

Failures are per text: every call returns one `Analysis` or `AnalysisFailure` per input text, in order.
If a worker process dies (a segfault, the OOM killer), the pool is rebuilt and the texts of the lost
chunks are retried one by one, so only a text that kills a worker on its own becomes a failure. When
the rebuilt pool cannot even start (the model is missing), BrokenProcessPool is raised instead: that
is an outage to retry, not a reason to dead-letter articles.

The worker processes exit within a second when the process that owns the pool is gone (killed, or ended
by `fatal()`'s `os._exit`), taking the forkserver and resource tracker with them (services.common.owner).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from services.extract.consumer import worker
from services.extract.errors import PoolClosedError
from services.extract.nlp.extractor import Extractor
from services.extract.nlp.results import AnalysisFailure, AnalysisOutcome


def split_chunks(texts: Sequence[str], parts: int) -> list[list[str]]:
    """Contiguous, near-equal chunks (no empty ones); concatenated they give `texts` back in order."""
    count = max(1, min(parts, len(texts)))
    size, extra = divmod(len(texts), count)
    chunks, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        if end > start:
            chunks.append(list(texts[start:end]))
        start = end
    return chunks


class NlpPool:
    """A process pool running `worker.analyse_chunk`; see the module docstring for the modes."""

    def __init__(self, model: str, processes: int, batch_size: int = 64) -> None:
        if processes < 0:
            raise ValueError("processes must be >= 0")
        self.model = model
        self.processes = processes
        self.batch_size = batch_size
        self._executor: ProcessPoolExecutor | None = None
        self._local: Extractor | None = None  # the in-process extractor (`_in_process`), built once
        self._closed = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the worker processes and wait until they have loaded the model (blocks seconds).
        Optional: the first `analyse` starts the pool otherwise. Raises BrokenProcessPool when a worker
        cannot initialise (e.g. the model is not installed)."""
        if self.processes == 0:
            self._extractor()
            return
        executor = self._pool()
        futures = [executor.submit(worker.ready) for _ in range(self.processes)]
        for future in futures:
            future.result()

    async def analyse(self, texts: Sequence[str]) -> list[AnalysisOutcome]:
        """One outcome per text, in order, computed in the worker processes (never on the loop)."""
        if self._closed:
            raise PoolClosedError("the NLP pool is closed")
        if not texts:
            return []
        loop = asyncio.get_running_loop()
        if self.processes == 0:
            return await loop.run_in_executor(None, self._in_process, list(texts))
        chunks = split_chunks(texts, self.processes)
        futures = [asyncio.wrap_future(self._submit(chunk)) for chunk in chunks]
        results = await asyncio.gather(*futures, return_exceptions=True)
        outcomes: list[AnalysisOutcome] = []
        for chunk, result in zip(chunks, results, strict=True):
            if isinstance(result, BrokenProcessPool):
                outcomes.extend(await loop.run_in_executor(None, self._retry_alone, chunk))
            elif isinstance(result, BaseException):
                raise result
            else:
                outcomes.extend(result)
        return outcomes

    async def analyse_chunks(self, texts: Sequence[str]) -> AsyncIterator[list[AnalysisOutcome]]:
        """The outcomes of consecutive pieces of `texts`, in order: one list per piece, yielded once that
        piece is done. Every piece is submitted before the first is awaited. Failures are per text, as
        in `analyse`.

        Pieces hold at most `batch_size` texts, and fewer when the texts are few (at least two pieces
        per process): a small batch is a latency-bound one, and its first articles should not wait
        for the parsing of the others."""
        if self._closed:
            raise PoolClosedError("the NLP pool is closed")
        size = max(1, min(self.batch_size, -(-len(texts) // (2 * max(1, self.processes)))))
        pieces = [list(texts[i : i + size]) for i in range(0, len(texts), size)]
        loop = asyncio.get_running_loop()
        if self.processes == 0:
            for piece in pieces:
                yield await loop.run_in_executor(None, self._in_process, piece)
            return
        futures = [asyncio.wrap_future(self._submit(piece)) for piece in pieces]
        for piece, future in zip(pieces, futures, strict=True):
            try:
                yield await future
            except BrokenProcessPool:
                yield await loop.run_in_executor(None, self._retry_alone, piece)

    def analyse_sync(self, texts: Sequence[str]) -> list[AnalysisOutcome]:
        """Blocking form of `analyse` (in-process when `processes <= 1`)."""
        if self._closed:
            raise PoolClosedError("the NLP pool is closed")
        if not texts:
            return []
        if self.processes <= 1:
            return self._in_process(list(texts))
        chunks = split_chunks(texts, self.processes)
        futures = [self._submit(chunk) for chunk in chunks]
        outcomes: list[AnalysisOutcome] = []
        for chunk, future in zip(chunks, futures, strict=True):
            try:
                outcomes.extend(future.result())
            except BrokenProcessPool:
                outcomes.extend(self._retry_alone(chunk))
        return outcomes

    def close(self) -> None:
        """Stop the worker processes (waits for running chunks). Idempotent."""
        with self._lock:
            self._closed = True
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> NlpPool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _in_process(self, texts: list[str]) -> list[AnalysisOutcome]:
        return self._extractor().outcomes(texts)

    def _extractor(self) -> Extractor:
        with self._lock:
            if self._local is None:
                self._local = Extractor.load(self.model, self.batch_size)
            return self._local

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._closed:
                raise PoolClosedError("the NLP pool is closed")
            if self._executor is None:
                self._executor = ProcessPoolExecutor(
                    max_workers=self.processes,
                    mp_context=multiprocessing.get_context("forkserver"),
                    initializer=worker.init_worker,
                    initargs=(self.model, self.batch_size, os.getpid()),
                )
            return self._executor

    def _submit(self, chunk: list[str]) -> Future[list[AnalysisOutcome]]:
        try:
            return self._pool().submit(worker.analyse_chunk, chunk)
        except BrokenProcessPool:  # broken by an earlier batch: start afresh once
            self._reset()
            return self._pool().submit(worker.analyse_chunk, chunk)

    def _reset(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)

    def restart(self) -> None:
        """Drop the current worker processes; the next call starts fresh ones. For a caller that saw
        BrokenProcessPool escape (the pool could not start) and retries later."""
        self._reset()

    def _check_healthy(self) -> None:
        """Run a no-op in the pool, starting a fresh pool if the current one is broken. Raises
        BrokenProcessPool when fresh workers cannot even start (model missing, out of memory at load):
        an environment problem, not a text's."""
        try:
            self._pool().submit(worker.ready).result()
        except BrokenProcessPool:
            self._reset()
            self._pool().submit(worker.ready).result()

    def _retry_alone(self, chunk: list[str]) -> list[AnalysisOutcome]:
        """After a worker died: run each text of the lost chunk on its own in a healthy pool, so only
        a text that kills a worker by itself fails. Raises BrokenProcessPool when the pool itself is
        unusable (see `_check_healthy`), so no article is failed for an environment problem."""
        self._check_healthy()
        outcomes: list[AnalysisOutcome] = []
        for text in chunk:
            try:
                outcomes.extend(self._pool().submit(worker.analyse_chunk, [text]).result())
            except BrokenProcessPool:
                self._check_healthy()
                outcomes.append(AnalysisFailure("the NLP worker process died on this text", "WorkerDied"))
        return outcomes
