"""The one intake path of every article entering newswire, whichever door it came in by (`POST
/v1/articles`, `newswire poll`): validate and normalise the fields, give the article its id, detect its
language, serialise it and check it against the message size budget. Pure apart from language detection
(deterministic, no I/O); CPU-bound, so callers on an event loop run it in a worker thread."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from services.ingest.articles import raw_articles_from_records
from services.ingest.outgoing import OutgoingArticle, check_sizes, encode


def intake(
    records: Sequence[Mapping[str, object]],
    *,
    batch: bool,
    default_source: str,
    ingested_at: datetime,
    max_message_bytes: int,
    offload_detection: bool = False,
) -> list[OutgoingArticle]:
    """The records as articles ready to publish, all or nothing.

    Raises ArticleValidationError naming the field (`articles[i].<field>` in a batch) or PayloadTooLarge
    naming the article whose message would exceed `max_message_bytes`.
    """
    articles = raw_articles_from_records(
        records,
        batch=batch,
        default_source=default_source,
        ingested_at=ingested_at,
        offload_detection=offload_detection,
    )
    outgoing = encode(articles)
    check_sizes(outgoing, max_message_bytes)
    return outgoing
