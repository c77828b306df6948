"""Delivering a batch's outputs: outages are retried, a refused record costs only its own message."""

import asyncio
from collections.abc import Sequence

import pytest
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError, TopicAuthorizationFailedError
from faust.exceptions import ProducerSendError

from services.common.deadletter import PoisonMessage
from services.common.delivery import (
    Deliverer,
    Delivery,
    check_fits,
    is_refused_record,
    is_transient_kafka_error,
)
from services.common.messages import Outgoing, Position
from services.common.retry import RetryPolicy

NO_WAIT = RetryPolicy(initial_s=0.001, maximum_s=0.001)


def position(offset: int) -> Position:
    return Position(topic="raw", partition=0, offset=offset, key=b"k", value=b"v", headers={})


def message(topic: str, value: bytes = b"x") -> Outgoing:
    return Outgoing(topic=topic, key=b"k", value=value, headers=[])


def wrapped(error: Exception) -> ProducerSendError:
    """What faust raises: its own error, raised from the client's."""
    try:
        raise error
    except Exception as cause:
        try:
            raise ProducerSendError(f"Error while sending: {cause!r}") from cause
        except ProducerSendError as outer:
            return outer


def test_an_outage_wrapped_by_faust_is_transient_and_a_size_refusal_is_not() -> None:
    assert is_transient_kafka_error(wrapped(KafkaConnectionError()))
    assert not is_transient_kafka_error(wrapped(MessageSizeTooLargeError()))
    assert is_refused_record(wrapped(MessageSizeTooLargeError()))
    assert not is_refused_record(wrapped(KafkaConnectionError()))
    assert not is_transient_kafka_error(ValueError("a bug"))


class FakeBroker:
    """Acks every message except the ones whose value is b"huge" (refused) and fails the first
    `outages` sends with a connection error."""

    def __init__(self, outages: int = 0, refuse_all_with: Exception | None = None) -> None:
        self.outages = outages
        self.refuse_all_with = refuse_all_with
        self.acked: list[Outgoing] = []

    async def send(self, messages: Sequence[Outgoing]) -> None:
        if self.outages:
            self.outages -= 1
            raise wrapped(KafkaConnectionError())
        if self.refuse_all_with is not None:
            raise wrapped(self.refuse_all_with)
        if any(m.value == b"huge" for m in messages):
            raise wrapped(MessageSizeTooLargeError())
        self.acked.extend(messages)


def deliverer(broker: FakeBroker) -> Deliverer:
    def dead(exc: PoisonMessage, where: Position) -> Outgoing:
        return message("dlq", f"{where.offset}: {exc.reason}".encode())

    return Deliverer(broker.send, dead_letter=dead, policy=NO_WAIT)


def test_an_outage_is_retried_until_every_message_is_acknowledged() -> None:
    broker = FakeBroker(outages=3)

    asyncio.run(deliverer(broker).deliver([Delivery(position(1), (message("out"),))]))

    assert [m.topic for m in broker.acked] == ["out"]


def test_a_refused_record_is_replaced_by_its_dead_letter_and_the_others_are_delivered() -> None:
    broker = FakeBroker()
    deliveries = [
        Delivery(position(1), (message("out", b"a"), message("events"))),
        Delivery(position(2), (message("out", b"huge"),)),
        Delivery(position(3), (message("out", b"c"),)),
    ]

    asyncio.run(deliverer(broker).deliver(deliveries))

    assert [(m.topic, m.value) for m in broker.acked if m.topic == "out"] == [("out", b"a"), ("out", b"c")]
    letters = [m.value.decode() for m in broker.acked if m.topic == "dlq"]
    assert len(letters) == 1
    assert letters[0].startswith("2: refused by Kafka: MessageSizeTooLargeError")


def test_an_error_no_retry_or_dead_letter_can_fix_is_raised() -> None:
    broker = FakeBroker(refuse_all_with=TopicAuthorizationFailedError())

    with pytest.raises(ProducerSendError):
        asyncio.run(deliverer(broker).deliver([Delivery(position(1), (message("out"),))]))


def test_an_output_over_its_topics_limit_is_poison_naming_the_sizes() -> None:
    check_fits([message("out", b"x" * 100)], {"out": 1000})

    with pytest.raises(PoisonMessage, match=r"output too large: a \d+-byte message for out"):
        check_fits([message("out", b"x" * 1000)], {"out": 1000})
