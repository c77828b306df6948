"""`newswire ingest`: serve the ingest HTTP API with uvicorn on the configured host and port.

It does nothing else: topics are created by `newswire topics ensure`, and Kafka may be down at start
(the API then answers 503 and /readyz reports why until the broker is reachable).

With `NEWSWIRE_INGEST_WORKERS` > 1 that many server processes serve the port (workers.py): one process
is bound by the GIL at about a core, and ingest's work per article (parsing, normalising, serialising,
kafka-python's producer) is all Python. The workers then share a Prometheus multiprocess directory,
made fresh for each run, so /metrics answers the totals of every worker whichever one takes the scrape.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from pydantic import ValidationError
from uvicorn.config import STARTUP_FAILURE

from services.common.build import declare_build_info
from services.common.logs import configure_logging, logging_config
from services.ingest.api import create_app
from services.ingest.errors import BrokerUnavailable
from services.ingest.language import stop_helper
from services.ingest.process_metrics import ProcessTreeCollector
from services.ingest.publisher import KafkaPublisher
from services.ingest.settings import METRICS_DIR_VARIABLE, IngestSettings
from services.ingest.workers import check_port_free, reuse_port_socket, supervise

log = logging.getLogger(__name__)


def load_settings() -> IngestSettings:
    """Settings from the environment. Raises SystemExit(2) with a readable message when invalid."""
    try:
        return IngestSettings()
    except ValidationError as exc:
        lines = [f"  - {'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors()]
        print("newswire ingest: invalid configuration:\n" + "\n".join(lines), file=sys.stderr)
        raise SystemExit(2) from None


def main(argv: list[str] | None = None) -> int:
    """Run the server (or its worker processes) until SIGINT/SIGTERM. Each server process finishes its
    requests in flight, then closes its producer, flushing what is pending."""
    parser = argparse.ArgumentParser(
        prog="newswire ingest",
        description="Serve the ingest HTTP API. Configured by the environment: NEWSWIRE_INGEST_* and "
        "KAFKA_BOOTSTRAP_SERVERS (see services/ingest/settings.py).",
    )
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args(argv)
    configure_logging("ingest", args.log_level)
    settings = load_settings()
    graceful_s = int(settings.publish_timeout_s) + 1
    if settings.workers == 1:
        uvicorn.run(
            f"{__name__}:app",
            factory=True,
            host=settings.host,
            port=settings.port,
            log_level=args.log_level,
            access_log=False,  # a line per request (every scrape and probe); the metrics count them
            log_config=logging_config("ingest", args.log_level),
            timeout_graceful_shutdown=graceful_s,
        )
        return 0
    try:
        check_port_free(settings.host, settings.port)
    except OSError as exc:
        return _cannot_listen(settings.host, settings.port, exc)
    metrics_dir = tempfile.mkdtemp(prefix="newswire-ingest-metrics-")
    # Read by prometheus_client when the workers import it, and by their settings.
    os.environ[METRICS_DIR_VARIABLE] = metrics_dir
    try:
        serve = functools.partial(_serve_worker, settings.host, settings.port, args.log_level, graceful_s)
        return supervise(settings.workers, serve, stop_timeout_s=graceful_s + settings.publish_timeout_s)
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)


def _cannot_listen(host: str, port: int, exc: OSError) -> int:
    """Say why on stderr; the exit code of a startup failure."""
    print(f"newswire ingest: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
    return STARTUP_FAILURE


def _serve_worker(host: str, port: int, log_level: str, graceful_s: int) -> None:
    """One worker process: uvicorn on its own SO_REUSEPORT socket (see workers.py)."""
    try:
        sock = reuse_port_socket(host, port)
    except OSError as exc:
        raise SystemExit(_cannot_listen(host, port, exc)) from None
    config = uvicorn.Config(
        f"{__name__}:app",
        factory=True,
        log_level=log_level,
        access_log=False,
        log_config=logging_config("ingest", log_level),
        timeout_graceful_shutdown=graceful_s,
    )
    uvicorn.Server(config).run(sockets=[sock])


def app() -> FastAPI:
    """The app of one server process (uvicorn's factory), owning its Kafka producer: connected in the
    background at startup, so neither the first request pays for the bootstrap nor a broker that is down
    keeps the server from starting; closed at shutdown, after the requests in flight were answered, and
    lingua's helper process with it."""
    settings = load_settings()
    publisher = KafkaPublisher(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        threading.Thread(target=_warm_up, args=(publisher,), name="kafka-warm-up", daemon=True).start()
        try:
            yield
        finally:
            publisher.close()
            stop_helper()

    return create_app(settings, publisher, registry=_registry(settings), lifespan=lifespan)


def _registry(settings: IngestSettings) -> CollectorRegistry:
    """The registry /metrics serves; `newswire_build_info` declared once per process (app() runs once per
    process). With several workers: the totals of their shared directory, and the process tree's own
    process metrics (the supervisor is this worker's parent: workers are spawned)."""
    if settings.metrics_dir is None:
        declare_build_info(REGISTRY, service="ingest", commit=settings.commit)
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(settings.metrics_dir))  # type: ignore[no-untyped-call]
    registry.register(ProcessTreeCollector(os.getppid()))
    # Unregistered: in multiprocess mode its value goes to the shared directory, read back just above.
    declare_build_info(None, service="ingest", commit=settings.commit)
    return registry


def _warm_up(publisher: KafkaPublisher) -> None:
    try:
        publisher.connect()
    except BrokerUnavailable as exc:
        log.warning("Kafka not reachable yet: %s", exc.reason)
