"""What the broker knows of the watched groups (kafka-python's admin client and a group-less consumer):
members, committed offsets, log start and end offsets, and the timestamp of the first unconsumed message.
Nothing here depends on the group's members being alive: the committed offsets live on the broker."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient

from services.contracts.budget import LARGEST_RECORD_BYTES
from services.monitor.lag import PartitionOffsets, position
from services.monitor.watched import WatchedGroup


@dataclass(frozen=True)
class GroupState:
    watched: WatchedGroup
    members: int
    partitions: tuple[PartitionOffsets, ...]


@dataclass
class BrokerReader:
    """Reads `GroupState`s. Owns its two clients, made on first use and dropped after a failure (the next read
    makes new ones). Blocks for up to about `timeout_s` per call plus `record_timeout_s` for timestamps."""

    bootstrap_servers: str
    timeout_s: float
    record_timeout_s: float
    _admin: KafkaAdminClient | None = field(default=None, init=False)
    _consumer: KafkaConsumer | None = field(default=None, init=False)

    def read(self, watched: Sequence[WatchedGroup]) -> list[GroupState]:
        """The state of every watched group. Raises kafka.errors.KafkaError (or OSError) when the broker does
        not answer; the clients are then closed."""
        try:
            return self._read(watched)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self._admin is not None:
            self._admin.close()
        if self._consumer is not None:
            self._consumer.close()
        self._admin = self._consumer = None

    def _clients(self) -> tuple[KafkaAdminClient, KafkaConsumer]:
        timeout_ms = int(self.timeout_s * 1000)
        if self._admin is None:
            self._admin = KafkaAdminClient(
                bootstrap_servers=self.bootstrap_servers, client_id="newswire-lag-exporter",
                request_timeout_ms=timeout_ms,
            )  # fmt: skip
        if self._consumer is None:
            self._consumer = KafkaConsumer(
                bootstrap_servers=self.bootstrap_servers,
                client_id="newswire-lag-exporter",
                group_id=None,  # reads without joining or committing anything
                enable_auto_commit=False,
                request_timeout_ms=max(timeout_ms, 1000) + 1000,
                max_partition_fetch_bytes=LARGEST_RECORD_BYTES,
            )
        return self._admin, self._consumer

    def _read(self, watched: Sequence[WatchedGroup]) -> list[GroupState]:
        admin, consumer = self._clients()
        groups = sorted({w.group for w in watched})
        described = admin.describe_groups(groups)
        committed = admin.list_group_offsets(groups)
        partitions = {
            w.topic: [
                TopicPartition(w.topic, p) for p in sorted(consumer.partitions_for_topic(w.topic) or ())
            ]
            for w in watched
        }
        every = [tp for tps in partitions.values() for tp in tps]
        starts = consumer.beginning_offsets(every, timeout_ms=int(self.timeout_s * 1000))
        ends = consumer.end_offsets(every, timeout_ms=int(self.timeout_s * 1000))
        states: list[GroupState] = []
        for w in watched:
            done = committed.get(w.group, {})
            offsets = [
                PartitionOffsets(
                    topic=tp.topic,
                    partition=tp.partition,
                    committed=_offset(done.get(tp)),
                    log_start=starts[tp],
                    end=ends[tp],
                    oldest_unconsumed_ms=None,
                )
                for tp in partitions[w.topic]
            ]
            stamps = self._timestamps(consumer, [o for o in offsets if position(o) < o.end])
            offsets = [replace(o, oldest_unconsumed_ms=stamps.get((o.topic, o.partition))) for o in offsets]
            info = described.get(w.group) or {}
            states.append(GroupState(w, len(info.get("members") or ()), tuple(offsets)))
        return states

    def _timestamps(
        self, consumer: KafkaConsumer, behind: Sequence[PartitionOffsets]
    ) -> dict[tuple[str, int], int]:
        """(topic, partition) -> timestamp (ms) of the message at the group's position, for `behind`. A
        partition whose message does not arrive within `record_timeout_s` is left out (its age unknown)."""
        if not behind:
            return {}
        wanted = {TopicPartition(o.topic, o.partition): position(o) for o in behind}
        consumer.assign(list(wanted))
        for tp, offset in wanted.items():
            consumer.seek(tp, offset)
        stamps: dict[tuple[str, int], int] = {}
        deadline = time.monotonic() + self.record_timeout_s
        try:
            while len(stamps) < len(wanted) and time.monotonic() < deadline:
                for tp, records in consumer.poll(timeout_ms=200, max_records=len(wanted) * 4).items():
                    first = next((r for r in records if r.offset >= wanted[tp]), None)
                    if first is not None and (tp.topic, tp.partition) not in stamps:
                        stamps[(tp.topic, tp.partition)] = first.timestamp
                        consumer.pause(tp)
        finally:
            consumer.unsubscribe()
        return stamps


def _offset(meta: object) -> int | None:
    offset = getattr(meta, "offset", -1)
    return offset if isinstance(offset, int) and offset >= 0 else None
