"""HTTP load for ingest: everything at once (throughput) or at a steady rate (latency).

Bodies are JSON arrays encoded before the clock starts, so the generator spends its time sending, not
serialising. Every request must be answered 202 (the articles are durably in Kafka); anything else
raises LoadError, since a benchmark that lost articles measured nothing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
import orjson

from bench.corpus import BenchArticle

BATCH = 100


class LoadError(RuntimeError):
    """Ingest refused a request of the benchmark."""


@dataclass(frozen=True)
class Burst:
    """When the first request started and the last answer arrived (time.time() clock)."""

    started: float
    finished: float
    articles: int

    @property
    def rate(self) -> float:
        return self.articles / max(self.finished - self.started, 1e-9)


def bodies(articles: Sequence[BenchArticle], batch: int = BATCH) -> list[tuple[bytes, int]]:
    """JSON array bodies of at most `batch` articles, with their article counts."""
    return [
        (orjson.dumps([a.as_record() for a in articles[i : i + batch]]), len(articles[i : i + batch]))
        for i in range(0, len(articles), batch)
    ]


async def _post(client: httpx.AsyncClient, url: str, body: bytes) -> None:
    response = await client.post(url, content=body, headers={"content-type": "application/json"})
    if response.status_code != 202:
        raise LoadError(f"ingest answered {response.status_code}: {response.text[:300]}")


def burst(
    base_url: str, articles: Sequence[BenchArticle], *, concurrency: int = 4, batch: int = BATCH
) -> Burst:
    """POST every article in batches of `batch`, `concurrency` requests in flight. Blocks until all are
    acknowledged."""
    prepared = bodies(articles, batch)

    async def run() -> Burst:
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        for body, _ in prepared:
            queue.put_nowait(body)
        url = f"{base_url}/v1/articles"
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(timeout=60.0, limits=limits) as client:

            async def worker() -> None:
                while not queue.empty():
                    await _post(client, url, queue.get_nowait())

            started = time.time()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return Burst(started, time.time(), sum(n for _, n in prepared))

    return asyncio.run(run())


def steady(base_url: str, articles: Sequence[BenchArticle], *, rate: float) -> Burst:
    """POST one article every 1/`rate` seconds on a fixed schedule (a slow answer does not delay the
    next request). Blocks until all are acknowledged."""
    prepared = bodies(articles, 1)

    async def run() -> Burst:
        url = f"{base_url}/v1/articles"
        async with httpx.AsyncClient(timeout=60.0) as client:
            started = time.time()
            tasks = []
            for index, (body, _) in enumerate(prepared):
                delay = started + index / rate - time.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(_post(client, url, body)))
            await asyncio.gather(*tasks)
            return Burst(started, time.time(), len(prepared))

    return asyncio.run(run())
