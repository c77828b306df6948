"""The NLP result of one text: small frozen dataclasses of plain values (picklable, no spaCy objects),
so a pool worker can send them back to the parent cheaply.

Offsets are character offsets into the exact text that was analysed, end exclusive; entity ids are the
stable ids of `linking.py`; an event's actor, target and location are ids of entities in the same
`Analysis`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TextSpan:
    """A piece of the analysed text: `text == analysed_text[start:end]`."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class EntityResult:
    """One real-world entity of a text, with every mention of it."""

    id: str
    name: str
    type: str  # PER | ORG | LOC | MISC
    mentions: tuple[TextSpan, ...]
    kb_id: str | None = None  # "iso3166:UA", "geonames:703448"
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class EventResult:
    """One PLOVER event found in a sentence of the text."""

    type: str  # one of the 16 PLOVER types (contracts.models.PloverType values)
    actor: str | None
    target: str | None
    trigger: TextSpan
    sentence: tuple[int, int]
    location: str | None = None
    attributes: tuple[tuple[str, int], ...] = ()  # ("killed", 25), ("injured", 3)
    negated: bool = False
    hypothetical: bool = False
    confidence: float = 0.5
    when: TextSpan | None = None  # the time expression ("jeudi prochain"), resolved by enrich
    tense: str = ""  # "past" | "future" | "": which way a bare weekday points


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the NLP found in one text."""

    entities: tuple[EntityResult, ...] = ()
    events: tuple[EventResult, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class AnalysisFailure:
    """Why one text could not be analysed (stands in its place in a result list)."""

    reason: str
    error_type: str = "AnalysisError"


AnalysisOutcome = Analysis | AnalysisFailure
