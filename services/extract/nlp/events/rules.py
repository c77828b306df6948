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
6. Date: the clause's time expression (dates.py), resolved to a date by enrich against
   `published_at`.
Kept: events with an actor or a target (PLOVER codes events between actors), except that AID,
COOPERATE and SANCTION need a target (PLOVER: "requires recipient"), communicative events (AGREE,
REQUEST, REJECT, ACCUSE, THREATEN, SUPPORT) and hypothetical or negated events need an actor; an
ASSAULT with a casualty figure, an ASSAULT or PROTEST with a location, and a real event whose subject
or agent is a group named by a common noun ("les manifestants ont réclamé", "dispersés par les forces
de l'ordre"; cue lists `person_noun`, `group_noun`) are kept without either.
A trigger under an AGREE, REQUEST, REJECT or THREATEN trigger is not an event of its own, and a word
inside an entity's name is never a trigger. Same event mentioned twice: in a sentence, an event with
neither actor nor target folds into one of its type that names a participant; per article, one event
per (type, actor, target, place), the most confident (same_event.py).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import replace
from typing import Final

import numpy as np
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from services.contracts.models import PloverType
from services.extract.nlp.dates import time_expression
from services.extract.nlp.events.arguments import (
    LOCATION_CASES,
    OBLIQUE_DEPS,
    ArgumentResolver,
    case_of,
    subject_antecedent,
)
from services.extract.nlp.events.casualties import CasualtyReader
from services.extract.nlp.events.event_arguments import EMBEDDING_TYPES, ArgumentReader
from services.extract.nlp.events.same_event import deduplicate, merge_bare
from services.extract.nlp.lexicon import Lexicon, Trigger
from services.extract.nlp.modality import Found, Modality, governors
from services.extract.nlp.results import EventResult, TextSpan

_REFUSED_TYPES: Final = frozenset(
    {PloverType.AGREE, PloverType.SUPPORT, PloverType.AID, PloverType.COOPERATE, PloverType.CONCEDE}
)
_NEEDS_TARGET: Final = frozenset({PloverType.AID, PloverType.COOPERATE, PloverType.SANCTION})
_REFLEXIVE: Final = frozenset({"se", "s'", "s’", "me", "m'", "m’", "te", "t'", "t’", "nous", "vous"})
_CONTRACTED_A: Final = frozenset({"au", "aux"})
_SCENE_TYPES: Final = frozenset({PloverType.ASSAULT, PloverType.PROTEST})
# A promise, request, refusal or threat is the event; the act it is about is not (yet) one.
_EMBEDDING: Final = EMBEDDING_TYPES | {PloverType.AGREE}
# Communicative events are someone's: without an actor they say nothing (PLOVER codes actors).
_NEEDS_ACTOR: Final = frozenset(
    {PloverType.AGREE, PloverType.REQUEST, PloverType.REJECT, PloverType.ACCUSE, PloverType.THREATEN,
     PloverType.SUPPORT}
)  # fmt: skip
MAX_PAIRS: Final = 6
# Events coordinated subjects do with each other ("X et Y ont conclu un accord", "se sont rencontrés").
_MUTUAL: Final = frozenset({PloverType.AGREE, PloverType.CONSULT, PloverType.COOPERATE})
# The object cue of a trigger that needs a person as its object ("arrêter @person").
PERSON_CUE: Final = "person"
_NAMING_DEPS: Final = frozenset({"appos", "flat:name", "nmod", "amod"})
_VERB: Final = get_string_id("VERB")
_NOUN: Final = get_string_id("NOUN")


class EventRules:
    """The event rules for one pipeline language (trigger lexicon and cue lists)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.triggers = lexicon.triggers
        self.modality = Modality(lexicon)
        self.arguments = ArgumentReader(lexicon)
        self.casualties = CasualtyReader(lexicon)
        self.time_words = lexicon.cue("time_word")
        self._person_words = lexicon.cue("person_noun") | lexicon.cue("role")
        self._visit_words = lexicon.cue("visit")
        # The lexicon's lemmas, as strings and as spaCy string ids (`candidates`).
        self._forms = frozenset(lemma for lemma, _ in self.triggers)
        self._form_ids = frozenset(get_string_id(form) for form in self._forms)

    def extract(self, doc: Doc, sentences: Iterable[Span], resolver: ArgumentResolver) -> list[EventResult]:
        """The events of `doc` read in `sentences` (its sentences in the pipeline's language, in text
        order; see the module docstring), in text order."""
        candidates, numbers = self.candidates(doc), self.casualties.numbers(doc)
        found: list[EventResult] = []
        for sentence in sentences:
            found.extend(
                self._sentence_events(
                    sentence, _within(candidates, sentence), _within(numbers, sentence), resolver
                )
            )
        return deduplicate(merge_bare(found))

    def candidates(self, doc: Doc) -> list[int]:
        """The indices of the tokens `match` may accept, in order: a superset read from the token arrays
        (a verb or noun whose lower-case form or lemma is a lemma of the lexicon). A spaCy Token is an
        object built on each access, and its strings are looked up: only these few tokens need one."""
        rows = doc.to_array(["POS", "LOWER", "LEMMA"])
        verbal = np.flatnonzero((rows[:, 0] == _VERB) | (rows[:, 0] == _NOUN))
        strings = doc.vocab.strings
        words = zip(verbal.tolist(), rows[verbal, 1].tolist(), rows[verbal, 2].tolist(), strict=True)
        return [
            index
            for index, lower, lemma in words
            if lower in self._form_ids or strings[lemma].lower() in self._forms
        ]

    def match(self, token: Token) -> Trigger | None:
        """The trigger `token` is, if any (lemma and POS in the lexicon, constraints hold)."""
        if token.pos_ not in ("VERB", "NOUN"):
            return None
        for form in dict.fromkeys((token.lemma_.lower(), token.lower_)):
            for trigger in self.triggers.get((form, token.pos_), ()):
                if _constraints_hold(token, trigger) and self._object_fits(token, trigger):
                    return trigger
        return None

    def _object_fits(self, token: Token, trigger: Trigger) -> bool:
        if trigger.object_cue is None:
            return True
        objects = [c for c in token.children if c.dep_ in ("obj", "nsubj:pass")]
        if token.dep_ == "acl":
            objects.append(token.head)
        if trigger.preposition is not None:  # the cue is about the phrase the preposition introduces
            wanted = {trigger.preposition} | (_CONTRACTED_A if trigger.preposition == "à" else set())
            objects = [c for t in (token, *objects) for c in t.children if case_of(c) in wanted]
        if trigger.object_cue == PERSON_CUE:
            return any(self._is_person(o) for o in objects)
        words = self.lexicon.cue(trigger.object_cue)
        return any(o.lemma_.lower() in words or o.lower_ in words for o in objects)

    def _is_person(self, token: Token) -> bool:
        """A person noun or role ("le responsable", "des manifestants") or a person's name, at `token`
        or named by its apposition ("l'ancien dirigeant Radovan Karadzic")."""
        if token.lemma_.lower() in self._person_words or token.ent_type_ == "PER":
            return True
        if token.pos_ == "PRON":  # "Il a été arrêté": whom the pronoun stands for
            antecedent = subject_antecedent(token)
            return antecedent is not None and antecedent.pos_ != "PRON" and self._is_person(antecedent)
        return any(c.ent_type_ == "PER" for c in token.children if c.dep_ in _NAMING_DEPS)

    def _sentence_events(
        self, sentence: Span, candidates: list[int], numbers: list[int], resolver: ArgumentResolver
    ) -> list[EventResult]:
        """The events of one sentence. `candidates`, `numbers`: the indices of its tokens that may be
        triggers (`EventRules.candidates`) or spell numbers (`CasualtyReader.numbers`)."""
        # A word inside a name ("Groupe de soutien à l'islam") is not a trigger.
        doc = sentence.doc
        matched = {
            i: m
            for i in candidates
            if resolver.token_entity.get(i) is None and (m := self.match(doc[i])) is not None
        }
        found: dict[int, Found] = {}
        folded: set[int] = set()
        for index, trigger in matched.items():
            token = sentence.doc[index]
            chain = governors(token)
            if any(g.i in matched and matched[g.i].type in _EMBEDDING for g in chain):
                continue
            head = matched.get(token.head.i)
            subject = token.pos_ == "NOUN" and token.dep_ in ("nsubj", "nsubj:pass")
            if subject and head is not None and head.type == trigger.type:
                folded.add(index)  # the verb's event carries it (event_arguments.subject_event)
            found[index] = Found(token, trigger, tuple(chain))
        # Nouns first: a verb's target may be the actor of the event noun it governs.
        for index in sorted(found, key=lambda i: (found[i].token.pos_ != "NOUN", i)):
            item = found[index]
            if item.token.pos_ == "NOUN":
                found[index] = self.arguments.noun_arguments(item, resolver, matched)
            else:
                found[index] = self.arguments.verb_arguments(item, resolver, found)
        # Only ASSAULT events carry casualty figures: the other sentences need not read them.
        assault = any(f.trigger.type == PloverType.ASSAULT for f in found.values())
        figures = self.casualties.figures(sentence, numbers) if assault else {}
        events = []
        for item in found.values():
            token = item.token
            governed = (
                token.pos_ == "NOUN" and token.head.i in matched and token.dep_ in ("obj", "nsubj:pass")
            )
            if token.i in folded or (governed and not item.actors):
                continue
            if item.location is None and item.trigger.type in _SCENE_TYPES:
                item = replace(item, location=scene_place(token, resolver))
            host = self._visited_country(item, resolver)
            if host is not None:
                item = replace(item, targets=(*item.targets, host))
            if _reportable(item, figures):
                events.extend(self._events(self.modality.assess(item, matched), sentence, figures))
        return events

    def _visited_country(self, item: Found, resolver: ArgumentResolver) -> str | None:
        """The host of a visit with no other target: the country it takes place in, or the first
        country its phrase names after a place preposition ("la visite de X au Ghana", where the parser
        often hangs "au Ghana" on X), unless that country is the visitor."""
        token = item.token
        if (
            item.trigger.type != PloverType.CONSULT
            or item.targets
            or token.lemma_.lower() not in self._visit_words
        ):
            return None
        places: list[str | None] = [item.location]
        if token.pos_ == "NOUN":
            places += [
                resolver.place_at(t) for t in token.subtree if t.i > token.i and case_of(t) in LOCATION_CASES
            ]
        return next(
            (p for p in places if p is not None and p in resolver.countries and p not in item.actors), None
        )

    # -- assembly -------------------------------------------------------------------------------

    def _events(self, item: Found, sentence: Span, figures: dict[str, int]) -> list[EventResult]:
        kind = item.trigger.type
        negated = item.negated
        if item.self_negated and kind in _REFUSED_TYPES:
            kind, negated = PloverType.REJECT, False
        attributes = tuple(sorted(figures.items())) if kind == PloverType.ASSAULT else ()
        actors: list[str | None] = [*item.actors] or [None]
        targets: list[str | None] = [*item.targets] or [None]
        if kind in _MUTUAL and not item.targets and len(item.actors) > 1:
            # "les États-Unis et l'Inde ont conclu un accord": each party with each other
            pairs: list[tuple[str | None, str | None]] = [(a, t) for a in actors for t in actors if a != t][
                :MAX_PAIRS
            ]
        else:  # an actor is not its own target
            pairs = [(a, None if a is not None and a == t else t) for a in actors for t in targets][
                :MAX_PAIRS
            ]
        unreal = negated or item.hypothetical
        kept = [
            (a, t)
            for a, t in pairs
            if _keep(kind, item.location, a, t, attributes, unreal, item.generic_actor)
        ]
        if not kept:
            return []  # before the time expression: looking for it walks the parse
        timing = time_expression(item.token, self.time_words)
        when, tense = timing if timing is not None else (None, "")
        token = item.token
        events = []
        for actor, target in kept:
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
                    when=when,
                    tense=tense,
                )
            )
        return events


def _reportable(item: Found, figures: dict[str, int]) -> bool:
    """Whether `item` can give an event whatever its modality: it names a participant, or it is an
    ASSAULT with casualty figures or a scene event with a place (see `_keep`). Many triggers (two in
    five in the sample articles) do not, and reading their modality is skipped."""
    kind = item.trigger.type
    return bool(
        item.actors
        or item.targets
        or item.generic_actor
        or (kind == PloverType.ASSAULT and figures)
        or (kind in _SCENE_TYPES and item.location is not None)
    )


def _within(indices: list[int], sentence: Span) -> list[int]:
    """The indices of `indices` (sorted) that fall inside `sentence`."""
    return indices[bisect_left(indices, sentence.start) : bisect_left(indices, sentence.end)]


def _keep(
    kind: PloverType,
    location: str | None,
    actor: str | None,
    target: str | None,
    attributes: tuple[tuple[str, int], ...],
    unreal: bool,
    generic_actor: bool = False,
) -> bool:
    if kind == PloverType.ASSAULT and attributes and not unreal:
        return True
    if generic_actor and actor is None and not unreal and kind not in _NEEDS_TARGET:
        return True  # "les manifestants ont réclamé ...": the actor is a group the text does not name
    if kind in _SCENE_TYPES and location is not None and not unreal:
        return True  # "des milliers de personnes ont manifesté à Madrid": no named actor, still news
    if kind in _NEEDS_TARGET and target is None:
        return False
    if kind in _NEEDS_ACTOR and actor is None:
        return False
    if unreal and actor is None:
        return False
    return actor is not None or target is not None


def scene_place(token: Token, resolver: ArgumentResolver, depth: int = 3) -> str | None:
    """The place a scene event happens at when it is not a direct dependent of the trigger
    ("ont manifesté devant le siège de la commission à Dakar"): the first LOC entity introduced by a
    place preposition among the trigger's oblique phrases, breadth-first, `depth` levels down."""
    level = [c for c in token.children if c.dep_ in OBLIQUE_DEPS]
    if token.pos_ == "NOUN" and token.dep_ in ("nsubj", "nsubj:pass") and token.head.pos_ in ("VERB", "AUX"):
        # "des manifestations ont eu lieu à Aden": the place is the clause's
        level += [c for c in token.head.children if c.dep_ in OBLIQUE_DEPS]
    for _ in range(depth):
        for phrase in level:
            place = resolver.place_at(phrase)
            if place is not None and case_of(phrase) in LOCATION_CASES:
                return place
        level = [c for t in level for c in t.children if c.dep_ in OBLIQUE_DEPS]
    return None


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
