"""The sentence language check: grammar words settle the plain sentences, lingua judges the doubtful rest."""

import pytest

from services.common.grammar_words import plainly_in
from services.extract.nlp import language
from services.extract.nlp.language import is_foreign

FRENCH = "Le Hamas a accusé Israël de saboter les efforts de paix dans la région."
ENGLISH = "The United States attacked Iraq in 2003 after months of tension with the Iraqi regime."


@pytest.fixture
def lingua_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The sentences `is_foreign` hands to lingua (the real detector still answers)."""
    real = language._detector()
    calls: list[str] = []

    class Recording:
        def compute_language_confidence_values(self, text: str) -> object:
            calls.append(text)
            return real.compute_language_confidence_values(text)

    def detector() -> Recording:
        return Recording()

    monkeypatch.setattr(language, "_detector", detector)
    return calls


def test_a_plain_french_sentence_is_settled_without_lingua(lingua_calls: list[str]) -> None:
    assert plainly_in(FRENCH, "fr")
    assert not is_foreign(FRENCH, "fr")
    assert lingua_calls == []


def test_an_english_sentence_goes_to_lingua_and_is_foreign(lingua_calls: list[str]) -> None:
    assert not plainly_in(ENGLISH, "fr")
    assert is_foreign(ENGLISH, "fr")
    assert lingua_calls == [ENGLISH]


def test_the_check_works_for_an_english_pipeline_too(lingua_calls: list[str]) -> None:
    assert plainly_in(ENGLISH, "en")
    assert not is_foreign(ENGLISH, "en")
    assert not plainly_in(FRENCH, "en")
    assert is_foreign(FRENCH, "en")
    assert lingua_calls == [FRENCH]


def test_short_sentences_and_unknown_languages_are_never_foreign(lingua_calls: list[str]) -> None:
    assert not is_foreign("During the meeting.", "fr")
    assert not is_foreign(ENGLISH, "xx")
    assert lingua_calls == []
