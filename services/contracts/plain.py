"""Validating a contract's JSON into plain dicts instead of model instances.

`plain_validator(EnrichedArticle)` checks exactly what `EnrichedArticle.model_validate_json` checks
(same fields, types, constraints, defaults and `extra="forbid"`, same error locations), but returns
nested dicts and lists. It is derived from the models at import time, so the models stay the one
definition of the contract.

Why: a consumer that only turns messages into something else (the store, into rows) pays mostly for
creating one Python object per nested model; validating into dicts costs well under half as much
(pydantic's own performance advice: TypedDict over nested models).
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, TypeAdapter
from typing_extensions import TypedDict

PlainDict = dict[str, Any]
# The functional form, with names and fields known only at run time (which static checkers refuse).
_TYPED_DICT: Any = TypedDict


def plain_validator(model: type[BaseModel]) -> TypeAdapter[PlainDict]:
    """A validator of `model`'s JSON (`.validate_json`) or Python data (`.validate_python`) that yields
    plain dicts. Raises pydantic.ValidationError like the model would."""
    return _adapter(model)


@functools.cache
def _adapter(model: type[BaseModel]) -> TypeAdapter[PlainDict]:
    return TypeAdapter(_typed_dict(model))


@functools.cache
def _typed_dict(model: type[BaseModel]) -> Any:
    # Each field keeps the model's FieldInfo (default, constraints) next to its mirrored type; a field
    # with a default becomes optional in the TypedDict and is filled in by pydantic, as in the model.
    fields = {name: Annotated[_mirror(info.annotation), info] for name, info in model.model_fields.items()}
    mirrored = _TYPED_DICT(f"Plain{model.__name__}", fields)
    mirrored.__pydantic_config__ = ConfigDict(extra=model.model_config.get("extra"))
    return mirrored


def _mirror(annotation: Any) -> Any:
    """`annotation` with every model in it replaced by its plain TypedDict."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _typed_dict(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is None or not args:
        return annotation
    if origin is Annotated:
        return Annotated[(_mirror(args[0]), *annotation.__metadata__)]
    mirrored = tuple(_mirror(arg) for arg in args)
    if origin is Union or origin is types.UnionType:
        return Union[mirrored]  # noqa: UP007 (built from a tuple of types)
    return origin[mirrored]
