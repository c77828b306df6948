"""Kafka topic names. A breaking contract change is a new topic version, never an edit in place.

`Topics.named(prefix)` gives the same set under a namespace prefix, so tests and parallel stacks on one
broker never read each other's messages; production uses the empty prefix.
"""

from dataclasses import dataclass
from typing import Final

RAW_ARTICLES: Final = "newswire.articles.raw.v1"
ENRICHED_ARTICLES: Final = "newswire.articles.enriched.v1"
EVENTS: Final = "newswire.events.v1"
DEADLETTER: Final = "newswire.deadletter.v1"


@dataclass(frozen=True)
class Topics:
    raw: str = RAW_ARTICLES
    enriched: str = ENRICHED_ARTICLES
    events: str = EVENTS
    deadletter: str = DEADLETTER

    @classmethod
    def named(cls, prefix: str = "") -> "Topics":
        return cls(*(prefix + name for name in (RAW_ARTICLES, ENRICHED_ARTICLES, EVENTS, DEADLETTER)))

    def all(self) -> tuple[str, str, str, str]:
        return (self.raw, self.enriched, self.events, self.deadletter)
