"""`newswire lag-exporter`: serves consumer-group lag read from the broker at /metrics (and /healthz) on
127.0.0.1:9308 by default. One process per cluster is enough; it holds no state, so it may be restarted at
any time. Blocks until SIGTERM/SIGINT."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, ProcessCollector, make_wsgi_app

from services.common.build import declare_build_info
from services.common.logs import configure_logging
from services.monitor.broker import BrokerReader
from services.monitor.collector import LagCollector
from services.monitor.settings import LagSettings
from services.monitor.wsgi import StartResponse, WsgiApp, serve_until_signalled

log = logging.getLogger(__name__)


def build_registry(settings: LagSettings, reader: BrokerReader) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(LagCollector(reader.read, settings.watched()))
    ProcessCollector(registry=registry)
    declare_build_info(registry, service="lag-exporter", commit=settings.commit)
    return registry


def build_wsgi_app(registry: CollectorRegistry) -> WsgiApp:
    metrics = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"status": "ok"}']
        if environ.get("PATH_INFO") == "/metrics":
            return metrics(environ, start_response)  # type: ignore[no-any-return]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found: /metrics or /healthz\n"]

    return app


def serve(settings: LagSettings) -> None:
    """Serve until SIGTERM/SIGINT. Blocks."""
    reader = BrokerReader(settings.kafka_bootstrap_servers, settings.timeout_s, settings.record_timeout_s)
    log.info("lag exporter on http://%s:%d/metrics", settings.web_host, settings.web_port)
    app = build_wsgi_app(build_registry(settings, reader))
    try:
        serve_until_signalled(settings.web_host, settings.web_port, app)
    finally:
        reader.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="newswire lag-exporter",
        description="Serve the consumer-group lag of the pipeline's hops, read from the broker.",
    )
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    configure_logging("lag-exporter", args.log_level)
    serve(LagSettings())
    return 0
