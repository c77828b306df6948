"""Dead letters: a message a hop cannot process, with its reason and origin, for the dead-letter topic.

A dead letter always fits its topic: an original up to `DEADLETTER_INLINE_BYTES` travels whole; a larger
one is replaced by its head, size and sha256, and the topic/partition/offset that point to it.
"""

import base64
import hashlib
from datetime import UTC, datetime
from typing import Final

from services.common.messages import Outgoing, Position
from services.contracts.budget import DEADLETTER_HEAD_BYTES, DEADLETTER_INLINE_BYTES
from services.contracts.headers import make_headers
from services.contracts.models import DEADLETTER_SCHEMA, DeadLetter, Stage

MAX_REASON_CHARS: Final = 2000
MAX_KEY_CHARS: Final = 1000


class PoisonMessage(Exception):
    """This message can never be processed (undecodable, invalid, rejected by the database, too large).

    Raised by pure per-message logic; the worker turns it into a dead letter and moves on.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def dead_letter(
    stage: Stage, error: BaseException, position: Position, now: datetime | None = None
) -> DeadLetter:
    """The dead letter for `position`, which failed at `stage` with `error`, bounded in size."""
    reason = error.reason if isinstance(error, PoisonMessage) else str(error) or type(error).__name__
    value = position.value or b""
    truncated = len(value) > DEADLETTER_INLINE_BYTES
    carried = value[:DEADLETTER_HEAD_BYTES] if truncated else value
    key = position.key.decode("utf-8", "replace")[:MAX_KEY_CHARS] if position.key is not None else None
    return DeadLetter(
        stage=stage,
        reason=reason[:MAX_REASON_CHARS],
        error_type=type(error).__name__,
        original=base64.b64encode(carried).decode("ascii"),
        original_bytes=len(value),
        original_sha256=hashlib.sha256(value).hexdigest(),
        original_truncated=truncated,
        topic=position.topic,
        partition=position.partition,
        offset=position.offset,
        key=key,
        failed_at=now or datetime.now(UTC),
    )


def dead_letter_message(letter: DeadLetter, deadletter_topic: str) -> Outgoing:
    """The dead letter as a message for the dead-letter topic, keyed like the original."""
    return Outgoing(
        topic=deadletter_topic,
        key=letter.key.encode() if letter.key is not None else None,
        value=letter.model_dump_json().encode(),
        headers=make_headers(DEADLETTER_SCHEMA, letter.failed_at),
    )
