"""A name right after a noun that says what it names: a title or a person noun makes a person's ("le
président Olusegun Obasanjo", "sa rivale, Mirlande Manigat,"), an organisation noun an organisation's ("le
parti Guomindang", "l'agence de presse Lusa").

The model misses such names, types them wrongly, or takes the noun into the name. The capitalised words
right after a noun of `kinds` (a comma between allowed: an apposition) become a mention of that noun's type,
replacing a model mention of exactly those words, or of the noun and those words, unless the knowledge data
knows the name as something else (a country, a city, an organisation). Pure: candidates in, candidates out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from spacy.tokens import Doc, Token

from services.extract.nlp.entities.linking import Linker
from services.extract.nlp.entities.mentions import Candidate

MAX_NAME_WORDS = 4


def names_after_kind_nouns(
    doc: Doc, candidates: Sequence[Candidate], kinds: Mapping[str, str], linker: Linker
) -> list[Candidate]:
    """`candidates` with the names after the nouns of `kinds` (noun -> entity type: "président" -> PER,
    "parti" -> ORG) as mentions of that type (see the module docstring)."""
    text = doc.text
    found = list(candidates)
    for token in doc:
        if not token.is_lower:
            continue
        label = kinds.get(token.lower_) or kinds.get(token.lemma_.lower())
        if label is None:
            continue
        words = _name_after(doc, token.i + 1)
        if not words:
            continue
        start, end = words[0].idx, words[-1].idx + len(words[-1])
        name = text[start:end]
        known = linker.aliases.lookup(name) or linker.places.lookup(name)
        if known is not None:
            continue
        overlapping = [c for c in found if c.start < end and start < c.end]
        if any((c.start, c.end, c.label) == (start, end, label) for c in overlapping):
            continue  # the model read it so already
        if any(
            c.label == "PER" or (c.start, c.end) not in {(start, end), (token.idx, end)} for c in overlapping
        ):
            continue  # a person's name, or the model read a longer or other name there
        found = [c for c in found if c not in overlapping]
        found.append(Candidate(name, start, end, label, tuple(w.text for w in words)))
    return sorted(found, key=lambda c: (c.start, c.end))


def _name_after(doc: Doc, index: int) -> list[Token]:
    """The capitalised words starting at `index` (after an optional comma), at most MAX_NAME_WORDS;
    [] when there are none or more."""
    if index < len(doc) and doc[index].text == ",":
        index += 1
    words: list[Token] = []
    # Any part of speech: the tagger reads unknown names as adjectives or verbs too.
    while index < len(doc) and doc[index].text[:1].isupper() and not doc[index].is_punct:
        if doc[index - 1].is_space:
            break  # a line break ends the name (a sentence start after a name word is the parser's slip)
        words.append(doc[index])
        index += 1
    return words if 0 < len(words) <= MAX_NAME_WORDS else []
