"""The rule data files parse, and say what the rules rely on."""

import pytest

from services.contracts.models import PloverType
from services.extract.errors import LexiconError
from services.extract.nlp.lexicon import Lexicon, cues, demonyms, parse_trigger, read_tsv, triggers


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_trigger_lexicon_covers_every_plover_type(lang: str) -> None:
    covered = {t.type for found in triggers(lang).values() for t in found}
    assert covered == set(PloverType)


def test_trigger_syntax_reflexive_preposition_and_intransitive() -> None:
    assert parse_trigger("s'entretenir", "VERB", "CONSULT").reflexive
    rendre = parse_trigger("se rendre à", "VERB", "CONSULT")
    assert (rendre.lemma, rendre.reflexive, rendre.preposition) == ("rendre", True, "à")
    assert parse_trigger("manifester !obj", "VERB", "PROTEST").intransitive


def test_a_malformed_trigger_is_refused() -> None:
    with pytest.raises(LexiconError):
        parse_trigger("attaquer", "VERB", "FIGHT")
    with pytest.raises(LexiconError):
        parse_trigger("attaque", "ADJ", "ASSAULT")


def test_demonyms_point_at_alias_ids() -> None:
    assert demonyms("fr")["russe"] == "loc:russia"
    assert demonyms("en")["russian"] == "loc:russia"


def test_cue_lists_are_per_language() -> None:
    assert "pouvoir" in Lexicon.load("fr").cue("modal")
    assert "pouvoir" not in Lexicon.load("en").cue("modal")
    assert {"role", "honorific", "negation", "modal"} <= set(cues("fr"))


def test_a_missing_data_file_is_a_lexicon_error() -> None:
    with pytest.raises(LexiconError):
        read_tsv("no-such-file.tsv", ("a",))
