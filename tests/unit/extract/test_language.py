"""The sentence language check: grammar words settle the plain sentences, lingua judges the doubtful rest."""

from collections.abc import Callable

import pytest
from lingua import LanguageDetector

from services.common.grammar_words import plainly_in
from services.extract.nlp.language import LanguageCheck

FRENCH = "Le Hamas a accusé Israël de saboter les efforts de paix dans la région."
ENGLISH = "The United States attacked Iraq in 2003 after months of tension with the Iraqi regime."


class RecordingDetector:
    """lingua's detector, recording the sentences it is asked about."""

    def __init__(self, real: LanguageDetector) -> None:
        self.real = real
        self.calls: list[str] = []

    def compute_language_confidence_values(self, text: str) -> object:
        self.calls.append(text)
        return self.real.compute_language_confidence_values(text)


Make = Callable[[str], tuple[LanguageCheck, RecordingDetector]]


@pytest.fixture(scope="module")
def lingua() -> LanguageDetector:
    return LanguageCheck("fr").detector


@pytest.fixture
def check(lingua: LanguageDetector) -> Make:
    """A check for a pipeline language whose detector records its calls."""

    def make(lang: str) -> tuple[LanguageCheck, RecordingDetector]:
        recording = RecordingDetector(lingua)
        return LanguageCheck(lang, recording), recording  # type: ignore[arg-type]

    return make


def test_a_plain_french_sentence_is_settled_without_lingua(check: Make) -> None:
    french, lingua = check("fr")
    assert plainly_in(FRENCH, "fr")
    assert not french.is_foreign(FRENCH)
    assert lingua.calls == []


def test_an_english_sentence_goes_to_lingua_and_is_foreign(check: Make) -> None:
    french, lingua = check("fr")
    assert not plainly_in(ENGLISH, "fr")
    assert french.is_foreign(ENGLISH)
    assert lingua.calls == [ENGLISH]


def test_the_check_works_for_an_english_pipeline_too(check: Make) -> None:
    english, lingua = check("en")
    assert plainly_in(ENGLISH, "en")
    assert not english.is_foreign(ENGLISH)
    assert not plainly_in(FRENCH, "en")
    assert english.is_foreign(FRENCH)
    assert lingua.calls == [FRENCH]


def test_short_sentences_and_unknown_languages_are_never_foreign(check: Make) -> None:
    french, lingua = check("fr")
    unknown, unknown_lingua = check("xx")
    assert not french.is_foreign("During the meeting.")
    assert not unknown.is_foreign(ENGLISH)
    assert lingua.calls == unknown_lingua.calls == []
