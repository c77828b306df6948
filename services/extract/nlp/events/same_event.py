"""The same event mentioned twice is reported once (pure, over `EventResult` values): see
`merge_bare` (within a sentence) and `deduplicate` (within an article)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from services.extract.nlp.results import EventResult


def merge_bare(events: list[EventResult]) -> list[EventResult]:
    """An event with neither actor nor target is the same event as one of its type in the same
    sentence that names a participant ("des attaques russes qui ont inclus des frappes ..., tuant 25
    personnes"): it is folded into that one, which takes its casualty figures, place and date."""
    named: dict[tuple[str, tuple[int, int]], int] = {}
    for index, event in enumerate(events):
        if event.actor is not None or event.target is not None:
            named.setdefault((event.type, event.sentence), index)
    merged = list(events)
    dropped = set()
    for index, event in enumerate(events):
        into = named.get((event.type, event.sentence))
        if event.actor is None and event.target is None and into is not None:
            host = merged[into]
            figures = dict(host.attributes)
            for name, value in event.attributes:
                figures[name] = max(figures.get(name, 0), value)
            merged[into] = replace(
                host,
                attributes=tuple(sorted(figures.items())),
                location=host.location or event.location,
                when=host.when or event.when,
                tense=host.tense or event.tense,
            )
            dropped.add(index)
    return [e for i, e in enumerate(merged) if i not in dropped]


def deduplicate(events: Sequence[EventResult]) -> list[EventResult]:
    """One event per (type, actor, target, place): the most confident (the first on ties), in text
    order; attacks in two cities are two events. The kept event takes the largest casualty figures of
    the ones it stands for. An event lacking a target (or an actor) is dropped when an event of the
    same type has the same actor (or target) and names the missing side too, and an event without a
    place when the same (type, actor, target) has one (and only one) place: it says less about the
    same thing."""
    best: dict[_Key, EventResult] = {}
    figures: dict[_Key, dict[str, int]] = {}
    for event in events:
        key = (event.type, event.actor, event.target, event.location)
        merged = figures.setdefault(key, {})
        for name, value in event.attributes:
            merged[name] = max(merged.get(name, 0), value)
        if key not in best or event.confidence > best[key].confidence:
            best[key] = event
    ordered = sorted(best, key=lambda k: best[k].trigger.start)
    kept: dict[_Key, EventResult] = {}
    for key, event in best.items():
        fuller_ones = [k for k in ordered if k != key and _says_more(k, key)]
        # Without a place, an event is one of several located ones only if there is just one.
        fuller = fuller_ones[0] if len(fuller_ones) == 1 or (key[3] is not None and fuller_ones) else None
        if fuller is not None:
            for name, value in figures[key].items():
                figures[fuller][name] = max(figures[fuller].get(name, 0), value)
            continue
        kept[key] = event
    return sorted(
        (replace(e, attributes=tuple(sorted(figures[k].items()))) for k, e in kept.items()),
        key=lambda e: (e.trigger.start, e.type, e.actor or "", e.target or ""),
    )


_Key = tuple[str, str | None, str | None, str | None]


def _says_more(fuller: _Key, key: _Key) -> bool:
    """Whether the event `fuller` is `key`'s with a missing participant or place filled in."""
    kind, actor, target, place = key
    if fuller[0] != kind:
        return False
    if place is None and fuller[3] is not None and fuller[1:3] == (actor, target):
        return True
    if fuller[1] is None or fuller[2] is None or (place is not None and fuller[3] != place):
        return False
    return (target is None and fuller[1] == actor) or (actor is None and fuller[2] == target)
