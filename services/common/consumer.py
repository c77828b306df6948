"""The one consumer frame of the extract and store workers: they supply a `BatchHandler`, this does the rest.

A handler has two steps, over plain `Position`s (no faust event ever reaches it):

* `prepare(batch)`: synchronous, on the event loop, cheap (decoding); what cannot be decoded becomes
  that message's dead letter.
* `complete(prepared)`: returns only once every message's effect is durable: its outputs acknowledged
  by the broker, or its rows committed, or its dead letter acknowledged. It retries outages itself
  (`services.common.retry`) and dead-letters what concerns one message (`services.common.delivery`:
  an output too large or refused by the broker; a row the database refuses).

The frame, once for both workers: faust events become `Position`s; batches are taken without faust's
auto-ack (`noack_take`) and acknowledged in stream order, each only after its own `complete` and that of
every batch before it returned, so a committed offset never passes an effect that is not durable (the
commit-after-durable rule); the next batch is prepared while earlier ones complete; on SIGTERM the batches
in flight finish and are acked; the agent's loop beats a `Heartbeat` (services.common.heartbeat) as it
turns, for /livez; anything else `complete` or `prepare` raises is neither an outage nor one
message's fault, and ends the process at once without committing (`fatal`), so the orchestrator restarts
it and the batch is redelivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections import deque
from collections.abc import AsyncIterable, Awaitable, Callable, Mapping, Sequence
from typing import Any, NoReturn, Protocol, TypeVar

import faust
import psutil

from services.common.heartbeat import Heartbeat, ticking
from services.common.messages import Position
from services.common.worker_settings import WorkerSettings

log = logging.getLogger(__name__)

E = TypeVar("E")
P = TypeVar("P")
EXIT_UNEXPECTED = 70  # EX_SOFTWARE: the orchestrator restarts the worker; nothing was committed.
UNFIXABLE = (
    "error that is neither an outage nor one message's fault (configuration or bug); "
    "exiting without committing, the batch will be redelivered"
)


class FaustMessage(Protocol):
    """What the frame reads of a faust message (faust ships no type information)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Mapping[str, bytes] | Sequence[tuple[str, bytes | None]] | None


class FaustEvent(Protocol):
    """A faust stream event, as far as the frame uses it."""

    message: FaustMessage


class BatchHandler(Protocol[P]):
    """What a worker supplies to the frame (see the module docstring)."""

    def prepare(self, batch: Sequence[Position]) -> P:
        """Decode a batch (on the loop); never raises for one message's fault."""
        ...

    async def complete(self, prepared: P) -> None:
        """Process and make durable; returns only when every effect is. Raises only what is unfixable."""
        ...


