"""When an event happened: its time expression found in the parse, resolved to a calendar date
against the article's `published_at` with dateparser.

Finding (`time_expression`, pure over the Doc): a temporal dependent of the trigger — or, for an
event noun, of the verb governing it — whose subtree holds a time word (cue list `time_word`:
weekdays, months, "hier", "semaine", ...): "jeudi prochain", "la semaine dernière", "le 18 août
dernier", "mercredi", "dans la nuit de mercredi à jeudi". The verb's tense says which way a bare
weekday points ("a frappé mercredi": the last one; "se réunira mercredi": the next one).

Resolving (`resolve_date`): dateparser (French and English) with `RELATIVE_BASE` = publication
time. dateparser does not read the French qualifiers "prochain"/"dernier" nor parts of the day
("mardi soir"), so they are turned into a preference (future/past) and removed first; "la nuit de
mercredi à jeudi" keeps its first day. Without a publication date only expressions that name a
year resolve; never raises. `DateResolver` memoises it per (expression, base day, direction) for
the worker, which resolves the same few expressions against the same day all day long.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
from typing import Final

from spacy.tokens import Token

from services.extract.nlp.morphology import feature
from services.extract.nlp.results import TextSpan

_TEMPORAL_DEPS: Final = frozenset({"obl:mod", "obl", "nmod", "advmod", "obl:tmod", "nmod:tmod", "obj"})
_QUALIFIERS: Final = re.compile(
    r"\b(prochaine?s?|derni[eè]re?s?|pass[ée]e?s?|soir|matin|après-midi|apres-midi|midi|nuit|"
    r"next|last|morning|evening|night)\b"
)
_FUTURE_WORDS: Final = re.compile(r"\b(prochaine?s?|next)\b")
_PAST_WORDS: Final = re.compile(r"\b(derni[eè]re?s?|pass[ée]e?s?|last)\b")
_NIGHT_SPAN: Final = re.compile(r"\bnuit (?:de|du) (\w+) (?:à|au) (\w+)")
_YEAR: Final = re.compile(r"\b(19|20)\d{2}\b")
_LANGUAGES: Final = ["fr", "en"]
_MAX_PHRASE: Final = 12  # words: of a longer dependent only its head word is read


def tense_of(verb: Token) -> str:
    """ "future" (future tense, conditional, or a modal/aspect auxiliary in them), "past" (past tense,
    compound past), or "" (present, unknown)."""
    tokens = [verb, *(c for c in verb.children if c.dep_.startswith("aux"))]
    if any("Fut" in feature(t, "Tense") or "Cnd" in feature(t, "Mood") for t in tokens):
        return "future"
    if any("Past" in feature(t, "Tense") or "Imp" in feature(t, "Tense") for t in tokens):
        return "past"
    return ""


def time_expression(trigger: Token, time_words: frozenset[str]) -> tuple[TextSpan, str] | None:
    """The time expression of the event at `trigger` and the tense of its clause, or None."""
    anchors = [trigger]
    governor = trigger.head
    while governor.pos_ == "ADJ" and governor.dep_ == "xcomp":  # "organisera jeudi [prochain] une réunion"
        anchors.append(governor)
        governor = governor.head
    if trigger.pos_ == "NOUN" and governor.pos_ in ("VERB", "AUX") and governor.i != trigger.i:
        anchors.append(governor)
    verb = governor if trigger.pos_ == "NOUN" else trigger
    for anchor in anchors:
        for child in anchor.children:
            if child.dep_ in _TEMPORAL_DEPS:
                span = _expression(child, time_words, shallow=child.pos_ == "PROPN")
                if span is not None:
                    return span, tense_of(verb)
    return None


def _expression(phrase: Token, time_words: frozenset[str], *, shallow: bool = False) -> TextSpan | None:
    """The time expression inside a dependent ("le 18 août dernier [à Oman]"): from the phrase's
    first word to its last time word, number or qualifier, or None when it has no time word. Under a
    proper noun (`shallow`) only a time word the parser hung on the name counts ("le Niger mardi
    dernier"), with its own words."""
    if shallow:
        timed = [c for c in phrase.children if c.lemma_.lower() in time_words or c.lower_ in time_words]
        return _expression(timed[0], time_words) if timed else None
    tokens = list(itertools.islice(phrase.subtree, _MAX_PHRASE + 1))  # a clause can be long: stop early
    if len(tokens) > _MAX_PHRASE:
        tokens = [phrase]
    timed = [t for t in tokens if t.lemma_.lower() in time_words or t.lower_ in time_words]
    if not timed:
        return None
    keep = [t for t in tokens if t in timed or t.like_num or (t.head in timed and t.dep_ in ("amod", "det"))]
    start, end = min(t.i for t in keep), max(t.i for t in keep)
    doc = phrase.doc
    start = min([start, *(t.i for t in tokens if t.dep_ == "det" and t.i < start and t.head.i <= end)])
    span = doc[start : end + 1]
    return TextSpan(span.text, span.start_char, span.end_char)


def resolve_date(expression: str, published: dt.datetime | None, tense: str = "") -> dt.date | None:
    """The calendar date `expression` denotes for an article published at `published` (see the
    module docstring); None when it cannot be resolved."""
    return _resolve(*_key(expression, published, tense))


def _key(expression: str, published: dt.datetime | None, tense: str) -> tuple[str, dt.date | None, str]:
    base = published.replace(tzinfo=None) if published is not None else None
    return " ".join(expression.lower().split()), base.date() if base else None, tense


class DateResolver:
    """`resolve_date` with a bounded memo of its own (dateparser costs about a millisecond a call)."""

    def __init__(self, memo_size: int = 4096) -> None:
        self._resolve = functools.lru_cache(maxsize=memo_size)(_resolve)

    def resolve(self, expression: str, published: dt.datetime | None, tense: str = "") -> dt.date | None:
        """As `resolve_date`."""
        return self._resolve(*_key(expression, published, tense))


_WEEKDAYS: Final = (
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


def _resolve(text: str, base: dt.date | None, tense: str) -> dt.date | None:
    if base is None and not _YEAR.search(text):
        return None
    night = _NIGHT_SPAN.search(text)
    if night:
        text = night.group(1)
    if base is not None and text in _WEEKDAYS and _WEEKDAYS.index(text) % 7 == base.weekday():
        # Wire copy names the day of publication by its weekday ("a déclaré jeudi" in Thursday's copy).
        return base
    prefer = "future" if _FUTURE_WORDS.search(text) else "past" if _PAST_WORDS.search(text) else tense
    candidates = [text]
    stripped = " ".join(_QUALIFIERS.sub(" ", text).split())
    if stripped and stripped != text:
        candidates.append(stripped)
    for candidate in candidates:
        found = _parse(candidate, base, prefer or "past")
        if found is not None:
            return found
    return None


def _parse(text: str, base: dt.date | None, prefer: str) -> dt.date | None:
    import dateparser  # type: ignore[import-untyped]  # loaded on first use (~0.2 s)

    settings: dict[str, object] = {"PREFER_DATES_FROM": prefer, "RETURN_AS_TIMEZONE_AWARE": False}
    if base is not None:
        settings["RELATIVE_BASE"] = dt.datetime.combine(base, dt.time(12))
    try:
        parsed = dateparser.parse(text, languages=_LANGUAGES, settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input; a date is optional
        return None
    return parsed.date() if isinstance(parsed, dt.datetime) else None
