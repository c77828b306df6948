import base64
import dataclasses
import hashlib
from datetime import UTC, datetime

import pytest

from services.common.deadletter import PoisonMessage, dead_letter, dead_letter_message
from services.common.decode import decode_contract
from services.common.messages import Position
from services.contracts.budget import (
    DEADLETTER_HEAD_BYTES,
    DEADLETTER_INLINE_BYTES,
    DEADLETTER_TOPIC_BYTES,
    record_bytes,
)
from services.contracts.models import DeadLetter, RawArticle

POSITION = Position(topic="raw", partition=3, offset=42, key=b"abc", value=b"\xff not json", headers={})


def test_a_dead_letter_keeps_the_original_bytes_its_position_and_the_reason() -> None:
    when = datetime(2026, 1, 2, tzinfo=UTC)

    letter = dead_letter("extract", PoisonMessage("not a RawArticle: text: missing"), POSITION, when)

    assert base64.b64decode(letter.original) == b"\xff not json"
    assert (letter.topic, letter.partition, letter.offset, letter.key) == ("raw", 3, 42, "abc")
    assert letter.stage == "extract"
    assert letter.reason == "not a RawArticle: text: missing"
    assert letter.error_type == "PoisonMessage"
    assert letter.failed_at == when


def test_the_dead_letter_message_is_keyed_like_the_original_and_decodes_as_the_contract() -> None:
    letter = dead_letter("store", PoisonMessage("rejected"), POSITION)

    message = dead_letter_message(letter, "newswire.deadletter.v1")

    assert message.topic == "newswire.deadletter.v1"
    assert message.key == b"abc"
    assert DeadLetter.model_validate_json(message.value) == letter
    assert dict(message.headers)["schema"] == b"newswire.DeadLetter/1"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "empty message value"),
        (b"", "empty message value"),
        (b"{not json", "not a RawArticle"),
        (b'{"article_id": "a", "source": "s", "ingested_at": "2026-01-01T00:00:00Z"}', "text"),
    ],
)
def test_undecodable_values_are_poison_with_a_reason_naming_the_problem(
    value: bytes | None, reason: str
) -> None:
    with pytest.raises(PoisonMessage, match=reason):
        decode_contract(RawArticle, value)


def test_a_large_original_travels_as_a_pointer_with_its_size_hash_and_head() -> None:
    value = b"a" * (DEADLETTER_INLINE_BYTES + 1)
    big = Position(topic="raw", partition=1, offset=7, key=b"k" * 5000, value=value, headers={})

    letter = dead_letter("store", PoisonMessage("x" * 10_000), big)
    message = dead_letter_message(letter, "dlq")

    assert letter.original_truncated
    assert letter.original_bytes == len(value)
    assert letter.original_sha256 == hashlib.sha256(value).hexdigest()
    assert base64.b64decode(letter.original) == value[:DEADLETTER_HEAD_BYTES]
    assert (letter.topic, letter.partition, letter.offset) == ("raw", 1, 7)
    assert record_bytes(message.key, message.value, message.headers) < DEADLETTER_TOPIC_BYTES // 50


def test_an_original_up_to_the_inline_bound_travels_whole_and_still_fits() -> None:
    value = b"\x00" * DEADLETTER_INLINE_BYTES
    letter = dead_letter("store", PoisonMessage("nul"), dataclasses.replace(POSITION, value=value))
    message = dead_letter_message(letter, "dlq")

    assert not letter.original_truncated
    assert base64.b64decode(letter.original) == value
    assert record_bytes(message.key, message.value, message.headers) < DEADLETTER_TOPIC_BYTES
