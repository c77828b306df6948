"""Decoding a message value into its contract, with a reason fit for a dead letter when it fails."""

from collections.abc import Callable
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from services.common.deadletter import PoisonMessage
from services.contracts.plain import PlainDict, plain_validator

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def decode_contract(model: type[M], value: bytes | None) -> M:
    """The `model` in a message value. Raises PoisonMessage naming the first bad field."""
    return _decode(model, model.model_validate_json, value)


def decode_plain(model: type[BaseModel], value: bytes | None) -> PlainDict:
    """`decode_contract` into plain dicts (`contracts.plain`): the same checks and errors, for a consumer
    that only reads the fields."""
    return _decode(model, plain_validator(model).validate_json, value)


def _decode(model: type[BaseModel], validate: Callable[[bytes], T], value: bytes | None) -> T:
    if not value:
        raise PoisonMessage("empty message value")
    try:
        return validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "value"
        raise PoisonMessage(f"not a {model.__name__}: {where}: {first['msg']}") from None
