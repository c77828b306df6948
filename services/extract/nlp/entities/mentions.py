"""From the NER model's spans to clean entity mentions (`Candidate`s): normalisation and filtering.

Normalisation (offsets move with the text, so a mention is always `text[start:end]`):
* leading determiners and elisions are cut (l', la, le, les, du, des, d', de, the, ...), unless the
  whole span is a known name ("Le Caire") or the determiner is capitalised inside a PER span
  ("Le Pen");
* leading honorifics (M., Mme, Dr, ...) are cut;
* leading and trailing punctuation and quotes are cut; a parenthesised acronym right after (or at the
  end of) the span is kept aside as the mention's `acronym` ("Organisation mondiale du commerce (OMC)");
* a LOC span the model ran across a place preposition is split ("Soudan au Caire");
* a PER span loses leading roles and lower-case words ("président Macron" -> "Macron");
* a LOC or MISC span loses leading lower-case words ("missiles Patriot" -> "Patriot").

Filtering (the span is dropped):
* a title or role ("vice-ministre de la Défense", "Secrétaire général de l'OTAN"): a span starting with
  a role noun. When it ends with an apposed proper name ("ministre des Affaires étrangères Kuleba"),
  that name is kept as a PER mention instead;
* no upper-case letter at all ("à la"), or fewer than two letters/digits ("X");
* a single token that the tagger does not call a proper noun, that is a common word of the model's
  lemmatizer tables (or a stop word) and not an acronym or a known name ("Alliance", "Promise",
  "États" tagged as entities in the middle of a sentence).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from services.extract.nlp.entities.linking import AliasTable
from services.extract.nlp.lexicon import Lexicon

ENTITY_LABELS: Final = frozenset({"PER", "ORG", "LOC", "MISC"})
# spaCy English-style labels, for a non-French pipeline.
_LABEL_MAP: Final = {"PERSON": "PER", "GPE": "LOC", "FAC": "LOC", "NORP": "MISC", "PRODUCT": "MISC",
                     "EVENT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC"}  # fmt: skip
_DETERMINERS: Final = frozenset(
    {"l'", "la", "le", "les", "du", "des", "d'", "de", "un", "une", "au", "aux", "the", "a", "an"}
)
_PLACE_PREPOSITIONS: Final = frozenset({"au", "aux", "à", "en", "dans", "in", "at"})
_QUOTES: Final = frozenset("\"'«»“”‘’„‹›`")
_MAX_ACRONYM: Final = 10


@dataclass(frozen=True, slots=True)
class Candidate:
    """One normalised entity mention, as plain values.

    `words`: the mention's token texts; `acronym`: (text, start, end) of "(ACRONYM)" right after it.
    """

    text: str
    start: int
    end: int
    label: str
    words: tuple[str, ...]
    acronym: tuple[str, int, int] | None = None


class CommonWords:
    """Whether a lower-case word is a common word of the pipeline's language, from the model's own
    lemmatizer lookup table (its inflected forms and their lemmas) and its stop words.

    The per-POS lemma index is not used: it also lists lower-cased proper nouns ("soudan", "mali").
    """

    def __init__(self, nlp: Language) -> None:
        lemmas: set[str] = set()
        self._forms: object = frozenset()
        if "lemmatizer" in nlp.pipe_names:
            lookups = getattr(nlp.get_pipe("lemmatizer"), "lookups", None)
            if lookups is not None and lookups.has_table("lemma_lookup"):
                table = lookups.get_table("lemma_lookup")
                # A spaCy Table: keys are hashed, but `in` hashes the query the same way.
                self._forms = table
                for value in table.values():
                    lemmas.update(value if isinstance(value, list) else [str(value)])
        self._lemmas = frozenset(lemmas)
        self._stop = frozenset(nlp.Defaults.stop_words)

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        return word in self._lemmas or word in self._stop or word in self._forms  # type: ignore[operator]


def _norm(text: str) -> str:
    return text.lower().replace("’", "'")


def _text(span: Span, text: str) -> str:
    """`span.text`, sliced from its document's text `text`."""
    return text[span.start_char : span.end_char]


