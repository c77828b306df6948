"""Bounded exponential backoff for transient outages (Kafka, Postgres).

An outage is retried until it ends: a message is never dropped or skipped because a server was down.
"Bounded" is about the delay between attempts, which is capped so recovery is noticed quickly.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    initial_s: float = 0.2
    maximum_s: float = 10.0
    multiplier: float = 2.0

    def delays(self) -> "DelayIterator":
        return DelayIterator(self)


class DelayIterator:
    """Yields the successive backoff delays of a policy, forever."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._policy = policy
        self._next = policy.initial_s

    def __iter__(self) -> "DelayIterator":
        return self

    def __next__(self) -> float:
        delay = self._next
        self._next = min(self._next * self._policy.multiplier, self._policy.maximum_s)
        return delay


async def retry_transient(
    operation: Callable[[], Awaitable[T]],
    *,
    is_transient: Callable[[BaseException], bool],
    policy: RetryPolicy,
    on_retry: Callable[[BaseException, float], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run `operation` until it succeeds, sleeping between attempts while its error is transient.

    A non-transient error propagates at once. There is deliberately no attempt limit: giving up would mean
    skipping the message; a process that is stuck is visible through its metrics and consumer lag.
    """
    delays = policy.delays()
    while True:
        try:
            return await operation()
        except Exception as exc:
            if not is_transient(exc):
                raise
            delay = next(delays)
            if on_retry is not None:
                on_retry(exc, delay)
            log.warning("transient failure, retrying in %.1fs: %r", delay, exc)
            await sleep(delay)
