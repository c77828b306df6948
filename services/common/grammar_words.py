"""Settling a text's language from its grammar words alone, before asking lingua (pure, no model).

Most news text plainly is in one language, and lingua costs far more than counting a few words: ingest
asks it for the dominant language of every article that does not state one, extract for every sentence
of every article. `plainly_in(text, lang)` settles the plain cases; only the doubtful rest goes to lingua.

It is conservative: a text needs `PLAIN_WORDS` grammar words of `lang` (data/function_words.tsv), among
them at least `PLAIN_DISTINCTIVE` that no other listed language has ("une", "été", "dans"; "la", "de"
or "que" could be Spanish), and not one grammar word that only another listed language has ("the",
"und", "los"). A quotation in another language, or a text made only of words several languages share,
is left to lingua. So at most one language can plainly own a text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Final

PLAIN_WORDS: Final = 4
PLAIN_DISTINCTIVE: Final = 1
DATA_FILE: Final = "function_words.tsv"
# Runs of word characters; only those made of letters are words: the "e" of "2e" or the "er" of "1er"
# is no grammar word.
_RUN: Final = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class GrammarWords:
    """The grammar words `plainly_in` weighs for one language.

    `own`: the language's; `distinctive`: those of them no other listed language has; `contrary`: the
    other listed languages' that the language does not have.
    """

    own: frozenset[str]
    distinctive: frozenset[str]
    contrary: frozenset[str]


@functools.cache
def _lists() -> dict[str, frozenset[str]]:
    """ISO 639-1 code -> its grammar words, from data/function_words.tsv (read once)."""
    text = resources.files("services.common").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    if not rows or rows[0][:2] != ["word", "lang"]:
        raise ValueError(f"{DATA_FILE}: the header must start with word, lang")
    words: dict[str, set[str]] = {}
    for row in rows[1:]:
        words.setdefault(row[1].strip(), set()).add(row[0].strip())
    return {lang: frozenset(found) for lang, found in words.items()}


@functools.cache
def languages() -> tuple[str, ...]:
    """The languages that have grammar words, as ISO 639-1 codes."""
    return tuple(sorted(_lists()))


@functools.cache
def grammar_words(lang: str) -> GrammarWords:
    """The grammar words of `lang` against the other listed languages (none for an unlisted one)."""
    lists = _lists()
    own = lists.get(lang, frozenset())
    others = frozenset().union(*(words for code, words in lists.items() if code != lang))
    return GrammarWords(own, own - others, others - own)


def plainly_in(text: str, lang: str) -> bool:
    """True when the grammar words of `text` settle that it is in `lang` (see the module docstring);
    False means "ask lingua", not "another language"."""
    return _settles(_words(text), lang)


def plain_language(text: str) -> str | None:
    """The one listed language that plainly owns `text`, or None when lingua must decide."""
    found = _words(text)
    return next((lang for lang in languages() if _settles(found, lang)), None)


def _words(text: str) -> list[str]:
    return [run for run in _RUN.findall(text.lower()) if run.isalpha()]


def _settles(found: list[str], lang: str) -> bool:
    words = grammar_words(lang)
    if not words.own or not words.contrary.isdisjoint(found):
        return False
    own = [word for word in found if word in words.own]
    return len(own) >= PLAIN_WORDS and len(words.distinctive.intersection(own)) >= PLAIN_DISTINCTIVE
