"""Decoding a message value into its contract, with a reason fit for a dead letter when it fails."""

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from services.common.deadletter import PoisonMessage
from services.contracts.plain import PlainDict, plain_validator

M = TypeVar("M", bound=BaseModel)


def decode_contract(model: type[M], value: bytes | None) -> M:
    """The `model` in a message value. Raises PoisonMessage naming the first bad field."""
    if not value:
        raise PoisonMessage("empty message value")
    try:
        return model.model_validate_json(value)
    except ValidationError as exc:
        raise _poison(model, exc) from None


def decode_plain(model: type[BaseModel], value: bytes | None) -> PlainDict:
    """`decode_contract` into plain dicts (`contracts.plain`): the same checks and errors, for a consumer
    that only reads the fields."""
    if not value:
        raise PoisonMessage("empty message value")
    try:
        return plain_validator(model).validate_json(value)
    except ValidationError as exc:
        raise _poison(model, exc) from None


def _poison(model: type[BaseModel], exc: ValidationError) -> PoisonMessage:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "value"
    return PoisonMessage(f"not a {model.__name__}: {where}: {first['msg']}")
