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
    """One event per (type, actor, target): the most confident (the first on ties), in text order.
    The kept event takes the largest casualty figures of the ones it stands for. An event lacking a
    target (or an actor) is dropped when an event of the same type has the same actor (or target)
    and names the missing side too: it says less about the same thing."""
    best: dict[tuple[str, str | None, str | None], EventResult] = {}
    figures: dict[tuple[str, str | None, str | None], dict[str, int]] = {}
    for event in events:
        key = (event.type, event.actor, event.target)
        merged = figures.setdefault(key, {})
        for name, value in event.attributes:
            merged[name] = max(merged.get(name, 0), value)
        if key not in best or event.confidence > best[key].confidence:
            best[key] = event
    complete = sorted(
        (k for k in best if k[1] is not None and k[2] is not None), key=lambda k: best[k].trigger.start
    )
    kept: dict[tuple[str, str | None, str | None], EventResult] = {}
    for key, event in best.items():
        kind, actor, target = key
        fuller = next(
            (
                k
                for k in complete
                if k[0] == kind and ((target is None and k[1] == actor) or (actor is None and k[2] == target))
            ),
            None,
        )
        if fuller is not None and fuller != key:
            for name, value in figures[key].items():
                figures[fuller][name] = max(figures[fuller].get(name, 0), value)
            continue
        kept[key] = event
    return sorted(
        (replace(e, attributes=tuple(sorted(figures[k].items()))) for k, e in kept.items()),
        key=lambda e: (e.trigger.start, e.type, e.actor or "", e.target or ""),
    )
