"""The agent's heartbeat: beaten as the loop turns (items, idle waits), stale past its bound; the wait for the
next item survives the idle ticks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from services.common.heartbeat import Heartbeat, ticking
from tests.unit.common.clock import FakeClock


def test_a_fresh_heartbeat_is_alive_and_a_stale_one_says_why() -> None:
    clock = FakeClock()
    heartbeat = Heartbeat(clock)
    clock.now += 30
    assert heartbeat.problem(bound_s=60) is None

    clock.now += 31
    problem = heartbeat.problem(bound_s=60)
    assert problem is not None
    assert "has not turned for 61 s" in problem

    heartbeat.beat()
    assert heartbeat.problem(bound_s=60) is None


def test_a_batch_stuck_in_flight_is_not_alive_even_while_the_loop_turns() -> None:
    clock = FakeClock()
    heartbeat = Heartbeat(clock)
    heartbeat.batch_started()
    for _ in range(7):
        clock.now += 10
        heartbeat.beat()  # the loop keeps taking (or waiting for) the next batch
    problem = heartbeat.problem(bound_s=60)
    assert problem is not None
    assert "1 batch(es) in flight made no progress for 70 s" in problem

    heartbeat.batch_progressed()  # e.g. a retry of an outage
    assert heartbeat.problem(bound_s=60) is None
    heartbeat.batch_finished()
    clock.now += 61
    heartbeat.beat()
    assert heartbeat.problem(bound_s=60) is None


async def slow(items: list[int], gap_s: float) -> AsyncIterator[int]:
    for item in items:
        await asyncio.sleep(gap_s)
        yield item


def test_items_pass_through_in_order_with_a_beat_for_each_and_for_each_idle_wait() -> None:
    beats: list[str] = []

    async def run() -> list[int]:
        return [item async for item in ticking(slow([1, 2], gap_s=0.35), 0.1, lambda: beats.append("beat"))]

    assert asyncio.run(run()) == [1, 2]
    # ~0.7 s of waiting at 0.1 s per tick: idle beats as well as one per item.
    assert len(beats) >= 5


def test_closing_the_ticker_cancels_the_wait_for_the_next_item() -> None:
    finished: list[str] = []

    async def endless() -> AsyncIterator[int]:
        try:
            yield 1
            await asyncio.sleep(3600)
            yield 2
        finally:
            finished.append("source closed")

    async def run() -> None:
        ticker = ticking(endless(), 0.01, lambda: None)
        assert await anext(ticker) == 1
        waiting = asyncio.ensure_future(anext(ticker))
        await asyncio.sleep(0.05)
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
        await asyncio.sleep(0)

    asyncio.run(run())
    assert finished == ["source closed"]
