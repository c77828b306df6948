"""Decoding a message value into its contract, with a reason fit for a dead letter when it fails."""

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from services.common.deadletter import PoisonMessage

M = TypeVar("M", bound=BaseModel)


def decode_contract(model: type[M], value: bytes | None) -> M:
    """The `model` in a message value. Raises PoisonMessage naming the first bad field."""
    if not value:
        raise PoisonMessage("empty message value")
    try:
        return model.model_validate_json(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "value"
        raise PoisonMessage(f"not a {model.__name__}: {where}: {first['msg']}") from None
