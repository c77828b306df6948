"""The faust app of the extract and store workers around their consumer (services.common.consumer):
its configuration (at-least-once, the size budget, session timeout), the ops pages (/metrics, /healthz,
/readyz), the lag gauge, producing, and the `newswire <worker>` command.
"""

import argparse
import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import faust
from kafka.admin import KafkaAdminClient
from mode.types.signals import BaseSignalT
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest

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


class CommittedOffsets:
    """The offsets a consumer group has committed, as the broker knows them (kafka-python's admin
    client, created on first use). Blocks: call it from a thread."""

    def __init__(self, bootstrap_servers: str, group: str) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._group = group
        self._admin: KafkaAdminClient | None = None

    def __call__(self) -> dict[tuple[str, int], int]:
        """(topic, partition) -> committed offset, for the partitions the group has committed."""
        if self._admin is None:
            self._admin = KafkaAdminClient(
                bootstrap_servers=self._bootstrap_servers, client_id=f"{self._group}-lag"
            )
        offsets = self._admin.list_group_offsets(self._group).get(self._group, {})
        return {(tp.topic, tp.partition): meta.offset for tp, meta in offsets.items() if meta.offset >= 0}


def add_lag_monitor(app: faust.App, lag: Gauge, settings: WorkerSettings, interval_s: float = 5.0) -> None:
    """Every `interval_s`, set `lag{partition}` to the messages of each assigned partition that the group
    has not committed yet: the highwater minus the offset the broker holds as committed (minus the fetch
    position before the first commit)."""
    committed_offsets = CommittedOffsets(settings.kafka_bootstrap_servers, settings.app_id)

    @app.timer(interval_s)  # type: ignore[untyped-decorator]  # faust ships no type information
    async def measure_lag() -> None:
        consumer = app.consumer
        # An exception escaping a faust timer crashes the whole worker: a gauge is not worth that.
        try:
            committed = await asyncio.to_thread(committed_offsets)
            for tp in consumer.assignment():
                done = committed.get((tp.topic, tp.partition))
                if done is None:
                    done = await consumer.position(tp)
                # highwater is None until the first fetch of a newly assigned partition returned.
                highwater = consumer.highwater(tp)
                if done is not None and highwater is not None:
                    lag.labels(partition=str(tp.partition)).set(max(highwater - done, 0))
        except Exception as exc:  # the broker is down, or a partition was revoked between the calls
            log.debug("consumer lag not measured this time: %r", exc)


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
