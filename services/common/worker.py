"""The faust app of the extract and store workers around their consumer (services.common.consumer):
its configuration (at-least-once, the size budget, session timeout), the ops pages (/metrics, /livez =
/healthz, /readyz), producing, and the `newswire <worker>` command. Consumer lag is read from the broker
by the lag exporter (services.monitor), not here: a dead worker reports nothing.
"""

import argparse
import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import faust
from mode.types.signals import BaseSignalT
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from services.common.build import declare_build_info
from services.common.heartbeat import Heartbeat
from services.common.logs import logging_config
from services.common.messages import Outgoing
from services.common.readiness import GroupMembership, first_unreachable_reason
from services.common.topics_admin import ensure_topics
from services.common.worker_settings import WorkerSettings
from services.contracts.budget import ENRICHED_TOPIC_BYTES, LARGEST_RECORD_BYTES

log = logging.getLogger(__name__)

S = TypeVar("S", bound=WorkerSettings)


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
    app: faust.App, settings: WorkerSettings, checks: Sequence[Callable[[], str | None]], heartbeat: Heartbeat
) -> None:
    """Serve /metrics (the default Prometheus registry), /livez (= /healthz) and /readyz on the worker's
    web port.

    /livez answers 200 while the consumer agent's `heartbeat` is at most `settings.liveness_timeout_s`
    old, else 503 with the reason: an orchestrator restarts a worker whose agent is wedged.
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

    async def alive(web: Any, request: Any) -> Any:
        why = heartbeat.problem(settings.liveness_timeout_s)
        if why is None:
            return web.json({"status": "ok"})
        return web.json({"status": "wedged", "reason": why}, status=503)

    app.page("/livez")(alive)
    app.page("/healthz")(alive)

    @app.page("/readyz")
    async def readyz(web: Any, request: Any) -> Any:
        why = await asyncio.to_thread(reason)  # the broker check connects: off the web loop
        if why is None:
            return web.json({"ready": True})
        return web.json({"ready": False, "reason": why}, status=503)


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
    # "newswire extract-worker" -> service "extract"
    service = prog.removeprefix("newswire ").removesuffix("-worker")
    declare_build_info(REGISTRY, service=service, commit=config.commit)
    ensure_topics(config.kafka_bootstrap_servers, config.topics, config.topic_layout)
    return run_worker(build_app(config), service, loglevel=args.loglevel)


def run_worker(app: faust.App, service: str, loglevel: str = "info") -> int:
    """Run `app` as a faust worker until SIGTERM/SIGINT, logging JSON lines (services.common.logs). Blocks."""
    worker = faust.Worker(
        app, loglevel=loglevel, quiet=True, logging_config=logging_config(service, loglevel)
    )
    worker.execute_from_commandline()
    return 0
