"""RawArticle + Analysis -> EnrichedArticle, as the worker publishes it."""

import re
from datetime import UTC, datetime

import pytest

from services.contracts.models import EnrichedArticle, RawArticle
from services.contracts.versions import EXTRACTOR_VERSION
from services.extract.enrich import enrich, event_id
from services.extract.errors import AnalysisError
from services.extract.nlp.results import Analysis, EntityResult, EventResult, TextSpan

TEXT = "Le Japon a attaqué la Chine."
JAPAN = EntityResult("loc:japan", "Japon", "LOC", (TextSpan("Japon", 3, 8),))
CHINA = EntityResult("loc:china", "Chine", "LOC", (TextSpan("Chine", 22, 27),))
ATTACK = EventResult(
    type="ASSAULT",
    actor="loc:japan",
    target="loc:china",
    trigger=TextSpan("attaqué", 11, 18),
    sentence=(0, 28),
    attributes=(("killed", 3),),
    confidence=0.85,
)


def raw(text: str = TEXT) -> RawArticle:
    return RawArticle(
        article_id="a1", external_id="x.txt", source="test", text=text, lang="fr",
        ingested_at=datetime(2024, 8, 1, tzinfo=UTC), title="Titre",
    )  # fmt: skip


def test_extractor_version_is_semver() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", EXTRACTOR_VERSION)


def test_the_article_keeps_its_fields_and_gains_entities_and_events() -> None:
    article = enrich(raw(), Analysis((JAPAN, CHINA), (ATTACK,)))
    assert isinstance(article, EnrichedArticle)
    assert (article.article_id, article.external_id, article.title, article.text) == (
        "a1",
        "x.txt",
        "Titre",
        TEXT,
    )
    assert article.extractor_version == EXTRACTOR_VERSION
    assert [(e.id, e.type.value, [m.text for m in e.mentions]) for e in article.entities] == [
        ("loc:japan", "LOC", ["Japon"]),
        ("loc:china", "LOC", ["Chine"]),
    ]
    (event,) = article.events
    assert (event.type.value, event.actor, event.target, event.attributes) == (
        "ASSAULT", "loc:japan", "loc:china", {"killed": 3}
    )  # fmt: skip
    assert (event.trigger.text, event.sentence.start, event.sentence.end) == ("attaqué", 0, 28)
    assert EnrichedArticle.model_validate_json(article.model_dump_json()) == article


def test_the_article_carries_the_extractor_version_it_is_given() -> None:
    article = enrich(raw(), Analysis((JAPAN, CHINA), (ATTACK,)), extractor_version="0.9.0")

    assert article.extractor_version == "0.9.0"


def test_event_ids_are_deterministic_and_distinct_per_actor_on_one_trigger() -> None:
    assert event_id("a1", "ASSAULT", 11, 18, "loc:japan", None) == event_id(
        "a1", "ASSAULT", 11, 18, "loc:japan", None
    )
    assert event_id("a1", "ASSAULT", 11, 18, "loc:japan", None) != event_id(
        "a1", "ASSAULT", 11, 18, "loc:korea", None
    )
    assert event_id("a1", "ASSAULT", 11, 18, None, None) != event_id("a2", "ASSAULT", 11, 18, None, None)
    first = enrich(raw(), Analysis((JAPAN, CHINA), (ATTACK,))).events[0].id
    assert first == enrich(raw(), Analysis((JAPAN, CHINA), (ATTACK,))).events[0].id


def test_an_analysis_of_another_text_is_refused() -> None:
    with pytest.raises(AnalysisError):
        enrich(raw("Le Kenya a attaqué la Chine."), Analysis((JAPAN,), ()))


def test_an_event_pointing_at_a_missing_entity_is_refused() -> None:
    with pytest.raises(AnalysisError):
        enrich(raw(), Analysis((JAPAN,), (ATTACK,)))
