"""The batch loop's contract: faust may ack a batch only once its handler finished."""

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest

from services.common import worker


async def batches(*items: Sequence[int]) -> AsyncIterator[Sequence[int]]:
    for item in items:
        yield item


class Fatal(Exception):
    pass


@pytest.fixture
def fatal_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def record(message: str, exc: BaseException | None = None) -> None:
        calls.append(message)
        raise Fatal(message)

    monkeypatch.setattr(worker, "fatal", record)
    return calls


def test_every_batch_is_handled_in_order() -> None:
    seen: list[Sequence[int]] = []

    async def handle(events: Sequence[int]) -> None:
        seen.append(events)

    asyncio.run(worker.consume_batches(batches([1, 2], [3]), handle, drain_timeout_s=1))

    assert seen == [[1, 2], [3]]


def test_an_unexpected_error_ends_the_process_instead_of_leaving_the_batch(fatal_calls: list[str]) -> None:
    async def handle(events: Sequence[int]) -> None:
        raise RuntimeError("bug")

    with pytest.raises(Fatal):
        asyncio.run(worker.consume_batches(batches([1]), handle, drain_timeout_s=1))

    assert fatal_calls == ["unexpected error while handling a batch"]


def test_a_shutdown_mid_batch_lets_the_batch_finish_before_the_loop_is_left() -> None:
    finished: list[Sequence[int]] = []
    started = asyncio.Event()

    async def handle(events: Sequence[int]) -> None:
        started.set()
        await asyncio.sleep(0.2)
        finished.append(events)

    async def scenario() -> None:
        loop_task = asyncio.ensure_future(worker.consume_batches(batches([7]), handle, drain_timeout_s=5))
        await started.wait()
        loop_task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop_task

    asyncio.run(scenario())

    assert finished == [[7]]


def test_a_batch_that_cannot_finish_before_the_drain_timeout_ends_the_process(fatal_calls: list[str]) -> None:
    started = asyncio.Event()

    async def handle(events: Sequence[int]) -> None:
        started.set()
        await asyncio.sleep(10)

    async def scenario() -> None:
        loop_task = asyncio.ensure_future(worker.consume_batches(batches([7]), handle, drain_timeout_s=0.1))
        await started.wait()
        loop_task.cancel()
        await loop_task

    with pytest.raises(Fatal):
        asyncio.run(scenario())
    assert fatal_calls == ["could not finish the batch in flight before shutdown"]
