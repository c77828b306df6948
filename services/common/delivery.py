"""Producing what a batch gives so that no single message can stop a hop.

Each consumed message gives one `Delivery`: its outputs (an enriched article and its events), or its
dead letter. `Deliverer.deliver` produces them all and returns once the broker acknowledged every one:

* an outage (any Kafka error that is not about one record, found through the exception's causes, since
  faust wraps the client's errors in its own `ProducerSendError`) is retried with capped backoff until
  it ends;
* a record the producer or the broker refuses for itself (too large, corrupt, bad timestamp) costs only
  its own message: the deliveries are then sent one by one, and a refused one is replaced by its dead
  letter, which always fits (`services.common.deadletter`);
* anything else (authorisation refused, an invalid topic, a bug) is raised: neither a retry nor a dead
  letter can fix it, and the caller ends the process without committing.

`check_fits` lets a caller turn an output that could never fit into a dead letter before sending it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from aiokafka.errors import (
    AuthenticationFailedError,
    ClusterAuthorizationFailedError,
    CorruptRecordException,
    InvalidTimestampError,
    InvalidTopicError,
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
    SaslAuthenticationFailed,
    TopicAuthorizationFailedError,
    UnsupportedCodecError,
    UnsupportedVersionError,
)

from services.common.deadletter import PoisonMessage
from services.common.messages import Outgoing, Position
from services.common.retry import RetryPolicy, retry_transient
from services.contracts.budget import record_bytes

log = logging.getLogger(__name__)

# Errors about one record: sending it again can never succeed, and they say nothing about the others.
_REFUSED_RECORD = (
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
    CorruptRecordException,
    InvalidTimestampError,
)
# Errors of configuration: no retry can fix them (a restart after the operator's fix does).
_CONFIGURATION = (
    AuthenticationFailedError,
    SaslAuthenticationFailed,
    TopicAuthorizationFailedError,
    ClusterAuthorizationFailedError,
    InvalidTopicError,
    UnsupportedCodecError,
    UnsupportedVersionError,
)


@dataclass(frozen=True)
class Delivery:
    """The messages one consumed message gives (its outputs, or its dead letter)."""

    position: Position
    messages: tuple[Outgoing, ...]


def causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and the chain of errors it was raised from or while handling, without cycles."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def kafka_error_in(exc: BaseException) -> KafkaError | None:
    """The first Kafka client error in `exc`'s chain of causes."""
    return next((error for error in causes(exc) if isinstance(error, KafkaError)), None)


def is_refused_record(exc: BaseException) -> bool:
    """Whether `exc` is, or was caused by, the producer or broker refusing one record for itself."""
    return isinstance(kafka_error_in(exc), _REFUSED_RECORD)


def is_transient_kafka_error(exc: BaseException) -> bool:
    """Whether producing may succeed if tried again later: a Kafka error somewhere in `exc`'s causes
    that is neither a refusal of one record nor a configuration error. Errors the client does not
    flag as retriable count too (a broker that is down raises several kinds): an outage is never
    skipped, so when in doubt the hop waits."""
    error = kafka_error_in(exc)
    return error is not None and not isinstance(error, _REFUSED_RECORD + _CONFIGURATION)


def check_fits(messages: Sequence[Outgoing], limits: Mapping[str, int]) -> None:
    """Raise PoisonMessage naming the first message larger than its topic's limit."""
    for message in messages:
        limit = limits.get(message.topic)
        size = record_bytes(message.key, message.value, message.headers)
        if limit is not None and size > limit:
            raise PoisonMessage(
                f"output too large: a {size}-byte message for {message.topic}, whose limit is {limit} bytes"
            )


class Deliverer:
    """Produces deliveries through `send` (which returns once the broker acknowledged every message it
    was given, and raises otherwise); see the module docstring for what it retries and replaces."""

    def __init__(
        self,
        send: Callable[[Sequence[Outgoing]], Awaitable[None]],
        *,
        dead_letter: Callable[[PoisonMessage, Position], Outgoing],
        policy: RetryPolicy,
        on_retry: Callable[[BaseException, float], None] | None = None,
    ) -> None:
        self._send = send
        self._dead_letter = dead_letter
        self._policy = policy
        self._on_retry = on_retry

    async def deliver(self, deliveries: Sequence[Delivery]) -> None:
        """Produce every delivery; blocks until all are acknowledged, through any outage. Raises only
        an error that neither a retry nor a dead letter can fix."""
        messages = [message for delivery in deliveries for message in delivery.messages]
        if not messages:
            return
        try:
            await self._send_retrying(messages)
        except Exception as exc:
            if not is_refused_record(exc):
                raise
            log.warning("a record was refused (%r); sending the batch's messages one by one", exc)
            for delivery in deliveries:
                await self._deliver_one(delivery)

    async def _deliver_one(self, delivery: Delivery) -> None:
        try:
            await self._send_retrying(delivery.messages)
        except Exception as exc:
            if not is_refused_record(exc):
                raise
            refused = kafka_error_in(exc)
            reason = f"refused by Kafka: {type(refused).__name__}: {refused}"
            await self._send_retrying([self._dead_letter(PoisonMessage(reason), delivery.position)])

    async def _send_retrying(self, messages: Sequence[Outgoing]) -> None:
        await retry_transient(
            lambda: self._send(messages),
            is_transient=is_transient_kafka_error,
            policy=self._policy,
            on_retry=self._on_retry,
        )