def _is_acronym(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return 2 <= len(text) <= _MAX_ACRONYM and len(letters) >= 2 and all(c.isupper() for c in letters)


def _capitalised(token: Token) -> bool:
    return token.text[:1].isupper()


def _is_punct(token: Token) -> bool:
    return token.is_punct or token.is_quote or all(c in _QUOTES for c in token.text)


class MentionRules:
    """The normalisation and filtering rules for one pipeline (language, lemma tables, alias table)."""

    def __init__(self, nlp: Language, lexicon: Lexicon, aliases: AliasTable) -> None:
        self.aliases = aliases
        self.common = CommonWords(nlp)
        self.honorifics = frozenset(_norm(w) for w in lexicon.cue("honorific"))
        self.roles = lexicon.cue("role")
        self.role_modifiers = lexicon.cue("role_modifier")
        # One-word spans the model tags that are never names: time words ("Hier"), nationality words
        # ("le Sud-Coréen Ban Ki-moon") and abbreviations of units and zones ("UTC").
        self.not_names = lexicon.cue("time_word") | frozenset(lexicon.demonyms) | lexicon.cue("not_name")

    def candidates(self, spans: Iterable[Span], text: str) -> list[Candidate]:
        """Clean mentions of the NER spans, in text order; dropped spans leave nothing. `text`: the
        document's text (`Doc.text`, read once: `Span.text` joins the span's tokens on every access)."""
        found = []
        for span in spans:
            label = _LABEL_MAP.get(span.label_, span.label_)
            if label in ENTITY_LABELS:
                for part in self._split_places(span, label, text):
                    candidate = self.normalise(part, label, text)
                    if candidate is not None:
                        found.append(candidate)
        return found

    def _split_places(self, span: Span, label: str, text: str) -> list[Span]:
        """A LOC span the model ran across a place preposition ("Soudan au Caire") is two places."""
        if label != "LOC" or self.aliases.lookup(_text(span, text)) is not None:
            return [span]
        doc, parts, start = span.doc, [], span.start
        for index in range(span.start + 1, span.end - 1):
            if doc[index].lower_ in _PLACE_PREPOSITIONS and _capitalised(doc[index + 1]):
                parts.append(doc[start:index])
                start = index + 1
        parts.append(doc[start : span.end])
        return parts

    def normalise(self, span: Span, label: str, text: str) -> Candidate | None:
        """The clean mention of one NER span of the document of text `text`, or None when the span is
        not a name."""
        doc = span.doc
        start, end = span.start, span.end
        if self.aliases.lookup(_text(span, text)) is not None:
            return self._make(span, label, text)
        start, end, acronym = self._cut_parenthesis(doc, start, end)
        start, end = self._trim(doc, start, end, label)
        if start >= end:
            return None
        if self._is_role(doc, start, end):
            return self._apposed_name(doc, start, end, text)
        if label == "PER":
            start = self._skip_leading(doc, start, end, roles=True)
        elif label in ("LOC", "MISC"):
            start = self._skip_leading(doc, start, end, roles=False)
        if start >= end:
            return None
        name = doc[start:end]  # a Span is costly to build: one for both checking and making
        return self._make(name, label, text, acronym) if self._plausible(name, text, label) else None

    def _make(
        self, span: Span, label: str, text: str, acronym: tuple[str, int, int] | None = None
    ) -> Candidate:
        words = tuple(t.text for t in span)
        return Candidate(_text(span, text), span.start_char, span.end_char, label, words, acronym)

    def _cut_parenthesis(
        self, doc: Doc, start: int, end: int
    ) -> tuple[int, int, tuple[str, int, int] | None]:
        """Cut the span at an inner "(" and read "(ACRONYM)" right there or right after the span."""
        cut = next((i for i in range(start + 1, end) if doc[i].text == "("), end)
        if cut + 2 < len(doc) and doc[cut].text == "(" and doc[cut + 2].text == ")":
            inner = doc[cut + 1]
            if _is_acronym(inner.text):
                return start, cut, (inner.text, inner.idx, inner.idx + len(inner.text))
        return start, cut, None

    def _trim(self, doc: Doc, start: int, end: int, label: str) -> tuple[int, int]:
        """Cut leading punctuation, determiners and honorifics and trailing punctuation."""
        while end > start and (_is_punct(doc[end - 1]) or doc[end - 1].is_space):
            end -= 1
        while start < end:
            token = doc[start]
            lower = _norm(token.text)
            if _is_punct(token) or (lower in self.honorifics and _capitalised(token)):
                start += 1
            elif lower in _DETERMINERS and end - start > 1:
                # "Le Pen", "La Haye": a capital determiner inside the sentence belongs to the name.
                if _capitalised(token) and (label == "PER" or not token.is_sent_start):
                    break
                start += 1
            else:
                break
        return start, end

    def _role_at(self, doc: Doc, index: int, end: int) -> bool:
        lower = _norm(doc[index].text)
        lemma = _norm(doc[index].lemma_)
        if lower in self.roles or lemma in self.roles:
            return True
        return lower in self.role_modifiers and index + 1 < end and self._role_at(doc, index + 1, end)

    def _is_role(self, doc: Doc, start: int, end: int) -> bool:
        return self._role_at(doc, start, end)

    def _apposed_name(self, doc: Doc, start: int, end: int, text: str) -> Candidate | None:
        """The proper name ending a role span ("ministre ... Kuleba"), if one is apposed to it."""
        first = end
        while first > start and _capitalised(doc[first - 1]) and doc[first - 1].pos_ in ("PROPN", "X"):
            first -= 1
        if first in (end, start) or doc[first - 1].pos_ in ("ADP", "DET", "PUNCT"):
            return None
        name = doc[first:end]
        if self.aliases.lookup(_text(name, text)) is not None:
            return None
        return self._make(name, "PER", text)

    def _skip_leading(self, doc: Doc, start: int, end: int, *, roles: bool) -> int:
        """Skip leading lower-case words (and, for people, roles and honorifics of any case)."""
        index = start
        while index < end - 1:
            token = doc[index]
            lower = _norm(token.text)
            if (not _capitalised(token) and not token.like_num) or (
                roles and (self._role_at(doc, index, end) or lower in self.honorifics)
            ):
                index += 1
            else:
                break
        return index

    def _plausible(self, span: Span, doc_text: str, label: str) -> bool:
        text = _text(span, doc_text)
        if sum(c.isalnum() for c in text) < 2 or not any(c.isupper() for c in text):
            return False
        if len(span) == 1:
            token = span[0]
            if _norm(token.text) in self.not_names and self.aliases.lookup(text) is None:
                return False
            if _is_acronym(token.text) or self.aliases.lookup(text) is not None:
                return True
            if token.pos_ != "PROPN" and (
                _norm(token.text) in self.common or _norm(token.lemma_) in self.common
            ):
                return False
        elif label == "MISC" and span[0].is_sent_start and self.aliases.lookup(text) is None:
            # A headline or sentence opening with common words the model took for a title ("Nouvelles
            # répliques ..."): capitalised only because it starts the sentence.
            return not all(_norm(t.text) in self.common or _norm(t.lemma_) in self.common for t in span)
        return True
