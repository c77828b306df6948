"""Articles as they leave ingest: each serialised once, for the message-size check and for Kafka.

Done twice (once to check the size, once to send), serialising took an eighth of ingest's time holding
the GIL; now the bytes checked against the broker's message size are the bytes sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from services.contracts.models import RawArticle
from services.ingest.errors import PayloadTooLarge

# Room for the key and headers next to the value within Kafka's max_request_size.
MESSAGE_OVERHEAD_BYTES: Final = 1024
_SERIALIZER: Final = RawArticle.__pydantic_serializer__


@dataclass(frozen=True, slots=True)
class OutgoingArticle:
    """An article and its Kafka message value (the RawArticle contract's JSON). `entered_at` is the time
    the message enters the pipeline, sent as the `ingested_at` header that end-to-end latency is measured
    from: the article's own `ingested_at` when None; the replay's time for a replayed article, whose body
    keeps its original ingestion time."""

    article: RawArticle
    value: bytes
    entered_at: datetime | None = None

    @property
    def header_time(self) -> datetime:
        return self.entered_at or self.article.ingested_at


def encode(articles: Sequence[RawArticle]) -> list[OutgoingArticle]:
    """Each article with its JSON, byte-for-byte what `model_dump_json()` gives."""
    return [OutgoingArticle(article, _SERIALIZER.to_json(article)) for article in articles]


def check_sizes(outgoing: Sequence[OutgoingArticle], max_message_bytes: int) -> None:
    """Raise PayloadTooLarge naming the first article whose message would exceed `max_message_bytes`."""
    limit = max_message_bytes - MESSAGE_OVERHEAD_BYTES
    for index, item in enumerate(outgoing):
        if len(item.value) > limit:
            raise PayloadTooLarge(
                f"article {index} is {len(item.value)} bytes once serialised; the limit is {limit}"
            )
