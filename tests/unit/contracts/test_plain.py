"""Validating into plain dicts accepts and refuses exactly what the models do, with the same data."""

from pathlib import Path

import orjson
import pytest
from pydantic import BaseModel, ValidationError

from services.contracts.models import DeadLetter, EnrichedArticle, EventMessage, RawArticle
from services.contracts.plain import plain_validator

EXAMPLES = Path(__file__).parents[3] / "services" / "contracts" / "examples"
CASES = [
    (RawArticle, "raw_article.json"),
    (EnrichedArticle, "enriched_article.json"),
    (EventMessage, "event.json"),
    (DeadLetter, "dead_letter.json"),
]


@pytest.mark.parametrize(("model", "name"), CASES)
def test_a_valid_message_gives_the_models_data_as_plain_dicts(model: type[BaseModel], name: str) -> None:
    value = (EXAMPLES / name).read_bytes()

    assert plain_validator(model).validate_json(value) == model.model_validate_json(value).model_dump()


def test_defaults_are_filled_in_as_by_the_model() -> None:
    doc = orjson.loads((EXAMPLES / "enriched_article.json").read_bytes())
    for event in doc["events"]:
        for optional in ("negated", "hypothetical", "attributes", "location", "date"):
            event.pop(optional, None)
    value = orjson.dumps(doc)

    plain = plain_validator(EnrichedArticle).validate_json(value)

    assert plain == EnrichedArticle.model_validate_json(value).model_dump()
    assert plain["events"][0]["negated"] is False
    assert plain["events"][0]["attributes"] == {}


def _errors(model: type[BaseModel], value: bytes, *, plain: bool) -> list[tuple[object, str]]:
    validate = plain_validator(model).validate_json if plain else model.model_validate_json
    with pytest.raises(ValidationError) as raised:
        validate(value)
    return [(error["loc"], error["type"]) for error in raised.value.errors()]


def _broken(change: str) -> bytes:
    doc = orjson.loads((EXAMPLES / "enriched_article.json").read_bytes())
    if change == "unknown field":
        doc["entities"][0]["colour"] = "red"
    elif change == "empty id":
        doc["article_id"] = ""
    elif change == "unknown entity type":
        doc["entities"][0]["type"] = "PLANET"
    elif change == "negative offset":
        doc["entities"][0]["mentions"][0]["start"] = -1
    elif change == "missing text":
        del doc["text"]
    elif change == "confidence above 1":
        doc["events"][0]["confidence"] = 1.5
    return orjson.dumps(doc)


@pytest.mark.parametrize(
    "change",
    [
        "unknown field",
        "empty id",
        "unknown entity type",
        "negative offset",
        "missing text",
        "confidence above 1",
    ],
)
def test_an_invalid_message_is_refused_with_the_same_errors(change: str) -> None:
    value = _broken(change)

    assert _errors(EnrichedArticle, value, plain=True) == _errors(EnrichedArticle, value, plain=False)
