"""API-key authentication (pure: header values in, verdict out).

A client sends its key as `X-API-Key: <key>` or `Authorization: Bearer <key>`. Keys are compared with
`hmac.compare_digest` against every configured key, without stopping at the first match, so the time
taken does not reveal which key or how much of it matched.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence

from pydantic import SecretStr

from services.ingest.errors import Unauthorized


class ApiKeyChecker:
    """Checks request headers against a fixed set of keys."""

    def __init__(self, keys: Sequence[SecretStr]) -> None:
        if not keys:
            raise ValueError("ApiKeyChecker needs at least one key")
        self._keys = tuple(key.get_secret_value().encode() for key in keys)

    def check(self, headers: Mapping[str, str]) -> None:
        """Return when the headers carry a configured key; raise Unauthorized (with why) otherwise.

        `headers` must look names up case-insensitively with lower-case names (Starlette's Headers do).
        """
        presented = presented_key(headers)
        if presented is None:
            raise Unauthorized("missing API key: send it as X-API-Key or Authorization: Bearer <key>")
        candidate = presented.encode()
        matched = False
        for key in self._keys:
            matched |= hmac.compare_digest(candidate, key)
        if not matched:
            raise Unauthorized("invalid API key")


def presented_key(headers: Mapping[str, str]) -> str | None:
    """The key a request presents: X-API-Key first, else an `Authorization: Bearer` token."""
    key = headers.get("x-api-key")
    if key is not None and key.strip():
        return key.strip()
    scheme, _, token = (headers.get("authorization") or "").strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None
