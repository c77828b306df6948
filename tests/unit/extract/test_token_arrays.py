"""The tokens rules look at, found from the document's arrays, are those the Token-based tests find."""

import numpy as np
import pytest
from spacy.language import Language
from spacy.tokens import Doc

from services.extract.nlp.events.arguments import subset_words
from services.extract.nlp.events.casualties import CasualtyReader, number_value
from services.extract.nlp.events.rules import EventRules
from services.extract.nlp.lexicon import Lexicon
from services.extract.nlp.token_arrays import is_one_of, word_ids

TEXT = (
    "Le Tchad a attaqué le Niger, faisant trois morts et 1\u202f200 blessés parmi les civils, dont "
    "350\u00a0000 déplacés. Les pays alliés, dont la France, ont condamné les frappes et appelé à un "
    "cessez-le-feu, a déclaré l'ONU qui prévoit de sanctionner les responsables."
)


@pytest.fixture(scope="module")
def doc(nlp: Language) -> Doc:
    return nlp(TEXT)


def test_is_one_of_is_isin(doc: Doc) -> None:
    lowers = doc.to_array("LOWER")
    ids = word_ids(["dont", "les", "trois", "absent"])
    assert list(ids) == sorted(ids)
    assert (is_one_of(lowers, ids) == np.isin(lowers, ids)).all()
    assert not is_one_of(lowers, word_ids([])).any()


def test_numbers_hold_every_token_that_spells_a_number(doc: Doc) -> None:
    numbers = CasualtyReader(Lexicon.load("fr")).numbers(doc)
    spelled = [t.i for t in doc if number_value(t, "fr") is not None]
    assert spelled
    assert set(spelled) <= set(numbers)
    assert numbers == sorted(numbers)


def test_trigger_candidates_hold_every_trigger(doc: Doc) -> None:
    rules = EventRules(Lexicon.load("fr"))
    candidates = rules.candidates(doc)
    triggers = [t.i for t in doc if rules.match(t) is not None]
    assert {doc[i].lemma_ for i in triggers} >= {"attaquer", "condamner", "sanctionner"}
    assert set(triggers) <= set(candidates)
    assert len(candidates) < len(doc) // 2


def test_subset_words_are_the_words_that_name_a_subset(doc: Doc) -> None:
    assert sorted(doc[i].text for i in subset_words(doc)) == ["dont", "dont", "parmi"]
