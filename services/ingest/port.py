"""What the HTTP app needs from a publisher. The Kafka implementation is `publisher.KafkaPublisher`;
tests use an in-memory double, so the app is tested without a broker."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from services.ingest.outgoing import OutgoingArticle


class ArticlePublisher(Protocol):
    def publish(self, articles: Sequence[OutgoingArticle]) -> None:
        """Make every article durable (its `value` is the message), or raise. Blocks (call it from a
        worker thread).

        Returns only once the broker acknowledged all of them. Raises BrokerUnavailable (nothing may be
        assumed durable) or PayloadTooLarge (an article exceeds the broker's message size).
        """
        ...

    def check_ready(self) -> str | None:
        """None when the broker looks reachable, else the reason it does not. Blocks briefly."""
        ...

    def close(self) -> None:
        """Flush what is pending and release connections. Blocks up to the publish timeout."""
        ...
