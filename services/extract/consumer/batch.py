"""The per-message logic of the extract worker, as pure functions of plain values (no Kafka, no faust):
decode a raw message, and turn an enriched article into the messages to publish."""

from datetime import UTC, datetime

from services.common.decode import decode_contract
from services.common.messages import Outgoing
from services.contracts.headers import ingested_at_of, make_headers
from services.contracts.models import (
    ENRICHED_ARTICLE_SCHEMA,
    EVENT_SCHEMA,
    EnrichedArticle,
    EventMessage,
    RawArticle,
)
from services.contracts.topics import Topics


def decode_raw(value: bytes | None) -> RawArticle:
    """The RawArticle in a message value. Raises PoisonMessage naming what is wrong."""
    return decode_contract(RawArticle, value)


def outputs_for(article: EnrichedArticle, topics: Topics, headers: dict[str, bytes]) -> list[Outgoing]:
    """The enriched article and one message per event, each keyed by its id, carrying `ingested_at`."""
    ingested_at = ingested_at_of(headers) or article.ingested_at or datetime.now(UTC)
    messages = [
        Outgoing(
            topic=topics.enriched,
            key=article.article_id.encode(),
            value=article.model_dump_json().encode(),
            headers=make_headers(ENRICHED_ARTICLE_SCHEMA, ingested_at),
        )
    ]
    for event in article.events:
        message = EventMessage(
            **event.model_dump(),
            article_id=article.article_id,
            extractor_version=article.extractor_version,
            published_at=article.published_at,
        )
        messages.append(
            Outgoing(
                topic=topics.events,
                key=event.id.encode(),
                value=message.model_dump_json().encode(),
                headers=make_headers(EVENT_SCHEMA, ingested_at),
            )
        )
    return messages
