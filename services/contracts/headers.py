"""Kafka header names and the (de)serialisation of their values.

Headers carry what a hop needs without decoding the value: when the article entered the
system (for end-to-end latency) and which contract the value follows.
"""

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Final

INGESTED_AT: Final = "ingested_at"
SCHEMA: Final = "schema"

Headers = list[tuple[str, bytes]]


def make_headers(schema: str, ingested_at: datetime) -> Headers:
    """Headers for a message following `schema` (e.g. "newswire.RawArticle/1")."""
    return [(SCHEMA, schema.encode()), (INGESTED_AT, ingested_at.isoformat().encode())]


def header_map(headers: Iterable[tuple[str, bytes]] | Mapping[str, bytes] | None) -> dict[str, bytes]:
    """Normalise the shapes clients give headers in (list of pairs or mapping) to a dict."""
    if headers is None:
        return {}
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {str(k): bytes(v) for k, v in items if v is not None}


def ingested_at_of(headers: Mapping[str, bytes]) -> datetime | None:
    """The `ingested_at` header as an aware datetime, or None when absent or unreadable."""
    raw = headers.get(INGESTED_AT)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.decode())
    except (UnicodeDecodeError, ValueError):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
