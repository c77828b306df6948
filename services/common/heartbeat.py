"""Liveness that means alive: the consumer agent's own loop beats a `Heartbeat` as it turns (each batch taken,
each idle wake-up while it waits for messages), and each batch in flight reports its progress (started, each
NLP chunk, each retry of an outage, finished). /livez fails once the loop has not turned, or a batch in flight
has not progressed, for longer than a bound. A loop apart from the agent (faust's web server) would answer
for an agent that is wedged; and with batches completing in the background (the store writes two at once)
the loop may still turn while a batch is stuck, hence the two signals."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

T = TypeVar("T")


class Heartbeat:
    """When the agent's loop last turned and its batches last progressed. Beaten on the event loop, read from
    the web thread (each update is one atomic assignment)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._turned = self._progressed = clock()
        self._in_flight = 0

    def beat(self) -> None:
        """The agent's loop turned."""
        self._turned = self._clock()

    def batch_started(self) -> None:
        self._in_flight += 1
        self._progressed = self._clock()

    def batch_progressed(self) -> None:
        self._progressed = self._clock()

    def batch_finished(self) -> None:
        self._in_flight -= 1
        self._progressed = self._clock()

    def problem(self, bound_s: float) -> str | None:
        """None while the loop turned and every batch in flight progressed within `bound_s`; else why the
        agent is not alive."""
        now = self._clock()
        if now - self._turned > bound_s:
            return f"the consumer agent has not turned for {now - self._turned:.0f} s (bound {bound_s:g} s)"
        if self._in_flight and now - self._progressed > bound_s:
            return (
                f"{self._in_flight} batch(es) in flight made no progress for {now - self._progressed:.0f} s "
                f"(bound {bound_s:g} s)"
            )
        return None


async def ticking(items: AsyncIterator[T], every_s: float, beat: Callable[[], None]) -> AsyncIterator[T]:
    """Yield the items of `items`, calling `beat` when each arrives and every `every_s` while none does.

    The wait for the next item is never cancelled by a tick (a cancelled `__anext__` would end a faust take);
    it is cancelled only when this generator is closed."""
    source = aiter(items)
    pending: asyncio.Future[T] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(source))
            done, _ = await asyncio.wait({pending}, timeout=every_s)
            beat()
            if not done:
                continue
            arrived, pending = pending, None
            try:
                item = arrived.result()
            except StopAsyncIteration:
                return
            yield item
    finally:
        if pending is not None:
            pending.cancel()
