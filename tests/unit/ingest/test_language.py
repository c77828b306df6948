"""language.py: lingua on the expected languages; caller tags reduced to ISO 639-1."""

import pytest

from services.ingest import language
from services.ingest.language import detect_language, detect_languages, normalise_language_tag


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Les ministres des Affaires étrangères se sont réunis jeudi à Bruxelles.", "fr"),
        ("The foreign ministers met in Brussels on Thursday to discuss military aid.", "en"),
        ("Die Außenminister trafen sich am Donnerstag in Brüssel, um über Militärhilfe zu beraten.", "de"),
        ("Los ministros de Asuntos Exteriores se reunieron el jueves en Bruselas.", "es"),
        ("Министры иностранных дел встретились в четверг в Брюсселе.", "ru"),
    ],
)
def test_detects_the_language(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_blank_text_has_no_language() -> None:
    assert detect_language("   ") is None


def test_only_texts_their_grammar_words_do_not_settle_go_to_lingua(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    real = language._detect_samples

    def recording(samples: list[str]) -> list[str | None]:
        asked.extend(samples)
        return real(samples)

    monkeypatch.setattr(language, "_detect_samples", recording)
    french = (
        "Les ministres des Affaires étrangères se sont réunis jeudi à Bruxelles dans une ambiance tendue."
    )
    russian = "Министры иностранных дел встретились в четверг в Брюсселе."

    assert detect_languages([french, russian]) == ["fr", "ru"]
    assert asked == [russian]


def test_bulk_detection_answers_like_one_by_one_in_order() -> None:
    texts = [
        "Les ministres des Affaires étrangères se sont réunis jeudi à Bruxelles.",
        "   ",
        "The foreign ministers met in Brussels on Thursday to discuss military aid.",
        "Los ministros de Asuntos Exteriores se reunieron el jueves en Bruselas.",
    ]

    assert detect_languages(texts) == [detect_language(t) for t in texts] == ["fr", None, "en", "es"]


@pytest.mark.parametrize(
    ("tag", "code"),
    [("fr", "fr"), ("FR", "fr"), ("fr-FR", "fr"), ("pt_BR", "pt"), ("français", None), ("f", None)],
)
def test_caller_tags(tag: str, code: str | None) -> None:
    assert normalise_language_tag(tag) == code
