"""The consumer groups the lag exporter watches: the pipeline's two hops, and any downstream subscriber group
the operator lists, each with the topic it consumes."""

from __future__ import annotations

from dataclasses import dataclass

EXTRACT: str = "extract"
STORE: str = "store"
SUBSCRIBER: str = "subscriber"


@dataclass(frozen=True)
class WatchedGroup:
    group: str
    topic: str
    hop: str  # extract, store or subscriber: the `hop` label of every series of the group
