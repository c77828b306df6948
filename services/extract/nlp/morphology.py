"""Morphological feature values of tokens (UD features: `Mood=Cnd`, `Polarity=Neg`, ...), cached.

`Token.morph.get(field)` parses the token's analysis on every call (~1.4 µs, several times the cost
of getting the analysis); the rules ask a feature of a few hundred tokens per article, and the tagger
only ever produces a few hundred distinct analyses. The values are kept per (analysis, field): an
analysis is equal to another with the same features, in any document or pipeline.
"""

from __future__ import annotations

from spacy.tokens import MorphAnalysis, Token

_VALUES: dict[tuple[MorphAnalysis, str], tuple[str, ...]] = {}


def feature(token: Token, field: str) -> tuple[str, ...]:
    """The values of the feature `field` of `token` (`feature(t, "Mood") == ("Cnd",)` for "pourrait"),
    () when it has none: what `token.morph.get(field)` gives."""
    morph = token.morph
    key = (morph, field)
    values = _VALUES.get(key)
    if values is None:
        values = _VALUES[key] = tuple(morph.get(field, []))
    return values
