"""The ingest exception tree. Each class carries the HTTP status and short error code it maps to,
so the mapping lives here and nowhere else.

    IngestError                      500 internal
    ├── MalformedBody                400 malformed_body
    ├── Unauthorized                 401 unauthorized
    ├── PayloadTooLarge              413 payload_too_large
    ├── UnsupportedMediaType         415 unsupported_media_type
    ├── ArticleValidationError       422 invalid_article   (names the field)
    ├── ClientClosedRequest          499 client_closed_request (never delivered; not a server error)
    ├── BrokerUnavailable            503 broker_unavailable
    └── PollError                        a feed poll that failed (`newswire poll`; no HTTP status)
        ├── FetchTimeout                 timeout            the whole fetch exceeded the source's timeout
        ├── FeedTooLarge                 too_large          the body exceeds the source's size cap
        ├── TooManyRedirects             too_many_redirects a redirect loop or chain past the limit
        ├── SourceUnreachable            unreachable        DNS, connection refused or reset, TLS
        ├── SourceHttpError              http_4xx/http_5xx  the server answered an error status
        └── FeedUnreadable               malformed          neither RSS/Atom nor ninjs could be read

Third-party errors (JSON decoding, Kafka, httpx) are translated into these at the boundary where they
occur. A PollError's `outcome` is the label of `newswire_poll_polls_total`.
"""

from __future__ import annotations

from typing import ClassVar


class IngestError(Exception):
    """Base of every error ingest raises on purpose; `reason` is human text safe to show a client."""

    http_status: ClassVar[int] = 500
    code: ClassVar[str] = "internal"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def field(self) -> str | None:
        """The offending input field, when one can be named."""
        return None


class MalformedBody(IngestError):
    """The request body cannot be read at all: empty, not UTF-8, not JSON where JSON was announced."""

    http_status = 400
    code = "malformed_body"


class Unauthorized(IngestError):
    """No API key, or one that matches none of the configured keys."""

    http_status = 401
    code = "unauthorized"


class PayloadTooLarge(IngestError):
    """The body (or the number of articles in it) exceeds the configured limit."""

    http_status = 413
    code = "payload_too_large"


class UnsupportedMediaType(IngestError):
    """A Content-Type ingest does not read."""

    http_status = 415
    code = "unsupported_media_type"


class ArticleValidationError(IngestError):
    """One article field is missing, of the wrong type or has an unusable value.

    `field` names it the way the client wrote it (`text`, or `articles[3].text` once located in a
    batch); `origin` says where the record came from when it was read from a file (`path:line`).
    """

    http_status = 422
    code = "invalid_article"

    def __init__(self, field: str, reason: str, *, origin: str | None = None) -> None:
        super().__init__(reason)
        self._field = field
        self.origin = origin

    @property
    def field(self) -> str:
        return self._field

    def __str__(self) -> str:
        located = f"{self._field}: {self.reason}"
        return f"{self.origin}: {located}" if self.origin else located

    def within(self, prefix: str) -> ArticleValidationError:
        """The same error with its field located inside a container, e.g. `articles[3]` + `.text`."""
        field = f"{prefix}.{self._field}" if self._field else prefix
        return ArticleValidationError(field, self.reason, origin=self.origin)

    def at(self, origin: str) -> ArticleValidationError:
        """The same error with the record's origin (`path:line`) attached."""
        return ArticleValidationError(self._field, self.reason, origin=origin)


class ClientClosedRequest(IngestError):
    """The client went away before its body was read: nothing was published. The status (nginx's
    499) is only what the logs and metrics record, so a client that gives up is never counted as a
    server error."""

    http_status = 499
    code = "client_closed_request"


class BrokerUnavailable(IngestError):
    """Kafka did not acknowledge every message in time; nothing in the request may be assumed durable."""

    http_status = 503
    code = "broker_unavailable"


class PollError(IngestError):
    """A poll of one feed that failed; the poller logs it, counts it and backs off. Never fatal."""

    code = "poll_failed"

    @property
    def outcome(self) -> str:
        """The `outcome` label of this failure in the poll metrics."""
        return self.code


class FetchTimeout(PollError):
    code = "timeout"


class FeedTooLarge(PollError):
    code = "too_large"


class TooManyRedirects(PollError):
    code = "too_many_redirects"


class SourceUnreachable(PollError):
    code = "unreachable"


class SourceHttpError(PollError):
    """The feed's server answered `status` (4xx or 5xx); the outcome label is http_4xx or http_5xx."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status

    @property
    def outcome(self) -> str:
        return "http_4xx" if self.status < 500 else "http_5xx"


class FeedUnreadable(PollError):
    code = "malformed"
