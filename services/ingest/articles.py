"""From caller-given fields to a validated, normalised `RawArticle` (pure apart from language detection,
which is deterministic and needs no I/O).

Accepted fields (every other key is rejected, naming it, so a typo such as `txet` is not silently lost);
a JSON `null` counts as absent:

==============  ===============================================================================
text            required, a string with at least one visible character (a letter, digit, punctuation
                mark or symbol: a text of only spaces or zero-width characters is refused);
                normalised (see normalise.py)
title           string; when absent, the headline detected on the first line of `text`
external_id     string or integer (kept as its decimal string); the caller's id. `id` is an alias;
                giving both with different values is an error
source          string; defaults to the service's `default_source`
url             absolute http(s) URL with a host and a valid port
published_at    ISO 8601 string (`2024-08-01`, `2024-08-01T10:00:00Z`, ...); without a time zone it is
                taken as UTC; stored in UTC, so its UTC form must fall within years 1-9999. When
                absent, the text's `date YYYY-MM(-DD) -` header, if any, is used
lang            a BCP 47 language tag valid in the IANA registry (`fr`, `FR`, `fr-FR`, `ast`), kept as
                its ISO 639-1 code (ISO 639-3 where there is none); when absent, detected with lingua
==============  ===============================================================================

No string may contain U+0000 (PostgreSQL cannot store it). Every problem raises
`ArticleValidationError` naming the field, so nothing ingest accepts is refused by a later hop.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final
from urllib.parse import urlsplit

from pydantic import ValidationError

from services.contracts.models import RawArticle, utc
from services.ingest.errors import ArticleValidationError
from services.ingest.identity import article_id
from services.ingest.language import detect_language, detect_languages, normalise_language_tag
from services.ingest.normalise import normalise_text

ACCEPTED_FIELDS: Final = ("text", "title", "external_id", "id", "source", "url", "published_at", "lang")
MAX_SHORT_FIELD_CHARS: Final = 1000
MAX_URL_CHARS: Final = 4096
# Unicode major categories of visible characters: letters, marks, numbers, punctuation, symbols.
_VISIBLE: Final = frozenset("LMNPS")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def raw_article_from_fields(
    fields: Mapping[str, object], *, default_source: str, ingested_at: datetime, detect: bool = True
) -> RawArticle:
    """Validate `fields`, normalise the text and build the article with its deterministic id. With
    `detect=False` a missing `lang` stays None (the caller detects languages in bulk).

    Raises ArticleValidationError (field, reason) for an unknown key, a wrong type or an unusable value.
    """
    unknown = sorted(key for key in fields if key not in ACCEPTED_FIELDS)
    if unknown:
        raise ArticleValidationError(
            unknown[0], f"unknown field; accepted fields are {', '.join(ACCEPTED_FIELDS)}"
        )
    raw_text = fields.get("text")
    if not isinstance(raw_text, str) or not raw_text.strip():
        raise ArticleValidationError("text", "must be a non-empty string")
    _check_storable("text", raw_text)
    title = _optional_str(fields, "title")
    external_id = _external_id(fields)
    source = _optional_str(fields, "source") or default_source
    url = _url(fields)
    published_at = _published_at(fields)
    lang = _lang(fields)

    cleaned = normalise_text(raw_text)
    if not cleaned.text:
        raise ArticleValidationError("text", "must contain more than whitespace and wire noise")
    if not any(unicodedata.category(char)[0] in _VISIBLE for char in cleaned.text):
        raise ArticleValidationError("text", "has no visible character (only spaces or invisible ones)")
    try:
        return RawArticle(
            article_id=article_id(source=source, external_id=external_id, text=cleaned.text),
            external_id=external_id,
            source=source,
            url=url,
            title=title or cleaned.title,
            text=cleaned.text,
            lang=lang or (detect_language(cleaned.text) if detect else None),
            published_at=published_at or cleaned.header_date,
            ingested_at=ingested_at,
            dateline=cleaned.dateline,
        )
    except ValidationError as exc:  # every field was checked above; this guards the contract itself
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or "article"
        raise ArticleValidationError(field, str(error["msg"])) from exc


def raw_articles_from_records(
    records: Sequence[Mapping[str, object]],
    *,
    batch: bool,
    default_source: str,
    ingested_at: datetime,
    offload_detection: bool = False,
) -> list[RawArticle]:
    """`raw_article_from_fields` over a request's records, all or nothing. In a batch the first bad
    record's error names its field as `articles[i].<field>`. Raises ArticleValidationError.
    Languages not given are detected in one call for the whole request (in lingua's helper process
    with `offload_detection`, see language.py)."""
    articles = []
    for index, fields in enumerate(records):
        try:
            articles.append(
                raw_article_from_fields(
                    fields, default_source=default_source, ingested_at=ingested_at, detect=False
                )
            )
        except ArticleValidationError as exc:
            raise (exc.within(f"articles[{index}]") if batch else exc) from None
    undetected = [index for index, article in enumerate(articles) if article.lang is None]
    if undetected:
        codes = detect_languages([articles[index].text for index in undetected], offload=offload_detection)
        for index, code in zip(undetected, codes, strict=True):
            articles[index] = articles[index].model_copy(update={"lang": code})
    return articles


def raw_article_from_text(
    text: str, *, external_id: str | None, source: str, ingested_at: datetime
) -> RawArticle:
    """An article from bare text (a .txt file, a text/plain body): title, dateline, date and language
    are all taken from the text. Raises ArticleValidationError when the text is blank."""
    fields: dict[str, object] = {"text": text, "source": source}
    if external_id is not None:
        fields["external_id"] = external_id
    return raw_article_from_fields(fields, default_source=source, ingested_at=ingested_at)


def _optional_str(fields: Mapping[str, object], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ArticleValidationError(name, f"must be a string, not {_json_type(value)}")
    _check_storable(name, value)
    value = value.strip()
    if len(value) > MAX_SHORT_FIELD_CHARS:
        raise ArticleValidationError(name, f"must be at most {MAX_SHORT_FIELD_CHARS} characters")
    return value or None


def _external_id(fields: Mapping[str, object]) -> str | None:
    values: dict[str, str] = {}
    for name in ("external_id", "id"):
        value = fields.get(name)
        if value is None:
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise ArticleValidationError(name, "must be a non-empty string or an integer")
        _check_storable(name, value)
        if len(value) > MAX_SHORT_FIELD_CHARS:
            raise ArticleValidationError(name, f"must be at most {MAX_SHORT_FIELD_CHARS} characters")
        values[name] = value.strip()
    if len(set(values.values())) > 1:
        raise ArticleValidationError("id", "differs from external_id; give only one of them")
    return next(iter(values.values()), None)


def _url(fields: Mapping[str, object]) -> str | None:
    value = fields.get("url")
    if value is None:
        return None
    if not isinstance(value, str):
        raise ArticleValidationError("url", f"must be a string, not {_json_type(value)}")
    _check_storable("url", value)
    value = value.strip()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port out of range or not a number)
    except ValueError as exc:
        raise ArticleValidationError("url", f"is not a valid URL: {exc}") from None
    if len(value) > MAX_URL_CHARS or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ArticleValidationError("url", "must be an absolute http(s) URL with a host")
    return value


def _published_at(fields: Mapping[str, object]) -> datetime | None:
    value = fields.get("published_at")
    if value is None:
        return None
    if not isinstance(value, str):
        raise ArticleValidationError("published_at", f"must be an ISO 8601 string, not {_json_type(value)}")
    _check_storable("published_at", value)
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ArticleValidationError(
            "published_at", f"{value!r} is not an ISO 8601 date or date-time"
        ) from None
    try:
        return utc(when)
    except ValueError as exc:
        raise ArticleValidationError("published_at", str(exc)) from None


def _lang(fields: Mapping[str, object]) -> str | None:
    value = fields.get("lang")
    if value is None:
        return None
    if not isinstance(value, str):
        raise ArticleValidationError("lang", f"must be a string, not {_json_type(value)}")
    code = normalise_language_tag(value)
    if code is None:
        raise ArticleValidationError(
            "lang", f"{value[:40]!r} is not a registered language tag (BCP 47) such as 'fr' or 'fr-FR'"
        )
    return code


def _check_storable(field: str, value: str) -> None:
    """Refuse what no later hop can carry: NUL (PostgreSQL text cannot hold it) and lone surrogates (a
    JSON "\\ud800" escape decodes to one; it is not Unicode text and cannot be encoded as UTF-8)."""
    if "\x00" in value:
        raise ArticleValidationError(field, "contains U+0000 (NUL), which PostgreSQL cannot store")
    if _SURROGATE.search(value):
        raise ArticleValidationError(field, "contains a lone surrogate (U+D800-U+DFFF), which is not text")


def _json_type(value: object) -> str:
    """The JSON name of a decoded value's type, for error messages a JSON client understands."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
