"""Morphological feature values of tokens (UD features: `Mood=Cnd`, `Polarity=Neg`, `Gender=Fem`, ...)."""

from __future__ import annotations

from spacy.tokens import Token


def feature(token: Token, field: str) -> tuple[str, ...]:
    """The values of the feature `field` of `token` (`feature(t, "Mood") == ("Cnd",)` for "pourrait"),
    () when it has none. Parses the token's analysis on every call (about a microsecond): the rules ask
    it of a few hundred tokens an article."""
    return tuple(token.morph.get(field, []))
