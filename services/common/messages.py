"""Plain values for messages crossing a worker's edges (no Kafka import, so pure code can build them)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Position:
    """Where a consumed message came from, with its raw bytes."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, bytes]


@dataclass(frozen=True)
class Outgoing:
    """A message to produce: value bytes with key and headers, to one topic."""

    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]
