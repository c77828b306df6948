"""First-pass PLOVER events from a parsed spaCy Doc (pure: reads the Doc, returns values).

Per sentence (sentences in another language are skipped):
1. Triggers: verbs and nouns whose lemma is in `data/plover_triggers.tsv` for the pipeline language,
   with the row's constraints (reflexive clitic, governed preposition, no direct object).
2. Embedding: the heads that take a trigger as complement ("refuse de négocier", "appelle à fournir",
   "prévoit d'intensifier les sanctions"). A trigger under a REQUEST, REJECT or THREATEN trigger is not
   an event of its own (the outer event says it); a noun trigger that is the subject of a verb trigger
   of the same type ("une attaque a frappé") is folded into that verb's event; a noun trigger that is
   the object of another trigger ("signer un accord") counts only with an actor of its own.
3. Modality (modality.py): negated, hypothetical. A negated AGREE, SUPPORT, AID, COOPERATE or CONCEDE
   trigger ("n'accepterait pas") is reported as the REJECT it is (PLOVER: refusals are REJECT).
4. Arguments (see arguments.py): actor = subject, passive agent ("par X") or, for a noun, "par X",
   a nationality adjective ("attaque russe"), its "de X" complement or the subject of the verb it is the
   object of ("X a réaffirmé son soutien"); target = object, passive subject, or a complement introduced
   by a target preposition (`arguments.target_cases`); location = en/dans + place, or à + a bare place.
   For ACCUSE/REJECT/PROTEST/SANCTION whose object is an event noun, the target is that event's actor
   ("condamné l'attaque menée par X": X).
5. Casualties (casualties.py) go to the sentence's ASSAULT events as `killed` / `injured`.
Kept: events with an actor or a target (PLOVER codes events between actors), except that AID,
COOPERATE and SANCTION need a target (PLOVER: "requires recipient") and a hypothetical or negated event
needs an actor; an ASSAULT with a casualty figure, or an ASSAULT or PROTEST with a location, is kept
without either. Per article, one event per
(type, actor, target), the most confident; an event without target (or actor) is dropped when the same
type has one with the same actor (or target) and more detail.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Final

from spacy.tokens import Doc, Span, Token

from services.contracts.models import PloverType
from services.extract.arguments import ArgumentResolver, case_of
from services.extract.casualties import CasualtyReader
from services.extract.event_arguments import EMBEDDING_TYPES, ArgumentReader
from services.extract.lexicon import Trigger, triggers
from services.extract.modality import Found, Modality, governors
from services.extract.results import EventResult, TextSpan

_REFUSED_TYPES: Final = frozenset(
    {PloverType.AGREE, PloverType.SUPPORT, PloverType.AID, PloverType.COOPERATE, PloverType.CONCEDE}
)
_NEEDS_TARGET: Final = frozenset({PloverType.AID, PloverType.COOPERATE, PloverType.SANCTION})
_REFLEXIVE: Final = frozenset({"se", "s'", "s’", "me", "m'", "m’", "te", "t'", "t’", "nous", "vous"})
_CONTRACTED_A: Final = frozenset({"au", "aux"})
_SCENE_TYPES: Final = frozenset({PloverType.ASSAULT, PloverType.PROTEST})
MAX_PAIRS: Final = 6


class EventRules:
    """The event rules for one pipeline language (trigger lexicon and cue lists)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.lexicon = triggers(lang)
        self.modality = Modality(lang)
        self.arguments = ArgumentReader(lang)
        self.casualties = CasualtyReader(lang)

    def extract(
        self, doc: Doc, resolver: ArgumentResolver, skip_sentence: Callable[[Span], bool]
    ) -> list[EventResult]:
        """The events of `doc` (see the module docstring), in text order."""
        found: list[EventResult] = []
        for sentence in doc.sents:
            if not skip_sentence(sentence):
                found.extend(self._sentence_events(sentence, resolver))
        return deduplicate(found)

    def match(self, token: Token) -> Trigger | None:
        """The trigger `token` is, if any (lemma and POS in the lexicon, constraints hold)."""
        if token.pos_ not in ("VERB", "NOUN"):
            return None
        for form in dict.fromkeys((token.lemma_.lower(), token.lower_)):
            for trigger in self.lexicon.get((form, token.pos_), ()):
                if _constraints_hold(token, trigger):
                    return trigger
        return None

    def _sentence_events(self, sentence: Span, resolver: ArgumentResolver) -> list[EventResult]:
        matched = {t.i: m for t in sentence if (m := self.match(t)) is not None}
        found: dict[int, Found] = {}
        for index, trigger in matched.items():
            token = sentence.doc[index]
            chain = governors(token)
            if any(g.i in matched and matched[g.i].type in EMBEDDING_TYPES for g in chain):
                continue
            if token.pos_ == "NOUN" and token.dep_ == "nsubj" and matched.get(token.head.i) == trigger:
                continue
            found[index] = Found(token, trigger, chain)
        # Nouns first: a verb's target may be the actor of the event noun it governs.
        for item in sorted(found.values(), key=lambda f: (f.token.pos_ != "NOUN", f.token.i)):
            if item.token.pos_ == "NOUN":
                self.arguments.noun_arguments(item, resolver, matched)
            else:
                self.arguments.verb_arguments(item, resolver, found)
            self.modality.assess(item, matched)
        figures = self.casualties.figures(sentence)
        events = []
        for item in found.values():
            token = item.token
            governed = (
                token.pos_ == "NOUN" and token.head.i in matched and token.dep_ in ("obj", "nsubj:pass")
            )
            if governed and not item.actors:
                continue
            events.extend(self._events(item, sentence, figures))
        return events

    # -- assembly -------------------------------------------------------------------------------

    def _events(self, item: Found, sentence: Span, figures: dict[str, int]) -> list[EventResult]:
        kind = item.trigger.type
        negated = item.negated
        if item.self_negated and kind in _REFUSED_TYPES:
            kind, negated = PloverType.REJECT, False
        attributes = tuple(sorted(figures.items())) if kind == PloverType.ASSAULT else ()
        actors: list[str | None] = [*item.actors] or [None]
        targets: list[str | None] = [*item.targets] or [None]
        pairs = [(a, t) for a in actors for t in targets][:MAX_PAIRS]
        token = item.token
        events = []
        for actor, target in pairs:
            if actor is not None and actor == target:
                target = None
            if not _keep(kind, item.location, actor, target, attributes, negated or item.hypothetical):
                continue
            events.append(
                EventResult(
                    type=kind.value,
                    actor=actor,
                    target=target,
                    trigger=TextSpan(token.text, token.idx, token.idx + len(token.text)),
                    sentence=(sentence.start_char, sentence.end_char),
                    location=item.location if item.location not in (actor, target) else None,
                    attributes=attributes,
                    negated=negated,
                    hypothetical=item.hypothetical,
                    confidence=_confidence(token, actor, target, item, attributes, negated),
                )
            )
        return events