def add_batch_agent(
    app: faust.App,
    topic: str,
    handler: BatchHandler[P],
    settings: WorkerSettings,
    *,
    batch: tuple[int, float],
    heartbeat: Heartbeat,
    max_in_flight: int = 1,
    before: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Consume `topic` in batches of up to `batch` = (events, seconds) through `handler`, up to
    `max_in_flight` batches completing at once, each finishing within `settings.drain_timeout_s` on
    shutdown, with one agent (concurrency=1: faust bug #606 commits past in-flight messages otherwise;
    parallelism comes from more workers in the group and from the work `complete` hands off).
    `before` runs once before the first batch (loading a model). `heartbeat` is beaten when a batch
    arrives and every `batch[1]` seconds while waiting for messages, and told when each batch's `complete`
    starts and ends."""
    source = app.topic(topic, value_serializer="raw", key_serializer="raw")

    @app.agent(source, concurrency=1)
    async def consume(stream: Any) -> None:
        if before is not None:
            await before()

        async def ack(events: Sequence[FaustEvent]) -> None:
            for event in events:
                await stream.ack(event)

        def prepare(events: Sequence[FaustEvent]) -> P:
            return handler.prepare([position_of(event) for event in events])

        async def complete(prepared: P) -> None:
            heartbeat.batch_started()
            try:
                await handler.complete(prepared)
            finally:
                heartbeat.batch_finished()

        await consume_pipelined(
            ticking(stream.noack_take(batch[0], within=batch[1]), batch[1], heartbeat.beat),
            prepare,
            complete,
            ack,
            drain_timeout_s=settings.drain_timeout_s,
            max_in_flight=max_in_flight,
        )


def fatal(message: str, exc: BaseException | None = None) -> NoReturn:
    """End the process now, without letting faust ack or commit anything more.

    Only for what neither a retry nor a dead letter can fix: outages are retried and a message's own
    fault is dead-lettered before anything reaches here, so what remains is a configuration error
    (a missing table, a refused authorisation) or a bug, and a restart with the batch redelivered is
    the best the process can do.

    Every process this one started (the NLP pool, its forkserver, the resource tracker) is killed
    first: `os._exit` runs no cleanup, and the restarted worker starts its own."""
    log.critical("%s: %r", message, exc, exc_info=exc)
    logging.shutdown()
    sys.stderr.flush()
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            child.kill()
    os._exit(EXIT_UNEXPECTED)


async def consume_pipelined(
    batches: AsyncIterable[Sequence[E]],
    prepare: Callable[[Sequence[E]], P],
    complete: Callable[[P], Awaitable[None]],
    ack: Callable[[Sequence[E]], Awaitable[None]],
    *,
    drain_timeout_s: float,
    max_in_flight: int = 1,
) -> None:
    """Feed each batch of `batches` (events E that the caller acks itself: faust's `noack_take`) to
    `prepare` then `complete`, overlapping the CPU work of one batch with the I/O of the ones before it.

    `prepare(events)` (synchronous, on the loop: decoding) of the next batch runs while up to
    `max_in_flight` earlier batches are in `complete` (e.g. database transactions, each in its own
    thread and connection). `ack(events)` is called for a batch only after its own `complete` returned
    and the batch before it was acked, so acks follow the stream's order and an offset is never
    committed before its effect, and the effects of all batches before it, are durable. `complete`
    must retry outages itself and dead-letter what concerns one message: any error from `prepare`
    or `complete` ends the process (`fatal`). On shutdown the batches in flight finish and are
    acked; a batch only prepared is dropped unacked, to be redelivered.
    """
    if max_in_flight < 1:
        raise ValueError("max_in_flight must be >= 1")
    in_flight: deque[asyncio.Future[None]] = deque()

    async def finish(events: Sequence[E], prepared: P, previous: asyncio.Future[None] | None) -> None:
        await complete(prepared)
        if previous is not None:
            await asyncio.shield(previous)
        await ack(events)

    def on_done(future: asyncio.Future[None]) -> None:
        # Also when nobody awaits it (no next batch yet): a failed batch must not sit there unacked.
        if not future.cancelled() and future.exception() is not None:
            fatal(UNFIXABLE, future.exception())

    try:
        async for events in batches:
            try:
                prepared = prepare(events)
            except Exception as exc:
                fatal(UNFIXABLE, exc)
            while len(in_flight) >= max_in_flight:
                await _settle(in_flight.popleft())
            future = asyncio.ensure_future(finish(events, prepared, in_flight[-1] if in_flight else None))
            future.add_done_callback(on_done)
            in_flight.append(future)
        while in_flight:
            await _settle(in_flight.popleft())
    except asyncio.CancelledError:
        pending = [future for future in in_flight if not future.done()]
        if pending:
            log.info("stopping: finishing the %d batch(es) in flight", len(pending))
            try:
                await asyncio.wait_for(asyncio.shield(asyncio.gather(*pending)), drain_timeout_s)
            except BaseException as exc:
                fatal("could not finish the batches in flight before shutdown", exc)
        raise


async def _settle(future: asyncio.Future[None]) -> None:
    try:
        await asyncio.shield(future)
    except asyncio.CancelledError:
        raise
    except BaseException as exc:
        fatal(UNFIXABLE, exc)


def position_of(event: FaustEvent) -> Position:
    """The origin and raw bytes of a faust event (value and key serializers are "raw")."""
    message = event.message
    headers = message.headers or []
    items = headers.items() if isinstance(headers, Mapping) else headers
    return Position(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        value=message.value,
        headers={str(k): bytes(v) for k, v in items if v is not None},
    )
