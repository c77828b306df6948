"""The store exception tree.

    StoreError                       base of everything the store raises on purpose
    ├── InvalidArticleError          an article breaks the contract in a way rows cannot be built from
    │   └── InvalidVersionError      its `extractor_version` has no leading number to order by
    └── StoreWriteError              a batch write failed; nothing of the batch was committed
        ├── TransientStoreError      an outage (connection lost, serialization failure, deadlock):
        │                            retry the same batch after a backoff
        └── PoisonBatchError         the data itself is refused (DataError, IntegrityError, or an
                                     InvalidArticleError): retrying the same batch fails again;
                                     write its articles one by one to find and dead-letter the bad one

SQLAlchemy/psycopg errors are translated into these in `writer.py`, the only module that talks to the
database on the write path. The classification of SQLSTATE codes is a pure function here so it can be
tested without a server. Anything not translated (e.g. a missing table because migrations were not run)
propagates unchanged: that is a deployment bug, and the worker should crash loudly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

TransientReason = Literal["connection", "serialization", "deadlock", "lock_timeout", "resources", "timeout"]
PoisonReason = Literal["data", "integrity", "invalid_article"]
FailureReason = TransientReason | PoisonReason
"""The closed set of `reason` values: also the label values of `newswire_store_write_failures_total`."""

_TRANSIENT_SQLSTATES: Final[dict[str, TransientReason]] = {
    "40001": "serialization",  # serialization_failure
    "40P01": "deadlock",  # deadlock_detected
    "55P03": "lock_timeout",  # lock_not_available
    "57014": "timeout",  # query_canceled (statement_timeout)
    "57P01": "connection",  # admin_shutdown
    "57P02": "connection",  # crash_shutdown
    "57P03": "connection",  # cannot_connect_now (server starting up)
}
_TRANSIENT_CLASSES: Final[dict[str, TransientReason]] = {
    "08": "connection",  # connection exception
    "53": "resources",  # insufficient resources (disk full, too many connections)
    "58": "resources",  # system error (I/O)
}
_POISON_CLASSES: Final[dict[str, PoisonReason]] = {
    "22": "data",  # data exception (bad encoding, out of range, NUL byte...)
    "23": "integrity",  # integrity constraint violation
}


def classify_sqlstate(sqlstate: str | None) -> TransientReason | PoisonReason | None:
    """The failure reason a PostgreSQL SQLSTATE stands for, or None when it is neither transient nor poison.

    Transient: classes 08, 53, 58 and a few codes of 40/55/57. Poison: classes 22 and 23.
    """
    if not sqlstate or len(sqlstate) != 5:
        return None
    if sqlstate in _TRANSIENT_SQLSTATES:
        return _TRANSIENT_SQLSTATES[sqlstate]
    prefix = sqlstate[:2]
    return _TRANSIENT_CLASSES.get(prefix) or _POISON_CLASSES.get(prefix)


def write_error(reason: FailureReason, message: str, article_ids: Sequence[str]) -> StoreWriteError:
    """The StoreWriteError subclass `reason` belongs to."""
    if reason == "data" or reason == "integrity" or reason == "invalid_article":
        return PoisonBatchError(message, reason=reason, article_ids=article_ids)
    return TransientStoreError(message, reason=reason, article_ids=article_ids)


class StoreError(Exception):
    """Base of every error the store raises on purpose."""


class InvalidArticleError(StoreError, ValueError):
    """An enriched article that cannot be turned into rows (e.g. an event naming an unknown entity).

    Raised by the pure row builders, before any database work; `article_id` names the article.
    """

    def __init__(self, article_id: str, reason: str) -> None:
        super().__init__(f"article {article_id!r}: {reason}")
        self.article_id = article_id
        self.reason = reason


class InvalidVersionError(InvalidArticleError):
    """An `extractor_version` that does not start with a dotted number ("1", "1.2.0", "v2.1+model")."""


class StoreWriteError(StoreError):
    """A batch write that did not commit. `article_ids` are the articles of the batch, in batch order;
    `reason` is one value of `FailureReason`."""

    def __init__(self, message: str, *, reason: FailureReason, article_ids: Sequence[str]) -> None:
        super().__init__(message)
        self.reason: FailureReason = reason
        self.article_ids: tuple[str, ...] = tuple(article_ids)


class TransientStoreError(StoreWriteError):
    """The database could not be reached or gave up on the transaction: retry the whole batch later."""

    def __init__(self, message: str, *, reason: TransientReason, article_ids: Sequence[str]) -> None:
        super().__init__(message, reason=reason, article_ids=article_ids)


class PoisonBatchError(StoreWriteError):
    """The database (or the row builder) refused the data. Retrying the batch as is fails again.

    With a batch of one article, that article is the poison one: dead-letter it.
    """

    def __init__(self, message: str, *, reason: PoisonReason, article_ids: Sequence[str]) -> None:
        super().__init__(message, reason=reason, article_ids=article_ids)
