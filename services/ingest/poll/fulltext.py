"""The main text of an article's web page, for feeds that carry only a summary (trafilatura, which drops
navigation, boilerplate and comments). Used only for sources with `fetch_full_text: true`."""

from __future__ import annotations

import trafilatura


def main_text(html: bytes, *, url: str) -> str | None:
    """The page's main text, or None when trafilatura finds none. CPU-bound (call it off the event loop)."""
    text = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=False, favor_precision=True, deduplicate=True
    )
    return text if isinstance(text, str) and text.strip() else None
