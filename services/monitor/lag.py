"""Consumer-group lag from what the broker knows, as pure functions: how many messages of a partition a group
has not consumed yet, and how old the oldest of them is.

A group's position in a partition is its committed offset; a group that never committed there starts at the
log start (our workers read from the earliest offset), and a committed offset below the log start (retention
deleted those messages) counts from the log start too: deleted messages can no longer be consumed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PartitionOffsets:
    """One partition of a watched group's topic, as read from the broker."""

    topic: str
    partition: int
    committed: int | None  # None: the group never committed in this partition
    log_start: int
    end: int  # the offset the next message will get
    oldest_unconsumed_ms: int | None  # timestamp of the message at the group's position, when there is one


@dataclass(frozen=True)
class PartitionLag:
    topic: str
    partition: int
    messages: int
    seconds: float


def position(offsets: PartitionOffsets) -> int:
    """The offset the group consumes next."""
    if offsets.committed is None:
        return offsets.log_start
    return max(offsets.committed, offsets.log_start)


def partition_lag(offsets: PartitionOffsets, now_s: float) -> PartitionLag:
    """Lag in messages (end - position) and in seconds (age of the message at the position; 0 with no lag,
    never negative when clocks disagree)."""
    messages = max(offsets.end - position(offsets), 0)
    seconds = 0.0
    if messages and offsets.oldest_unconsumed_ms is not None:
        seconds = max(now_s - offsets.oldest_unconsumed_ms / 1000.0, 0.0)
    return PartitionLag(offsets.topic, offsets.partition, messages, seconds)
