"""From a fetched body to feed items (pure apart from parsing): RSS 0.9x/1.0/2.0 and Atom through
feedparser, IPTC ninjs through ninjs.py.

The format is told by the body, not trusted from the Content-Type (servers label feeds text/html or
application/octet-stream): a body that opens with `{` or `[` is JSON (ninjs), anything else goes to
feedparser. feedparser reads malformed XML as far as it can and sets `bozo`: a feed with items despite
that is read with a warning; one with none is FeedUnreadable.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Literal
from urllib.parse import urljoin

import feedparser

from services.ingest.errors import FeedUnreadable
from services.ingest.poll.items import FeedItem, RefusedItem, html_to_text, item_key
from services.ingest.poll.ninjs import NinjsReader

FeedFormat = Literal["rss", "atom", "ninjs"]
_JSON_START: Final = (b"{", b"[")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Feed:
    """What one body held: its format, its items (at most `max_items`, newest first), the items refused,
    how many items were left out past the cap, and the parser's complaint about a malformed body."""

    format: FeedFormat
    items: tuple[FeedItem, ...]
    refused: tuple[RefusedItem, ...]
    over_cap: int
    warning: str | None


def read_feed(
    body: bytes,
    *,
    ninjs: NinjsReader,
    url: str | None = None,
    content_type: str | None = None,
    max_items: int,
) -> Feed:
    """The items of `body`, fetched from `url` (the base of relative links). Raises FeedUnreadable when
    no feed can be read from it. CPU-bound (call it off the event loop)."""
    if body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in _JSON_START:
        items, refused = ninjs.read(body)
        return _capped("ninjs", items, refused, max_items, warning=None)
    # No content-location: feedparser would resolve ids ("article-4") against it as if they were links.
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=True)
    version = str(parsed.get("version") or "")
    if not parsed.entries:
        if parsed.bozo:
            raise FeedUnreadable(f"not a feed: {_bozo_reason(parsed)}")
        if not version:
            raise FeedUnreadable("neither RSS, Atom nor ninjs")
    feed_lang = parsed.feed.get("language")
    items = [_entry_item(entry, feed_lang, url) for entry in parsed.entries]
    warning = _bozo_reason(parsed) if parsed.bozo else None
    return _capped("atom" if version.startswith("atom") else "rss", items, [], max_items, warning=warning)


def _capped(
    format: FeedFormat,
    items: list[FeedItem],
    refused: list[RefusedItem],
    max_items: int,
    *,
    warning: str | None,
) -> Feed:
    """Dated items newest first, then undated ones in feed order (sorted() is stable), cut at
    `max_items`: a feed that lists ten thousand items costs one poll's worth of work."""
    dated = sorted((i for i in items if i.published_at), key=lambda i: i.published_at or _EPOCH, reverse=True)
    ordered = dated + [i for i in items if not i.published_at]
    kept = ordered[:max_items]
    return Feed(format, tuple(kept), tuple(refused), len(ordered) - len(kept), warning)


def _entry_item(entry: Any, feed_lang: str | None, feed_url: str | None) -> FeedItem:
    title = entry.get("title")
    link = _link(entry, feed_url)
    summary = entry.get("summary")
    content = _content(entry, summary)
    return FeedItem(
        key=item_key(feed_id=entry.get("id"), link=link, title=title, text=content or summary),
        title=html_to_text(title) if title else None,
        link=link or None,
        published_at=_entry_date(entry),
        text=html_to_text(content) if content else None,
        # A summary equal to the content (RSS writers often copy it) adds nothing.
        summary=html_to_text(summary) if summary and summary != content else None,
        lang=_content_lang(entry) or feed_lang,
    )


def _link(entry: Any, feed_url: str | None) -> str | None:
    """The item's web address as an absolute http(s) URL (a relative link resolved against the feed's
    URL), or None. An RSS guid counts as the link when the item has none (feedparser's `guidislink`)
    only if it is such a URL itself: "article-4" is an id, not a page."""
    link = entry.get("link")
    if not isinstance(link, str) or not link.strip():
        return None
    if entry.get("guidislink"):
        return link if _is_web_url(link) else None
    resolved = urljoin(feed_url, link.strip()) if feed_url else link.strip()
    return resolved if _is_web_url(resolved) else None


def _is_web_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _content(entry: Any, summary: str | None) -> str | None:
    """The longest `content` value (RSS content:encoded, Atom content), when it is longer than the
    summary: feedparser also files a media:description ("Illustration") under `content`, and a body
    shorter than the item's own summary is not the article."""
    values: list[str] = [c.get("value", "") for c in entry.get("content", []) if c.get("value", "").strip()]
    longest = max(values, key=len) if values else None
    if longest is None or (summary and len(longest) <= len(summary)):
        return None
    return longest


def _content_lang(entry: Any) -> str | None:
    """The item's own language: its content's xml:lang, else its dc:language."""
    for content in entry.get("content", []):
        if content.get("language"):
            return str(content["language"])
    language = entry.get("language")
    return str(language) if language else None


def _entry_date(entry: Any) -> datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed: time.struct_time | None = entry.get(name)
        if parsed is not None:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _bozo_reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if exc is not None else "malformed"
