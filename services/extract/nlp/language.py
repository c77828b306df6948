"""Sentence-level language check: which sentences are not in the pipeline's language.

A French model reads an English sentence as a string of capitalised unknown words and tags half of them
as entities ("During the meeting" MISC). The extraction therefore drops the model's entities and events
in such sentences and only keeps exact alias-table names there (see analysis.py).

Uses lingua in low-accuracy mode (trigram models only: ~15 MB, ~0.3 ms a sentence), built once per
`LanguageCheck` (one per `Extractor`). A sentence is foreign only when it has enough words to judge
(`MIN_WORDS`) and lingua is confident (`MIN_CONFIDENCE`) in another language: names alone ("RIA
Novosti") never qualify.

Most sentences of an article plainly are in its language, and lingua for each (~20 an article)
would cost as much as all the other rules together: `services.common.grammar_words.plainly_in`
settles those first from grammar words alone; only the doubtful rest goes to lingua.
"""

from __future__ import annotations

import itertools
import re
from typing import Final

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from services.common.grammar_words import plainly_in

MIN_WORDS: Final = 5
MIN_CONFIDENCE: Final = 0.8
# Languages wire copy is commonly mixed with; more would cost memory for no gain in French news.
_CANDIDATES: Final = (
    Language.FRENCH,
    Language.ENGLISH,
    Language.GERMAN,
    Language.SPANISH,
    Language.ITALIAN,
    Language.PORTUGUESE,
    Language.DUTCH,
)
_WORD: Final = re.compile(r"[^\W\d_]{2,}")


def _language_of(code: str) -> Language | None:
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except (AttributeError, ValueError):
        return None


def _has_words(sentence: str, count: int) -> bool:
    """Whether `sentence` has at least `count` words of two letters or more (stops at the count-th)."""
    return next(itertools.islice(_WORD.finditer(sentence), count - 1, None), None) is not None


class LanguageCheck:
    """Which sentences are foreign to one pipeline language (the module docstring)."""

    def __init__(self, expected_lang: str, detector: LanguageDetector | None = None) -> None:
        """`detector`: lingua's, built here when not given (blocks ~0.1 s)."""
        self.expected_lang = expected_lang
        self.detector = detector or (
            LanguageDetectorBuilder.from_languages(*_CANDIDATES).with_low_accuracy_mode().build()
        )

    def is_foreign(self, sentence: str) -> bool:
        """True when `sentence` is confidently in a language other than the expected one.

        Short sentences and unknown expected languages are never foreign; a sentence `plainly_in` the
        expected language is not, without asking lingua. Never raises.
        """
        expected = _language_of(self.expected_lang)
        if expected is None or expected not in _CANDIDATES:
            return False
        if plainly_in(sentence, self.expected_lang) or not _has_words(sentence, MIN_WORDS):
            return False
        values = self.detector.compute_language_confidence_values(sentence)
        if not values:
            return False
        best = values[0]
        return best.language != expected and best.value >= MIN_CONFIDENCE
