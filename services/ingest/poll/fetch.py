"""Fetching a feed or a linked page over HTTP (httpx): conditional GET, redirects followed up to a limit,
the whole fetch bounded by one deadline and the body by a size cap.

The cap counts decoded bytes (httpx undoes gzip/deflate/brotli as it reads), so a small compressed body
that inflates past the cap is refused too, and nothing past the cap is ever held in memory.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from services.ingest.errors import (
    FeedTooLarge,
    FetchTimeout,
    SourceHttpError,
    SourceUnreachable,
    TooManyRedirects,
)


@dataclass(frozen=True, slots=True)
class Validators:
    """What the server said last time, sent back so an unchanged feed costs a 304 and no body."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True, slots=True)
class Fetched:
    """A body the server sent (`body` is None for a 304 Not Modified), with the validators to send next
    time and the URL it finally came from."""

    url: str
    body: bytes | None
    content_type: str | None
    validators: Validators


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    validators: Validators = Validators(),
    timeout_s: float,
    max_bytes: int,
) -> Fetched:
    """GET `url` (following the client's redirect policy), at most `timeout_s` in all and `max_bytes` of
    body. A 304 answer keeps the validators sent.

    Raises FetchTimeout, FeedTooLarge, TooManyRedirects, SourceUnreachable or SourceHttpError (4xx/5xx).
    """
    try:
        async with asyncio.timeout(timeout_s):
            async with client.stream(
                "GET", url, headers=validators.headers(), follow_redirects=True
            ) as response:
                if response.status_code == 304:
                    return Fetched(str(response.url), None, None, _validators(response, validators))
                if response.status_code >= 400:
                    raise SourceHttpError(
                        response.status_code,
                        f"{url} answered {response.status_code} {response.reason_phrase}".rstrip(),
                    )
                body = await _read_capped(response, max_bytes, url)
                return Fetched(
                    str(response.url),
                    body,
                    response.headers.get("content-type"),
                    _validators(response, Validators()),
                )
    except TimeoutError:
        raise FetchTimeout(f"{url}: no complete answer within {timeout_s:g} s") from None
    except httpx.TooManyRedirects as exc:
        raise TooManyRedirects(f"{url}: {exc}") from None
    except httpx.TimeoutException:
        raise FetchTimeout(f"{url}: no complete answer within {timeout_s:g} s") from None
    except httpx.HTTPError as exc:  # connection refused or reset, DNS, TLS, a broken HTTP answer
        raise SourceUnreachable(f"{url}: {type(exc).__name__}: {exc}") from None


async def _read_capped(response: httpx.Response, max_bytes: int, url: str) -> bytes:
    declared = response.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise FeedTooLarge(f"{url}: Content-Length {declared} exceeds the cap of {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FeedTooLarge(f"{url}: body exceeds the cap of {max_bytes} bytes (read {size} so far)")
        chunks.append(chunk)
    return b"".join(chunks)


def _validators(response: httpx.Response, previous: Validators) -> Validators:
    return Validators(
        etag=response.headers.get("etag") or previous.etag,
        last_modified=response.headers.get("last-modified") or previous.last_modified,
    )
