"""Cached morphological features read the same values as `Token.morph.get`."""

from spacy.language import Language

from services.extract.nlp.morphology import feature


def test_feature_gives_the_values_of_token_morph_get(nlp: Language) -> None:
    doc = nlp("La Russie pourrait ne pas signer l'accord qu'elle a négocié.")
    fields = ("Mood", "Tense", "Polarity", "VerbForm", "PronType", "Voice")
    for token in [*doc, *doc]:  # the second time from the cache
        for field in fields:
            assert feature(token, field) == tuple(token.morph.get(field, []))
    assert feature(doc[2], "Mood") == ("Cnd",)
    assert feature(doc[0], "Mood") == ()
