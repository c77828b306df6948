"""`newswire poll`: polls every source of the sources file until SIGTERM/SIGINT, serving /metrics,
/healthz and /readyz on `web_host:web_port` (6066 by default).

One task per source: its first poll is due at the time its stored state says (a restart does not
poll early), else at once; then after each poll the report's delay (interval, or backoff after a
failure, with jitter). At shutdown the polls in flight get `stop_timeout_s` to finish and record;
one cut short is simply polled again after the restart (see poller.py for why that is safe).
`--once` polls every source once, concurrently, and exits (0 when every poll succeeded, else 1).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIServer, make_server

import httpx
from prometheus_client import CollectorRegistry, ProcessCollector, make_wsgi_app
from sqlalchemy.exc import SQLAlchemyError

from services.common.build import declare_build_info
from services.common.logs import configure_logging
from services.ingest.poll.metrics import PollMetrics
from services.ingest.poll.ninjs import NinjsReader
from services.ingest.poll.poller import Poller, PollReport
from services.ingest.poll.settings import PollSettings
from services.ingest.poll.sources import Source, SourcesFileError, load_sources
from services.ingest.poll.state import PollState, make_engine, retention_cutoff
from services.ingest.publisher import KafkaPublisher
from services.monitor.wsgi import QuietHandler, StartResponse, WsgiApp

log = logging.getLogger(__name__)
PRUNE_EVERY_S = 3600.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


def http_client(settings: PollSettings) -> httpx.AsyncClient:
    """The client every fetch goes through: redirects capped, a per-phase timeout as a floor under the
    per-fetch deadline, and our User-Agent (servers block anonymous clients)."""
    return httpx.AsyncClient(
        headers={"User-Agent": settings.user_agent},
        max_redirects=settings.max_redirects,
        timeout=httpx.Timeout(settings.timeout_s),
        trust_env=False,
    )


async def poll_source(
    poller: Poller, source: Source, stop: asyncio.Event, clock: Callable[[], datetime]
) -> None:
    """Poll `source` until `stop` is set. Never raises but CancelledError."""
    delay = 0.0
    with contextlib.suppress(SQLAlchemyError):
        state = await poller.load(source)
        if state.next_poll_at is not None:
            delay = max(0.0, (state.next_poll_at - clock()).total_seconds())
    while not await _stopped_within(stop, delay):
        report = await poller.poll(source)
        delay = report.delay_s


async def poll_all_once(poller: Poller, sources: Iterable[Source]) -> list[PollReport]:
    """Poll each source once, concurrently."""
    return list(await asyncio.gather(*(poller.poll(source) for source in sources)))


async def run(
    settings: PollSettings, sources: tuple[Source, ...], *, once: bool, registry: CollectorRegistry
) -> int:
    """Poll until SIGTERM/SIGINT (or each source once with `once`). Blocks; returns the exit status."""
    metrics = PollMetrics(registry)
    metrics.declare((source.source, source.interval_s) for source in sources)
    engine = make_engine(settings.database_url)
    state = PollState(engine)
    publisher = KafkaPublisher(settings, client_id="newswire-poll")
    clock = _utc_now
    started = clock().timestamp()
    for source in sources:
        metrics.last_success.labels(source.source).set(started)
    server = None if once else _serve_http(settings, registry, publisher, state)
    try:
        async with http_client(settings) as client:
            poller = Poller(
                settings,
                client=client,
                state=state,
                publisher=publisher,
                ninjs=NinjsReader.load(),
                metrics=metrics,
                clock=clock,
            )
            if once:
                reports = await poll_all_once(poller, sources)
                return 0 if all(report.reason is None for report in reports) else 1
            await _until_stopped(settings, poller, state, sources, clock)
            return 0
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        await asyncio.to_thread(publisher.close)
        engine.dispose()


async def _until_stopped(
    settings: PollSettings,
    poller: Poller,
    state: PollState,
    sources: tuple[Source, ...],
    clock: Callable[[], datetime],
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("polling %d sources: %s", len(sources), ", ".join(source.source for source in sources))
    tasks = [asyncio.create_task(poll_source(poller, source, stop, clock)) for source in sources]
    tasks.append(asyncio.create_task(_prune(settings, state, stop, clock)))
    await stop.wait()
    log.info("stopping: waiting up to %g s for the polls in flight", settings.stop_timeout_s)
    _, pending = await asyncio.wait(tasks, timeout=settings.stop_timeout_s)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


async def _prune(
    settings: PollSettings, state: PollState, stop: asyncio.Event, clock: Callable[[], datetime]
) -> None:
    while not await _stopped_within(stop, PRUNE_EVERY_S):
        cutoff = retention_cutoff(clock(), settings.seen_retention_days)
        try:
            dropped = await asyncio.to_thread(state.forget_items_before, cutoff)
        except SQLAlchemyError as exc:
            log.warning("could not forget old item ids: %s", str(exc).splitlines()[0])
        else:
            if dropped:
                log.info("forgot %d item ids first seen before %s", dropped, cutoff.isoformat())


async def _stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    """Wait up to `seconds`; True as soon as `stop` is set."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True


def build_wsgi_app(registry: CollectorRegistry, ready: Callable[[], str | None]) -> WsgiApp:
    """/metrics; /healthz (the process answers); /readyz (200 when Kafka and Postgres answer, else 503
    with the reason)."""
    metrics_app = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == "/metrics":
            return metrics_app(environ, start_response)  # type: ignore[no-any-return]
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"status": "ok"}']
        if path == "/readyz":
            reason = ready()
            if reason is None:
                start_response("200 OK", [("Content-Type", "application/json")])
                return [b'{"status": "ready"}']
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8")])
            return [f"not ready: {reason}\n".encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found: /metrics, /healthz or /readyz\n"]

    return app


def _serve_http(
    settings: PollSettings, registry: CollectorRegistry, publisher: KafkaPublisher, state: PollState
) -> WSGIServer:
    def ready() -> str | None:
        reason = publisher.check_ready()
        if reason is not None:
            return reason
        try:
            state.ping()
        except SQLAlchemyError as exc:
            return f"PostgreSQL: {str(exc).splitlines()[0]}"
        return None

    server = make_server(
        settings.web_host, settings.web_port, build_wsgi_app(registry, ready), handler_class=QuietHandler
    )
    threading.Thread(target=server.serve_forever, name="poll-http", daemon=True).start()
    log.info("poller metrics on http://%s:%d/metrics", settings.web_host, settings.web_port)
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="newswire poll",
        description="Poll the RSS/Atom/ninjs feeds of a sources file and publish their new items.",
    )
    parser.add_argument("--sources", type=Path, help="the sources file (default: NEWSWIRE_POLL_SOURCES)")
    parser.add_argument("--once", action="store_true", help="poll every source once and exit")
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    configure_logging("poll", args.log_level)
    settings = PollSettings() if args.sources is None else PollSettings(sources=args.sources)
    try:
        sources = load_sources(settings.sources)
    except SourcesFileError as exc:
        log.error("%s", exc)
        return 2
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    declare_build_info(registry, service="poll", commit=settings.commit)
    return asyncio.run(run(settings, sources, once=args.once, registry=registry))
