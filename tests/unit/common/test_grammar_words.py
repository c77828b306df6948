"""Grammar words settle the language of plain text; anything doubtful is left to lingua."""

import pytest

from services.common.grammar_words import grammar_words, languages, plain_language, plainly_in

FRENCH = "Le Hamas a accusé Israël de saboter les efforts de paix dans la région."
ENGLISH = "The United States attacked Iraq in 2003 after months of tension with the Iraqi regime."


def test_plain_text_belongs_to_exactly_one_language() -> None:
    assert plain_language(FRENCH) == "fr"
    assert plain_language(ENGLISH) == "en"
    assert [lang for lang in languages() if plainly_in(FRENCH, lang)] == ["fr"]


def test_text_without_listed_grammar_words_is_left_to_lingua() -> None:
    assert plain_language("Президент России Владимир Путин заявил в четверг о переговорах.") is None
    assert plain_language("") is None
    assert not plainly_in(FRENCH, "ru")


@pytest.mark.parametrize(
    "sentence",
    [
        # A grammar word only another language has: a quotation in English.
        "Le président a déclaré « we will never give up » devant les députés de la nation.",
        # Only words French shares with Spanish (que, la, de, se): nothing distinctive.
        "Dijo que la ciudad de Madrid se rendirá pronto.",
        # Too few grammar words to judge.
        "Volodymyr Zelensky rencontre Emmanuel Macron à Paris.",
    ],
)
def test_doubtful_sentences_are_left_to_lingua(sentence: str) -> None:
    assert not plainly_in(sentence, "fr")


def test_letters_glued_to_digits_are_not_words() -> None:
    # "2e" and "3e" would otherwise read as the Italian and Portuguese "e".
    assert plainly_in("Le 2e régiment et la 3e brigade sont arrivés dans la ville.", "fr")


def test_distinctive_and_contrary_words_follow_from_the_lists() -> None:
    french = grammar_words("fr")
    assert {"une", "dans", "été"} <= french.distinctive
    assert not {"la", "de", "que"} & french.distinctive  # Spanish or Italian too
    assert {"the", "und", "los"} <= french.contrary
    assert not {"la", "de", "que"} & french.contrary
    assert french.distinctive <= french.own


@pytest.mark.parametrize("lang", ["fr", "en", "de", "es", "it", "pt", "nl"])
def test_every_language_the_checks_tell_apart_has_grammar_words(lang: str) -> None:
    assert lang in languages()
    assert len(grammar_words(lang).own) >= 40
