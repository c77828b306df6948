"""Long texts are analysed in segments, so one article's size does not set a process's memory.

spaCy's memory grows with the document: the largest article ingest accepts (about 950 000 characters)
took one NLP process to 3.7 GB, where a batch of usual articles (3 000-6 000 characters each) stays
under 800 MB. A text longer than `MAX_SEGMENT_CHARS` is cut into contiguous segments, at the last
paragraph break before the bound (else the last line break, else the last sentence end, else the last
space, else at the bound itself); each segment is analysed like an article, and the results are merged
back with their offsets shifted into the whole text.

What a segment cannot see: a surname resolved to a full name given in another segment, or the same
event told in two segments (reported once within a segment). Entities keep their stable ids, so the
same entity in several segments is one entity with all its mentions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from services.extract.nlp.results import Analysis, EntityResult, EventResult, TextSpan

MAX_SEGMENT_CHARS: Final = 5_000
_CUTS: Final = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"[.!?…][\"'”’»)]*\s"),
    re.compile(r"\s"),
)


def segment_starts(text: str, max_chars: int = MAX_SEGMENT_CHARS) -> list[int]:
    """The start offsets of the segments of `text` (the first is 0; each runs to the next start or to
    the end), none longer than `max_chars`. A text within the bound is one segment."""
    starts = [0]
    start = 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cut = max_chars
        for pattern in _CUTS:
            ends = [match.end() for match in pattern.finditer(window) if match.end() > max_chars // 4]
            if ends:
                cut = ends[-1]
                break
        start += cut
        starts.append(start)
    return starts


def split(text: str, max_chars: int = MAX_SEGMENT_CHARS) -> list[tuple[int, str]]:
    """The segments of `text` with their offsets: concatenated, they give `text` back."""
    starts = segment_starts(text, max_chars)
    return [(start, text[start:end]) for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]


def merge(parts: Sequence[tuple[int, Analysis]]) -> Analysis:
    """One Analysis of the whole text from the analyses of its segments (offset, analysis), in order:
    an entity found in several segments keeps the name, type and link of its first segment and
    gathers every mention; spans are shifted by their segment's offset."""
    if len(parts) == 1 and parts[0][0] == 0:
        return parts[0][1]
    entities: dict[str, EntityResult] = {}
    events: list[EventResult] = []
    for offset, analysis in parts:
        for entity in analysis.entities:
            mentions = tuple(_shift(span, offset) for span in entity.mentions)
            known = entities.get(entity.id)
            if known is None:
                entities[entity.id] = replace(entity, mentions=mentions)
            else:
                entities[entity.id] = replace(known, mentions=known.mentions + mentions)
        for event in analysis.events:
            events.append(
                replace(
                    event,
                    trigger=_shift(event.trigger, offset),
                    sentence=(event.sentence[0] + offset, event.sentence[1] + offset),
                    when=None if event.when is None else _shift(event.when, offset),
                )
            )
    return Analysis(entities=tuple(entities.values()), events=tuple(events))


def _shift(span: TextSpan, offset: int) -> TextSpan:
    return TextSpan(span.text, span.start + offset, span.end + offset)
