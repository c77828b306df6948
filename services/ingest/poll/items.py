"""A feed item, whatever format it came in, and the article fields it becomes (pure).

An item's `key` identifies it within its source across polls: the feed's own id (RSS `guid`, Atom `id`,
ninjs `uri`), else its link, else a hash of its title and text. It is also the article's `external_id`,
so the article id (services/ingest/identity.py) is stable across polls and restarts, and a re-published
item lands on the same row in Postgres.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import lxml.html
from lxml.etree import ParserError

from services.ingest.language import normalise_language_tag

MAX_KEY_CHARS: Final = 500
# Elements after which the text breaks a line, so paragraphs stay paragraphs once the tags are gone.
_BLOCKS: Final = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "tr",
        "table",
        "pre",
    ]
)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item of a feed. `text` is the full text when the feed carries it (RSS content:encoded, Atom
    content, ninjs bodies), else None; `summary` is the description or abstract, as plain text."""

    key: str
    title: str | None
    link: str | None
    published_at: datetime | None
    text: str | None
    summary: str | None
    lang: str | None

    @property
    def has_full_text(self) -> bool:
        return bool(self.text and self.text.strip())


@dataclass(frozen=True, slots=True)
class RefusedItem:
    """An item the feed lists but no article can come from (a ninjs item that breaks the schema)."""

    key: str
    reason: str


def item_key(*, feed_id: str | None, link: str | None, title: str | None, text: str | None) -> str:
    """The item's identity within its source: the feed's id, else the link, else a content hash. A value
    longer than MAX_KEY_CHARS is replaced by its hash (an id is not a document)."""
    for value in (feed_id, link):
        if value and value.strip():
            value = value.strip()
            return value if len(value) <= MAX_KEY_CHARS else "sha256:" + _sha256(value)
    return "sha256:" + _sha256(f"{title or ''}\x1f{text or ''}")


def article_fields(
    item: FeedItem, *, source: str, lang: str | None, body: str | None = None
) -> dict[str, object]:
    """The fields `POST /v1/articles` would receive for `item`: its text is `body` (a fetched full text)
    or the item's own full text, else its summary; `lang` (the source's) wins over the item's own. An
    item with no text at all gets an empty text, which intake refuses with its reason. An item's own
    language that is no registered tag ("French") is dropped, so the text's language is detected instead
    of the item being refused for a feed's typo."""
    own_lang = item.lang if item.lang and normalise_language_tag(item.lang) else None
    fields: dict[str, object] = {
        "text": body or item.text or item.summary or "",
        "title": item.title,
        "external_id": item.key,
        "source": source,
        "url": item.link,
        "published_at": item.published_at.isoformat() if item.published_at else None,
        "lang": lang or own_lang,
    }
    return {name: value for name, value in fields.items() if value is not None}


def html_to_text(markup: str) -> str:
    """The text of an HTML fragment with one line per block element; plain text comes back unchanged
    apart from surrounding whitespace."""
    if "<" not in markup:
        return markup.strip()
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (ParserError, ValueError):
        return markup.strip()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
