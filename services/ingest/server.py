"""`newswire ingest`: serve the ingest HTTP API with uvicorn on the configured host and port.

It does nothing else: topics are created by `newswire topics ensure`, and Kafka may be down at start
(the API then answers 503 and /readyz reports why until the broker is reachable).
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading

import uvicorn
from pydantic import ValidationError

from services.ingest.api import create_app
from services.ingest.errors import BrokerUnavailable
from services.ingest.publisher import KafkaPublisher
from services.ingest.settings import IngestSettings

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
    """Run the server until SIGINT/SIGTERM; then close the producer (flushing what is pending)."""
    parser = argparse.ArgumentParser(
        prog="newswire ingest",
        description="Serve the ingest HTTP API. Configured by the environment: NEWSWIRE_INGEST_* and "
        "KAFKA_BOOTSTRAP_SERVERS (see services/ingest/settings.py).",
    )
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args(argv)
    settings = load_settings()
    publisher = KafkaPublisher(settings)
    # Connect in the background so the first request does not pay for the bootstrap, and a broker
    # that is down does not keep the server from starting (requests get 503 until it is back).
    threading.Thread(target=_warm_up, args=(publisher,), name="kafka-warm-up", daemon=True).start()
    try:
        uvicorn.run(
            create_app(settings, publisher),
            host=settings.host,
            port=settings.port,
            log_level=args.log_level,
            timeout_graceful_shutdown=int(settings.publish_timeout_s) + 1,
        )
    finally:
        publisher.close()
    return 0


def _warm_up(publisher: KafkaPublisher) -> None:
    try:
        publisher.connect()
    except BrokerUnavailable as exc:
        log.warning("Kafka not reachable yet: %s", exc.reason)
