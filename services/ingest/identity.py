"""Deterministic article identity.

`article_id` is the first 32 hex characters (128 bits) of a SHA-256 over a versioned key, so the same
article sent twice gets the same id and the downstream writes stay idempotent:

* with a caller id:    ``newswire.article/1 \\x1f ext \\x1f <source> \\x1f <external_id>``
* without one:         ``newswire.article/1 \\x1f text \\x1f <source> \\x1f <normalised text>``

(\\x1f is the ASCII unit separator; the parts are UTF-8 encoded.) The text variant uses the text after
normalisation, so re-sending an article with different trailing whitespace or wire noise keeps its id.
Changing the key is a new version prefix, never an edit of this one.
"""

from __future__ import annotations

import hashlib
from typing import Final

KEY_VERSION: Final = "newswire.article/1"
_SEP: Final = "\x1f"
ID_HEX_CHARS: Final = 32


def article_id(*, source: str, external_id: str | None, text: str) -> str:
    """The article's id: keyed on (source, external_id) when external_id is given, else (source, text)."""
    if external_id is not None:
        key = _SEP.join((KEY_VERSION, "ext", source, external_id))
    else:
        key = _SEP.join((KEY_VERSION, "text", source, text))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:ID_HEX_CHARS]
