import base64
from datetime import UTC, datetime

import pytest

from services.common.deadletter import PoisonMessage, dead_letter, dead_letter_message
from services.common.decode import decode_contract
from services.common.messages import Position
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
