"""The faust frame shared by the extract and store workers.

faust acknowledges every event of a `take_events()` batch in a `finally:` once the loop body is left,
whether the body finished, raised or was cancelled, and commits acknowledged offsets on a timer. So
`consume_batches` never lets the body end early: the handler dead-letters poison and retries outages
itself; an unexpected error ends the process at once (`os._exit`, no commit, the batch is redelivered);
a shutdown (SIGTERM) lets the batch in flight finish before faust may ack and commit it.
`consume_pipelined` keeps the same contract for a stream whose events the caller acks itself
(`noack_take`), and prepares the next batch while earlier ones are being made durable (several at once
if asked, acked in order).
"""

import argparse
import asyncio
import logging
import os
import sys
import time
from collections import deque
from collections.abc import AsyncIterable, Awaitable, Callable, Sequence
from typing import Any, NoReturn, TypeVar

import faust
from mode.types.signals import BaseSignalT
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest

from services.common.messages import Outgoing, Position
from services.common.readiness import GroupMembership, first_unreachable_reason
from services.common.topics_admin import ensure_topics
from services.common.worker_settings import WorkerSettings
from services.contracts.budget import ENRICHED_TOPIC_BYTES, LARGEST_RECORD_BYTES

log = logging.getLogger(__name__)

P = TypeVar("P")
S = TypeVar("S", bound=WorkerSettings)
EXIT_UNEXPECTED = 70  # EX_SOFTWARE: the orchestrator restarts the worker; nothing was committed.
UNFIXABLE = (
    "error that is neither an outage nor one message's fault (configuration or bug); "
    "exiting without committing, the batch will be redelivered"
)


def make_app(settings: WorkerSettings) -> faust.App:
    """A faust app configured for at-least-once batch work on topics the project creates itself."""
    return faust.App(
        settings.app_id,
        broker=[f"kafka://{server.strip()}" for server in settings.kafka_bootstrap_servers.split(",")],
        value_serializer="raw",
        key_serializer="raw",
        processing_guarantee="at_least_once",
        producer_acks=-1,
        # A few ms of linger turn the hundreds of sends of one batch into a few produce requests
        # (the broker's cost is per request, and it shares the CPUs with the workers).
        producer_linger=0.005,
        producer_max_batch_size=256 * 1024,
        # The size budget (services/contracts/budget.py): the largest output is an enriched article,
        # and a consumer must be able to fetch the largest record of any of our topics.
        producer_max_request_size=ENRICHED_TOPIC_BYTES,
        consumer_max_fetch_size=LARGEST_RECORD_BYTES,
        consumer_auto_offset_reset="earliest",
        # A member killed without leaving the group is noticed after the session timeout (faust's
        # default, 60 s, stalled its partitions for a minute); heartbeats go three times as often.
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=settings.heartbeat_interval_s,
        broker_commit_interval=settings.commit_interval_s,
        topic_disable_leader=True,
        topic_allow_declare=False,
        # faust binds web_bind (default: every interface) and only advertises web_host.
        web_bind=settings.web_host,
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=True,
        datadir=str(settings.datadir),
    )


def add_ops_pages(
    app: faust.App, settings: WorkerSettings, checks: Sequence[Callable[[], str | None]]
) -> None:
    """Serve /metrics (the default Prometheus registry), /healthz and /readyz on the worker's web port.

    /readyz answers 200 `{"ready": true}` only when the broker is reachable, the worker holds a
    partition assignment (see `readiness.GroupMembership`) and each of `checks` (the worker's own:
    model loaded, database reachable) answers None; else 503 with the first reason.
    """
    membership = GroupMembership(grace_s=settings.rebalance_grace_s, clock=time.monotonic)

    def on_assigned(sender: Any, /, *args: Any, signal: BaseSignalT[Any], **kwargs: Any) -> None:
        membership.assigned()

    def on_revoked(sender: Any, /, *args: Any, signal: BaseSignalT[Any], **kwargs: Any) -> None:
        membership.revoked()

    app.on_partitions_assigned.connect(on_assigned)
    app.on_partitions_revoked.connect(on_revoked)

    def broker() -> str | None:
        return first_unreachable_reason(settings.kafka_bootstrap_servers, settings.readiness_timeout_s)

    def reason() -> str | None:
        return next((r for r in (check() for check in (*checks, membership.problem, broker)) if r), None)

    @app.page("/metrics")
    async def metrics(web: Any, request: Any) -> Any:
        return web.bytes(generate_latest(), content_type=CONTENT_TYPE_LATEST.split(";")[0])

    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        return web.json({"status": "ok"})

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:
        why = await asyncio.to_thread(reason)  # the broker check connects: off the web loop
        if why is None:
            return web.json({"ready": True})
        return web.json({"ready": False, "reason": why}, status=503)


