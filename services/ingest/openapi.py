"""What `POST /v1/articles` documents in the served OpenAPI: its request bodies, text/plain's headers and
query parameters, and every answer. The handler reads the raw body itself (parsing.py, articles.py), so
FastAPI cannot infer any of this; it is written here, next to nothing else, and kept honest by the
schemathesis run of the test suite (tests/integration/test_ingest_openapi.py).
"""

from __future__ import annotations

from typing import Any, Final

from services.ingest.parsing import JSON, NDJSON_TYPES, TEXT, TEXT_FIELD_SOURCES

_OPTIONAL_STRING: Final = {"type": ["string", "null"]}
ARTICLE: Final[dict[str, Any]] = {
    "type": "object",
    "description": "One article; unknown fields are refused (422), null counts as absent",
    "properties": {
        "text": {"type": "string", "description": "Required; at least one visible character"},
        "title": _OPTIONAL_STRING,
        "external_id": {"type": ["string", "integer", "null"], "description": "The caller's id"},
        "id": {"type": ["string", "integer", "null"], "description": "Alias of external_id"},
        "source": _OPTIONAL_STRING,
        "url": {**_OPTIONAL_STRING, "description": "Absolute http(s) URL"},
        "published_at": {**_OPTIONAL_STRING, "description": "ISO 8601; without a zone, UTC"},
        "lang": {**_OPTIONAL_STRING, "description": "BCP 47 tag, e.g. fr or fr-FR"},
    },
    "required": ["text"],
    "additionalProperties": False,
}

_ERROR: Final = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "Short code, e.g. invalid_article"},
        "reason": {"type": "string"},
        "field": {"type": ["string", "null"], "description": "The offending field, e.g. articles[3].url"},
    },
    "required": ["error", "reason", "field"],
}
_LINES: Final = {"type": "string", "description": "One article object (JSON) per line"}


def _error(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": description, "content": {JSON: {"schema": _ERROR}}}
    if headers:
        answer["headers"] = headers
    return answer


REQUEST_BODY: Final[dict[str, Any]] = {
    "required": True,
    "content": {
        JSON: {
            "schema": {
                "oneOf": [
                    ARTICLE,
                    {"type": "array", "items": ARTICLE},
                    {
                        "type": "object",
                        "properties": {"articles": {"type": "array", "items": ARTICLE}},
                        "required": ["articles"],
                        "additionalProperties": False,
                    },
                ]
            }
        },
        **{media: {"schema": _LINES} for media in sorted(NDJSON_TYPES)},
        TEXT: {"schema": {"type": "string", "description": "The article's text; fields as headers or query"}},
    },
}

# text/plain only: each field as a header (winning) or a query parameter.
PARAMETERS: Final[list[dict[str, Any]]] = [
    parameter
    for field, header in TEXT_FIELD_SOURCES
    for parameter in (
        {
            "name": header,
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "description": f"`{field}` of a text/plain article",
        },
        {
            "name": field,
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": f"`{field}` of a text/plain article (the header wins)",
        },
    )
]

RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    202: {
        "description": "Every article is durably in Kafka (all or nothing)",
        "content": {
            JSON: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "accepted": {"type": "integer"},
                        "article_ids": {"type": "array", "items": {"type": "string"}},
                    },
                    "required": ["accepted", "article_ids"],
                }
            }
        },
    },
    400: _error("The body cannot be read: empty, not UTF-8, not JSON where JSON was announced"),
    401: _error(
        "No API key or a wrong one (X-API-Key or Authorization: Bearer)",
        {"WWW-Authenticate": {"schema": {"type": "string"}}},
    ),
    413: _error("The body, an article's serialised size or the number of articles exceeds its limit"),
    415: _error("A Content-Type other than the accepted ones, or a charset other than UTF-8"),
    422: _error("An article field is missing, of the wrong type or unusable; `field` names it"),
    503: _error(
        "Kafka did not acknowledge the articles (or is known to be down); nothing may be assumed stored",
        {"Retry-After": {"schema": {"type": "integer"}}},
    ),
}

NOT_READY: Final = _error(
    "Kafka is unreachable (or the publisher is closed)", {"Retry-After": {"schema": {"type": "integer"}}}
)
METRICS: Final = {
    "description": "Prometheus text exposition",
    "content": {"text/plain": {"schema": {"type": "string"}}},
}
