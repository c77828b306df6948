"""Dead letters: a message a hop cannot process, with its reason and origin, for the dead-letter topic."""

import base64
from datetime import UTC, datetime

from services.common.messages import Outgoing, Position
from services.contracts.headers import make_headers
from services.contracts.models import DEADLETTER_SCHEMA, DeadLetter, Stage


class PoisonMessage(Exception):
    """This message can never be processed (undecodable, invalid, rejected by the database).

    Raised by pure per-message logic; the worker turns it into a dead letter and moves on.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def dead_letter(
    stage: Stage, error: BaseException, position: Position, now: datetime | None = None
) -> DeadLetter:
    """The dead letter for `position`, which failed at `stage` with `error`."""
    reason = error.reason if isinstance(error, PoisonMessage) else str(error) or type(error).__name__
    return DeadLetter(
        stage=stage,
        reason=reason[:2000],
        error_type=type(error).__name__,
        original=base64.b64encode(position.value or b"").decode("ascii"),
        topic=position.topic,
        partition=position.partition,
        offset=position.offset,
        key=position.key.decode("utf-8", "replace") if position.key is not None else None,
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