def add_lag_monitor(app: faust.App, lag: Gauge, interval_s: float = 5.0) -> None:
    """Every `interval_s`, set `lag{partition}` to the messages of each assigned partition that the group
    has not committed yet (highwater minus committed offset, or minus the fetch position before the
    first commit)."""

    @app.timer(interval_s)  # type: ignore[untyped-decorator]  # faust ships no type information
    async def measure_lag() -> None:
        consumer = app.consumer
        # faust keeps the last committed offset per partition only in this attribute (no public accessor).
        committed = getattr(consumer, "_committed_offset", {})
        # An exception escaping a faust timer crashes the whole worker: a gauge is not worth that.
        try:
            for tp in consumer.assignment():
                done = committed.get(tp)
                if done is None:
                    done = await consumer.position(tp)
                # highwater is None until the first fetch of a newly assigned partition returned.
                highwater = consumer.highwater(tp)
                if done is not None and highwater is not None:
                    lag.labels(partition=str(tp.partition)).set(max(highwater - done, 0))
        except Exception as exc:  # e.g. a partition revoked by a rebalance between the two calls
            log.debug("consumer lag not measured this time: %r", exc)


def fatal(message: str, exc: BaseException | None = None) -> NoReturn:
    """End the process now, without letting faust ack or commit anything more.

    Only for what neither a retry nor a dead letter can fix: outages are retried and a message's own
    fault is dead-lettered before anything reaches here, so what remains is a configuration error
    (a missing table, a refused authorisation) or a bug, and a restart with the batch redelivered is
    the best the process can do."""
    log.critical("%s: %r", message, exc, exc_info=exc)
    logging.shutdown()
    sys.stderr.flush()
    os._exit(EXIT_UNEXPECTED)


async def consume_batches(
    batches: AsyncIterable[Sequence[Any]],
    handle: Callable[[Sequence[Any]], Awaitable[None]],
    *,
    drain_timeout_s: float,
) -> None:
    """Feed each batch of faust events to `handle`, which must only return once every event's effect
    (output produced, row committed, or dead letter sent) is durable. See the module docstring."""
    async for events in batches:
        task = asyncio.ensure_future(handle(events))
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            log.info("stopping: finishing the batch in flight (%d events)", len(events))
            try:
                await asyncio.wait_for(asyncio.shield(task), drain_timeout_s)
            except BaseException as exc:
                fatal("could not finish the batch in flight before shutdown", exc)
            raise
        except BaseException as exc:
            fatal(UNFIXABLE, exc)


async def consume_pipelined(
    batches: AsyncIterable[Sequence[Any]],
    prepare: Callable[[Sequence[Any]], P],
    complete: Callable[[P], Awaitable[None]],
    ack: Callable[[Sequence[Any]], Awaitable[None]],
    *,
    drain_timeout_s: float,
    max_in_flight: int = 1,
) -> None:
    """`consume_batches` for a stream that does not ack by itself (faust's `noack_take`), overlapping
    the CPU work of one batch with the I/O of the ones before it.

    `prepare(events)` (synchronous, on the loop: decoding) of the next batch runs while up to
    `max_in_flight` earlier batches are in `complete` (e.g. database transactions, each in its own
    thread and connection). `ack(events)` is called for a batch only after its own `complete` returned
    and the batch before it was acked, so acks follow the stream's order and an offset is never
    committed before its effect, and the effects of all batches before it, are durable. `complete`
    must retry outages itself, like a `consume_batches` handler: any error from `prepare` or `complete`
    ends the process (`fatal`). On shutdown the batches in flight finish and are acked; a batch only
    prepared is dropped unacked, to be redelivered.
    """
    if max_in_flight < 1:
        raise ValueError("max_in_flight must be >= 1")
    in_flight: deque[asyncio.Future[None]] = deque()

    async def finish(events: Sequence[Any], prepared: P, previous: asyncio.Future[None] | None) -> None:
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


async def send_all(app: faust.App, messages: Sequence[Outgoing]) -> None:
    """Produce `messages` and wait until the broker acknowledged every one (acks=all). Raises on failure."""
    producer = app.producer
    futures = [await producer.send(m.topic, m.key, m.value, None, None, m.headers) for m in messages]
    await asyncio.gather(*futures)


def worker_main(
    argv: list[str] | None,
    *,
    prog: str,
    description: str | None,
    settings: Callable[[], S],
    build_app: Callable[[S], faust.App],
) -> int:
    """The `newswire <prog>` command of a worker: read its settings, create its topics, run it. Blocks."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--loglevel", default="info")
    args = parser.parse_args(argv)
    config = settings()
    ensure_topics(config.kafka_bootstrap_servers, config.topics, partitions=config.topic_partitions)
    return run_worker(build_app(config), loglevel=args.loglevel)


def run_worker(app: faust.App, loglevel: str = "info") -> int:
    """Run `app` as a faust worker until SIGTERM/SIGINT. Blocks."""
    worker = faust.Worker(app, loglevel=loglevel, quiet=True)
    worker.execute_from_commandline()
    return 0


def position_of(event: Any) -> Position:
    """The origin and raw bytes of a faust event (value and key serializers are "raw")."""
    message = event.message
    headers = message.headers or []
    items = headers.items() if isinstance(headers, dict) else headers
    return Position(
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        key=message.key,
        value=message.value,
        headers={str(k): bytes(v) for k, v in items if v is not None},
    )
