"""Liveness that means alive: the consumer agent's own loop beats a `Heartbeat` (each batch taken, each batch
acknowledged, each idle wake-up while waiting for messages, each retry of an outage), and /livez fails once
the last beat is older than a bound. A loop apart from the agent (faust's web server) would answer for an
agent that is wedged."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

T = TypeVar("T")


class Heartbeat:
    """When the agent last showed it turns. Beaten on the event loop, read from the web thread (a float
    assignment is atomic)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._last = clock()

    def beat(self) -> None:
        self._last = self._clock()

    def problem(self, bound_s: float) -> str | None:
        """None while the last beat is at most `bound_s` old; else why the agent is not alive."""
        age = self._clock() - self._last
        if age <= bound_s:
            return None
        return f"the consumer agent has not turned for {age:.0f} s (bound {bound_s:g} s): it is wedged"


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
