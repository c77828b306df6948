"""The consumer frame's loop: a batch is acked only once it and every batch before it completed; the
next batch is prepared meanwhile; a shutdown lets the batches in flight finish; anything unfixable ends
the process without an ack."""

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import psutil
import pytest

from services.common import consumer

ROOT = Path(__file__).resolve().parents[3]


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

    monkeypatch.setattr(consumer, "fatal", record)
    return calls


class Recorder:
    """Records the order of prepare / complete start / complete end / ack per batch."""

    def __init__(
        self, complete_s: float = 0.05, fail_on: int | None = None, slow: dict[int, float] | None = None
    ) -> None:
        self.log: list[str] = []
        self.complete_s = complete_s
        self.fail_on = fail_on
        self.slow = slow or {}

    def prepare(self, events: Sequence[int]) -> int:
        self.log.append(f"prepare {events[0]}")
        return events[0]

    async def complete(self, first: int) -> None:
        self.log.append(f"start {first}")
        await asyncio.sleep(self.slow.get(first, self.complete_s))
        if first == self.fail_on:
            raise RuntimeError("bug")
        self.log.append(f"done {first}")

    async def ack(self, events: Sequence[int]) -> None:
        self.log.append(f"ack {events[0]}")


def test_a_batch_is_acked_only_after_it_completed_and_batches_complete_in_order() -> None:
    rec = Recorder()

    asyncio.run(consumer.consume_pipelined(batches([1], [2], [3]), rec.prepare, rec.complete, rec.ack,
                                         drain_timeout_s=1))  # fmt: skip

    for first in (1, 2, 3):
        assert rec.log.index(f"done {first}") < rec.log.index(f"ack {first}")
    assert [e for e in rec.log if e.startswith("ack")] == ["ack 1", "ack 2", "ack 3"]
    assert rec.log.index("ack 1") < rec.log.index("start 2")  # one transaction at a time


def test_the_next_batch_is_prepared_while_the_previous_one_completes() -> None:
    rec = Recorder()

    asyncio.run(consumer.consume_pipelined(batches([1], [2]), rec.prepare, rec.complete, rec.ack,
                                         drain_timeout_s=1))  # fmt: skip

    assert rec.log.index("prepare 2") < rec.log.index("done 1")


def test_a_failed_batch_is_never_acked_and_ends_the_process(fatal_calls: list[str]) -> None:
    rec = Recorder(fail_on=1)

    with pytest.raises(Fatal):
        asyncio.run(consumer.consume_pipelined(batches([1], [2]), rec.prepare, rec.complete, rec.ack,
                                             drain_timeout_s=1))  # fmt: skip

    assert consumer.UNFIXABLE in fatal_calls
    assert not [e for e in rec.log if e.startswith("ack")]


def test_a_shutdown_lets_the_batch_in_flight_complete_and_be_acked() -> None:
    rec = Recorder(complete_s=0.3)

    async def endless() -> AsyncIterator[Sequence[int]]:
        yield [1]
        await asyncio.sleep(10)
        yield [2]

    async def scenario() -> None:
        loop_task = asyncio.ensure_future(
            consumer.consume_pipelined(endless(), rec.prepare, rec.complete, rec.ack, drain_timeout_s=5)
        )
        await asyncio.sleep(0.05)
        loop_task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop_task

    asyncio.run(scenario())

    assert rec.log == ["prepare 1", "start 1", "done 1", "ack 1"]


def test_with_two_in_flight_a_batch_completes_alongside_the_previous_one_but_is_acked_after_it() -> None:
    rec = Recorder(slow={1: 0.3})

    asyncio.run(consumer.consume_pipelined(batches([1], [2], [3]), rec.prepare, rec.complete, rec.ack,
                                         drain_timeout_s=1, max_in_flight=2))  # fmt: skip

    assert rec.log.index("start 2") < rec.log.index("done 1")
    assert rec.log.index("done 2") < rec.log.index("done 1")
    assert [e for e in rec.log if e.startswith("ack")] == ["ack 1", "ack 2", "ack 3"]
    assert rec.log.index("done 1") < rec.log.index("ack 2")
    assert rec.log.index("ack 1") < rec.log.index("start 3")  # never more than two at once


def test_a_shutdown_lets_every_batch_in_flight_complete_and_be_acked_in_order() -> None:
    rec = Recorder(slow={1: 0.3, 2: 0.1})

    async def endless() -> AsyncIterator[Sequence[int]]:
        yield [1]
        yield [2]
        await asyncio.sleep(10)
        yield [3]

    async def scenario() -> None:
        loop_task = asyncio.ensure_future(
            consumer.consume_pipelined(
                endless(), rec.prepare, rec.complete, rec.ack, drain_timeout_s=5, max_in_flight=2
            )
        )
        await asyncio.sleep(0.05)
        loop_task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop_task

    asyncio.run(scenario())

    assert [e for e in rec.log if e.startswith("ack")] == ["ack 1", "ack 2"]
    assert "prepare 3" not in rec.log


def test_a_batch_that_cannot_finish_before_the_drain_timeout_ends_the_process(fatal_calls: list[str]) -> None:
    rec = Recorder(complete_s=10)

    async def endless() -> AsyncIterator[Sequence[int]]:
        yield [1]
        await asyncio.sleep(10)

    async def scenario() -> None:
        loop_task = asyncio.ensure_future(
            consumer.consume_pipelined(endless(), rec.prepare, rec.complete, rec.ack, drain_timeout_s=0.1)
        )
        await asyncio.sleep(0.05)
        loop_task.cancel()
        await loop_task

    with pytest.raises(Fatal):
        asyncio.run(scenario())
    assert fatal_calls == ["could not finish the batches in flight before shutdown"]
    assert not [e for e in rec.log if e.startswith("ack")]


FATAL_SCRIPT = """
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from services.common.consumer import fatal
pool = ProcessPoolExecutor(1, mp_context=get_context("forkserver"))
pool.submit(time.sleep, 600)
time.sleep(2)
print("started", flush=True)
time.sleep(float(input()))
fatal("test")
"""


def test_fatal_kills_every_process_it_started_before_exiting() -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", FATAL_SCRIPT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert owner.stdout is not None
    assert owner.stdin is not None
    assert owner.stdout.readline() == "started\n"
    descendants = psutil.Process(owner.pid).children(recursive=True)
    assert any(p.ppid() != owner.pid for p in descendants)  # the pool worker, forked by the forkserver

    owner.stdin.write("0\n")
    owner.stdin.flush()

    assert owner.wait(timeout=30) == consumer.EXIT_UNEXPECTED
    _, alive = psutil.wait_procs(descendants, timeout=5)
    assert alive == []
