"""Casualty figures of a sentence ("25 morts", "tuant 3 civils", "la mort de 25 personnes",
"15 blessés"), for the `killed` / `injured` attributes of ASSAULT events (PLOVER's dead / injured).

A number counts when it quantifies (is a dependent of) a toll noun (killed_noun / injured_noun cues) or a
person noun (person_noun cue) that is the object or passive subject of a toll verb, the complement of a
toll noun ("la mort de"), or qualified by a toll participle ("12 civils tués"). Within a sentence the
largest figure of each kind is kept (figures are often repeated, never meant to be summed).
Vague quantities ("des dizaines de morts") give no figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import numpy as np
from spacy.tokens import Doc, Span, Token

from services.extract.nlp.lexicon import Lexicon
from services.extract.nlp.token_arrays import is_one_of, word_ids

_NUMBER_WORDS: Final = {
    "fr": {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
           "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
           "seize": 16, "vingt": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
           "cent": 100, "mille": 1000},
    "en": {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40,
           "fifty": 50, "hundred": 100, "thousand": 1000},
}  # fmt: skip
_MAX_FIGURE: Final = 10_000_000


def number_value(token: Token, lang: str) -> int | None:
    """The integer a number token spells ("25", "1 200" split in two tokens, "trois"), or None."""
    text = token.text.replace("\u202f", "").replace("\u00a0", "")
    if text.isdigit():
        if _is_group_continuation(token):
            return None
        value = text
        nxt = token.i + 1
        while nxt < len(token.doc) and _is_group_continuation(token.doc[nxt]):
            value += token.doc[nxt].text
            nxt += 1
        number = int(value)
        return number if 0 < number <= _MAX_FIGURE else None
    return _NUMBER_WORDS.get(lang, {}).get(token.lower_)


def _is_group_continuation(token: Token) -> bool:
    """A 3-digit token right after a digit token, separated by a space: "350 000"."""
    if token.i == 0 or len(token.text) != 3 or not token.text.isdigit():
        return False
    previous = token.doc[token.i - 1]
    return previous.text.isdigit() and len(previous.text) <= 3 and bool(previous.whitespace_)


class CasualtyReader:
    """Reads casualty figures with one language's cue lists."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lang = lang = lexicon.lang
        self.killed_nouns = lexicon.cue("killed_noun")
        self.injured_nouns = lexicon.cue("injured_noun")
        self.killed_verbs = lexicon.cue("killed_verb")
        self.injured_verbs = lexicon.cue("injured_verb")
        self.person_nouns = lexicon.cue("person_noun")
        # "perdre la vie", "trouver la mort": (verb lemma, object lemma) pairs that mean dying.
        self.dying_locutions = frozenset(
            (words[0], words[-1])
            for words in (w.split() for w in lexicon.cue("killed_locution"))
            if len(words) > 1
        )
        self._number_word_ids = word_ids(_NUMBER_WORDS.get(lang, {}))

    def numbers(self, doc: Doc) -> list[int]:
        """The indices of the tokens of `doc` that may spell a number (`number_value`), in order: those
        not made of letters only, and the number words. Read from the token arrays: spaCy builds a
        Token object for each word a sentence is walked through, and few words are numbers."""
        rows = doc.to_array(["IS_ALPHA", "LOWER"])
        return np.flatnonzero((rows[:, 0] == 0) | is_one_of(rows[:, 1], self._number_word_ids)).tolist()

    def figures(self, sentence: Span, numbers: Iterable[int]) -> dict[str, int]:
        """{"killed": n, "injured": m} for the tolls the sentence states (keys absent when none).
        `numbers`: the indices of the sentence's tokens that may spell a number (see `numbers`)."""
        found: dict[str, int] = {}
        doc = sentence.doc
        for index in numbers:
            token = doc[index]
            # Taggers call figures NUM or DET ("1 200 personnes"): any number attached to a word counts.
            value = number_value(token, self.lang)
            if value is None or token.head.i == token.i:
                continue
            kind = self._kind(token.head)
            if kind is not None:
                found[kind] = max(found.get(kind, 0), value)
        return found

    def _toll_of_word(self, token: Token) -> str | None:
        lemma, lower = token.lemma_.lower(), token.lower_
        if lemma in self.killed_nouns or lower in self.killed_nouns or lemma in self.killed_verbs:
            return "killed"
        if lemma in self.injured_nouns or lower in self.injured_nouns or lemma in self.injured_verbs:
            return "injured"
        return None

    def _dying(self, verb: Token) -> bool:
        verb_lemma = verb.lemma_.lower()
        return any(
            (verb_lemma, c.lemma_.lower()) in self.dying_locutions for c in verb.children if c.dep_ == "obj"
        )

    def _kind(self, head: Token) -> str | None:
        if head.pos_ in ("NOUN", "ADJ", "PROPN") and head.lemma_.lower() not in self.person_nouns:
            return self._toll_of_word(head) if head.pos_ != "PROPN" else None
        if head.lemma_.lower() not in self.person_nouns and head.lower_ not in self.person_nouns:
            return None
        for child in head.children:
            if child.dep_ in ("acl", "amod", "xcomp") and child.pos_ in ("VERB", "ADJ"):
                kind = self._toll_of_word(child)
                if kind is not None:
                    return kind
        governor = head.head
        if head.dep_ == "nsubj" and self._dying(governor):
            return "killed"  # "37 personnes ont trouvé la mort"
        # An active subject is a victim only of an intransitive toll verb ("3 personnes sont mortes").
        transitive = any(c.dep_ == "obj" for c in governor.children)
        if governor.pos_ in ("VERB", "ADJ", "AUX") and (
            head.dep_ in ("obj", "nsubj:pass") or (head.dep_ == "nsubj" and not transitive)
        ):
            return self._toll_of_word(governor)
        if head.dep_ in ("nmod", "obl", "obl:arg") and governor.pos_ == "NOUN":
            return self._toll_of_word(governor)
        if head.dep_ in ("obl", "obl:arg") and governor.pos_ == "VERB":
            # "entraînant la mort de 25 personnes", parsed with the people under the verb.
            for sibling in governor.children:
                if sibling.dep_ == "obj" and sibling.pos_ == "NOUN":
                    return self._toll_of_word(sibling)
        return None