def _keep(
    kind: PloverType,
    location: str | None,
    actor: str | None,
    target: str | None,
    attributes: tuple[tuple[str, int], ...],
    unreal: bool,
) -> bool:
    if kind == PloverType.ASSAULT and attributes and not unreal:
        return True
    if kind in _SCENE_TYPES and location is not None and not unreal:
        return True  # "des milliers de personnes ont manifesté à Madrid": no named actor, still news
    if kind in _NEEDS_TARGET and target is None:
        return False
    if unreal and actor is None:
        return False
    return actor is not None or target is not None


def _constraints_hold(token: Token, trigger: Trigger) -> bool:
    if trigger.reflexive and not any(
        c.lower_ in _REFLEXIVE and c.pos_ == "PRON" and c.i < token.i for c in token.children
    ):
        return False
    if trigger.preposition is not None:
        wanted = trigger.preposition
        # Object control puts the complement under the object: "appeler [les pays [à fournir]]".
        objects = [c for c in token.children if c.dep_ == "obj"]
        cases = {case_of(c) for t in (token, *objects) for c in t.children}
        if wanted not in cases and not (wanted == "à" and cases & _CONTRACTED_A):
            return False
    return not (trigger.intransitive and any(c.dep_ == "obj" for c in token.children))


def _confidence(
    token: Token,
    actor: str | None,
    target: str | None,
    item: Found,
    attributes: tuple[tuple[str, int], ...],
    negated: bool,
) -> float:
    score = 0.35
    score += 0.25 if actor is not None else 0.0
    score += 0.15 if target is not None else 0.0
    score += 0.1 if token.pos_ == "VERB" else 0.0
    score += 0.1 if attributes or item.location is not None else 0.0
    score -= 0.15 if item.hypothetical else 0.0
    score -= 0.2 if negated else 0.0
    return round(min(0.95, max(0.05, score)), 2)


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
