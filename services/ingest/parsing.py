"""From an HTTP request body to the field mappings of its articles (pure: bytes in, dicts out).

Accepted bodies (UTF-8 only; a `charset` parameter other than utf-8/us-ascii is refused):

* ``application/json``: one article object, an array of article objects, or ``{"articles": [...]}``.
* ``application/x-ndjson``, ``application/ndjson``, ``application/jsonl``, ``application/x-jsonlines``:
  one article object per line; blank lines are skipped.
* ``text/plain``: the body is the article text (title, dateline and date are found in it by
  normalise.py). Other fields come from headers or query parameters, headers winning:
  ``X-External-Id``/``external_id``, ``X-Source``/``source``, ``X-Title``/``title``, ``X-Url``/``url``,
  ``X-Published-At``/``published_at``, ``X-Lang``/``lang``. These apply to text/plain only.

Errors, by HTTP status: 400 `MalformedBody` (empty body, invalid UTF-8 or JSON, bad Content-Length),
413 `PayloadTooLarge` (declared or actual size, or too many articles), 415 `UnsupportedMediaType`,
422 `ArticleValidationError` (a JSON value that is not an article object, naming where it is).
A batch (array or NDJSON) locates its articles as ``articles[i]`` (0-based, blank NDJSON lines not
counted); a single object's fields are named bare (``text``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import orjson

from services.ingest.errors import (
    ArticleValidationError,
    MalformedBody,
    PayloadTooLarge,
    UnsupportedMediaType,
)

JSON: Final = "application/json"
NDJSON_TYPES: Final = frozenset(
    {"application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"}
)
TEXT: Final = "text/plain"
ACCEPTED_TYPES: Final = (JSON, *sorted(NDJSON_TYPES), TEXT)
_CHARSETS: Final = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})
TEXT_FIELD_SOURCES: Final = (
    ("external_id", "x-external-id"),
    ("source", "x-source"),
    ("title", "x-title"),
    ("url", "x-url"),
    ("published_at", "x-published-at"),
    ("lang", "x-lang"),
)


@dataclass(frozen=True)
class ParsedBody:
    """The field mappings of a request's articles; `batch` says their fields are named `articles[i].x`."""

    records: list[dict[str, object]]
    batch: bool


def media_type_of(content_type: str | None) -> str:
    """The lower-case media type of a Content-Type header. Raises UnsupportedMediaType when it is
    missing, not one ingest reads, or declares a charset other than UTF-8."""
    if content_type is None or not content_type.strip():
        raise UnsupportedMediaType(f"Content-Type is required; accepted: {', '.join(ACCEPTED_TYPES)}")
    media, *params = (part.strip() for part in content_type.split(";"))
    media = media.lower()
    if media not in ACCEPTED_TYPES:
        raise UnsupportedMediaType(
            f"Content-Type {media!r} is not accepted; use one of {', '.join(ACCEPTED_TYPES)}"
        )
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in _CHARSETS:
            raise UnsupportedMediaType(f"charset {value.strip()!r} is not accepted; send UTF-8")
    return media


def check_content_length(value: str | None, limit: int) -> None:
    """Refuse a body from its declared length before reading it. Raises MalformedBody for an unreadable
    header, PayloadTooLarge over `limit`; a missing header (chunked body) passes."""
    if value is None:
        return
    try:
        declared = int(value)
    except ValueError:
        raise MalformedBody(f"Content-Length {value!r} is not an integer") from None
    if declared < 0:
        raise MalformedBody("Content-Length must not be negative")
    if declared > limit:
        raise PayloadTooLarge(f"body of {declared} bytes exceeds the limit of {limit} bytes")


def plain_text_fields(headers: Mapping[str, str], query: Mapping[str, str]) -> dict[str, object]:
    """The article fields a text/plain request gives outside its body (headers win over query)."""
    fields: dict[str, object] = {}
    for name, header in TEXT_FIELD_SOURCES:
        from_header = headers.get(header)
        value = _header_text(from_header) if from_header is not None else query.get(name)
        if value is not None and value.strip():
            fields[name] = value.strip()
    return fields


def _header_text(value: str) -> str:
    """HTTP servers decode header bytes as Latin-1; clients that send UTF-8 (a title with accents) get
    them back here. A value that is not UTF-8 is kept as decoded."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def parse_body(
    body: bytes, media_type: str, *, max_articles: int, text_fields: Mapping[str, object] | None = None
) -> ParsedBody:
    """Split a body of `media_type` (from `media_type_of`) into article field mappings.

    Raises MalformedBody, PayloadTooLarge (more than `max_articles`) or ArticleValidationError.
    """
    if not body:
        raise MalformedBody("the request body is empty")
    if media_type == TEXT:
        return ParsedBody([{**(text_fields or {}), "text": _utf8(body)}], batch=False)
    if media_type in NDJSON_TYPES:
        return ParsedBody(_ndjson_records(body, max_articles), batch=True)
    return _json_records(body, max_articles)


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedBody(f"the body is not valid UTF-8 (byte {exc.start})") from None


def _json_records(body: bytes, max_articles: int) -> ParsedBody:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise MalformedBody(f"invalid JSON: {exc}") from None
    if isinstance(value, dict) and set(value) == {"articles"} and isinstance(value["articles"], list):
        value = value["articles"]
    if isinstance(value, dict):
        return ParsedBody([value], batch=False)
    if not isinstance(value, list):
        raise ArticleValidationError("body", "must be a JSON object or an array of objects")
    if not value:
        raise ArticleValidationError("articles", "must contain at least one article")
    _check_count(len(value), max_articles)
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise ArticleValidationError(f"articles[{index}]", "must be a JSON object")
    return ParsedBody(value, batch=True)


def _ndjson_records(body: bytes, max_articles: int) -> list[dict[str, object]]:
    records: list[dict[str, object]] = []
    for number, line in enumerate(body.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise MalformedBody(f"line {number}: invalid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise ArticleValidationError(f"articles[{len(records)}]", f"line {number} must be a JSON object")
        records.append(value)
        _check_count(len(records), max_articles)
    if not records:
        raise MalformedBody("the request body has no article (only blank lines)")
    return records


def _check_count(count: int, max_articles: int) -> None:
    if count > max_articles:
        raise PayloadTooLarge(f"more than {max_articles} articles in one request; split the batch")
