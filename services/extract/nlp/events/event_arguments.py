"""Reading an event's actor, target and location from the parse around its trigger (see the
rules.py docstring, step 4, for the rules). Takes a `Found` and returns a new one with its arguments;
the reading is collected in a `_Draft` private to one call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from spacy.tokens import Token

from services.contracts.models import PloverType
from services.extract.nlp.events.arguments import (
    AGENT_CASES,
    LOCATION_CASES,
    OBJECT_DEPS,
    OBLIQUE_DEPS,
    OF_CASES,
    STRICT_LOCATION_CASES,
    ArgumentResolver,
    case_of,
    has_determiner,
    target_cases,
)
from services.extract.nlp.events.subjects import subject_entities
from services.extract.nlp.lexicon import Lexicon, Trigger
from services.extract.nlp.modality import Found
from services.extract.nlp.morphology import feature

EMBEDDING_TYPES: Final = frozenset({PloverType.REQUEST, PloverType.REJECT, PloverType.THREATEN})
_TARGET_OF_EVENT_TYPES: Final = frozenset(
    {PloverType.ACCUSE, PloverType.REJECT, PloverType.PROTEST, PloverType.SANCTION}
)
_CONFLICT_TYPES: Final = frozenset(
    {PloverType.ACCUSE, PloverType.REJECT, PloverType.THREATEN, PloverType.PROTEST, PloverType.SANCTION,
     PloverType.MOBILIZE, PloverType.COERCE, PloverType.ASSAULT}
)  # fmt: skip
_PLACE_TYPES: Final = frozenset(
    {PloverType.ASSAULT, PloverType.PROTEST, PloverType.CONSULT, PloverType.MOBILIZE, PloverType.COERCE}
)
_BENEFICIARY_TYPES: Final = frozenset({PloverType.AID, PloverType.SUPPORT})


@dataclass
class _Draft:
    """The arguments of one trigger while one `ArgumentReader` call reads them."""

    token: Token
    trigger: Trigger
    actors: list[str]
    targets: list[str]
    location: str | None
    generic_actor: bool

    @classmethod
    def of(cls, item: Found) -> _Draft:
        return cls(
            item.token, item.trigger, [*item.actors], [*item.targets], item.location, item.generic_actor
        )

    def done(self, item: Found) -> Found:
        """`item` with what was read."""
        return replace(
            item,
            actors=tuple(self.actors),
            targets=tuple(self.targets),
            location=self.location,
            generic_actor=self.generic_actor,
        )


class ArgumentReader:
    """The argument rules for one pipeline language."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.receive_verbs = lexicon.cue("receive_verb")
        self.patient_nouns = lexicon.cue("patient_noun")
        self.locutions = lexicon.cue("target_locution")
        self.quantity_nouns = lexicon.cue("quantity_noun")
        self.aiming_verbs = lexicon.cue("aiming_verb")
        self.order_nouns = lexicon.cue("order_noun")
        self.group_nouns = lexicon.group_nouns()

    def verb_arguments(self, found_item: Found, resolver: ArgumentResolver, found: dict[int, Found]) -> Found:
        """`found_item` (a verb trigger) with its actors, targets and place read from the parse; `found`:
        the sentence's triggers so far, noun events with their arguments already read."""
        item = _Draft.of(found_item)
        token = item.token
        passive = any(c.dep_ == "aux:pass" for c in token.children) or "Pass" in feature(token, "Voice")
        for child in token.children:
            case = case_of(child)
            if child.dep_ == "obl:agent" or (child.dep_ in OBLIQUE_DEPS and case in AGENT_CASES):
                _extend(item.actors, resolver.entities(child))
            elif child.dep_ in OBLIQUE_DEPS and child.lemma_.lower() in self.order_nouns and case == "sur":
                # "exécutées sur ordre de X": X gave the order, X acted
                for of_phrase in child.children:
                    if of_phrase.dep_ == "nmod" and case_of(of_phrase) in OF_CASES:
                        _extend(item.actors, resolver.entities(of_phrase))
            elif (
                child.dep_ in OBJECT_DEPS
                or child.dep_ == "nsubj:pass"
                or (
                    child.dep_ == "xcomp" and child.pos_ == "PROPN"  # "appelé Israël ... à": a misread object
                )
            ):
                inner = found.get(child.i)
                if item.trigger.type in _TARGET_OF_EVENT_TYPES and inner is not None and inner.actors:
                    _extend(item.targets, inner.actors)
                else:
                    _extend(item.targets, resolver.entities(child))
            elif child.dep_ in OBLIQUE_DEPS and case is not None:
                self._place_or_target(item, child, case, resolver, noun=False)
        if token.dep_ == "acl" and passive and token.head.pos_ in ("NOUN", "PROPN"):
            _extend(item.targets, resolver.entities(token.head))
        noun = subject_event(item, found)
        if noun is not None:  # "les attaques contre X ont blessé 15 personnes": the noun says who
            _extend(item.actors, noun.actors)
            _extend(item.targets, noun.targets)
            item.location = item.location or noun.location
        elif not item.actors:
            _extend(item.actors, subject_entities(token, resolver))
        if not item.actors:
            agents = [c for c in token.children if c.dep_ in ("nsubj", "obl:agent")]
            item.generic_actor = any(a.lemma_.lower() in self.group_nouns for a in agents)
        head = found.get(token.head.i) if token.dep_ == "conj" else None
        if (
            not item.targets
            and head is not None
            and item.trigger.type == PloverType.REQUEST
            and head.trigger.type == PloverType.CONSULT
        ):  # "a rencontré X et a demandé des armes": asked X
            _extend(item.targets, head.targets)
        if not item.targets and item.trigger.type in EMBEDDING_TYPES | {PloverType.AGREE}:
            _extend(item.targets, self._complement_targets(token, resolver))
        return item.done(found_item)

    def _complement_targets(self, verb: Token, resolver: ArgumentResolver) -> list[str]:
        """Targets of the action a request, refusal, threat or promise is about: "refuse de négocier
        avec X", "menace de frapper X", "s'engage à livrer des armes à X" (X is the target)."""
        found: list[str] = []
        for complement in verb.children:
            if complement.dep_ not in ("xcomp", "ccomp"):
                continue
            for child in complement.children:
                case = case_of(child)
                if child.dep_ in OBJECT_DEPS:
                    _extend(found, resolver.entities(child, 2))
                elif child.dep_ in OBLIQUE_DEPS and case in target_cases(True, False, False):
                    _extend(found, resolver.entities(child, 1))
        return found

    def noun_arguments(
        self, found_item: Found, resolver: ArgumentResolver, matched: dict[int, Trigger]
    ) -> Found:
        """`found_item` (a noun trigger) with its actors, targets and place read from the parse."""
        item = _Draft.of(found_item)
        token = item.token
        of_phrases: list[Token] = []
        for child in [token, *(c for c in token.children if c.dep_ == "conj")]:
            for dependent in child.children:
                self._noun_dependent(item, dependent, resolver, of_phrases if child is token else None)
        quantity = self._quantity_head(token, matched)
        if quantity is not None:  # "une série de frappes contre X": the phrases hang on "série"
            scratch: list[Token] = []
            for dependent in quantity.children:
                if dependent.i != token.i and case_of(dependent) not in OF_CASES:
                    self._noun_dependent(item, dependent, resolver, scratch)
        patient = token.lemma_.lower() in self.patient_nouns
        for phrase in of_phrases:
            place = resolver.place_at(phrase)
            if item.trigger.type in _PLACE_TYPES and place is not None and place not in resolver.countries:
                # "les attaques de Jakarta", "les manifestations de Dakar": where, not who
                item.location = item.location or place
                continue
            _extend(item.targets if item.actors or patient else item.actors, resolver.entities(phrase, 2))
        if not item.actors and item.trigger.type == PloverType.CONSULT:
            _extend(item.actors, _participants(token, resolver))
        phrase = quantity or token
        governor = phrase.head
        while governor.pos_ == "ADJ" and governor.dep_ == "xcomp":  # "organisera [prochain] une réunion"
            governor = governor.head
        if governor.i == phrase.i or governor.i in matched or governor.pos_ not in ("VERB", "AUX"):
            return item.done(found_item)
        # "a annoncé de nouvelles sanctions": the partitive object is parsed as obl:arg; "a proclamé
        # mercredi la destitution de X": an object after a time word is parsed as a bare obl:mod.
        bare = phrase.dep_ == "obl:mod" and case_of(phrase) is None and has_determiner(phrase)
        as_object = phrase.dep_ == "obj" or (phrase.dep_ == "obl:arg" and case_of(phrase) in OF_CASES) or bare
        if phrase.dep_ in ("obj", "obl:arg", "obl") or bare:
            subjects = subject_entities(governor, resolver)
            if governor.lemma_.lower() in self.receive_verbs:
                _extend(item.targets, subjects)
            elif as_object and not item.actors:
                _extend(item.actors, subjects)
        if as_object and not item.targets:
            for child in governor.children:
                case = case_of(child)
                if child.dep_ in OBLIQUE_DEPS and case is not None:
                    self._place_or_target(item, child, case, resolver, noun=True)
        return item.done(found_item)

    def _quantity_head(self, token: Token, matched: dict[int, Trigger]) -> Token | None:
        """The quantity noun an event noun is counted by ("une série de frappes", "un paquet de
        sanctions"): it stands for the event noun in the clause."""
        head = token.head
        if (
            token.dep_ == "nmod"
            and case_of(token) in OF_CASES
            and head.lemma_.lower() in self.quantity_nouns
            and head.i not in matched
        ):
            return head
        return None

    def _noun_dependent(
        self, item: _Draft, child: Token, resolver: ArgumentResolver, of_phrases: list[Token] | None
    ) -> None:
        """Read one dependent of a noun trigger (or of a noun coordinated with it: then only its
        target and place phrases count, "les sanctions et la pression sur X")."""
        case = case_of(child)
        if of_phrases is not None:
            if child.dep_ in ("nmod", "obl:agent") and case in AGENT_CASES:
                _extend(item.actors, resolver.entities(child))
                return
            if child.dep_ in ("acl", "advcl"):  # "l'attaque [menée par X contre Y]"
                for dependent in child.children:
                    dependent_case = case_of(dependent)
                    if dependent.dep_ == "obl:agent" or dependent_case in AGENT_CASES:
                        _extend(item.actors, resolver.entities(dependent))
                    elif dependent.dep_ in OBLIQUE_DEPS and dependent_case is not None:
                        self._place_or_target(item, dependent, dependent_case, resolver, noun=True)
                # "des frappes [menées avec des missiles] visant X": X is the target
                for aiming in child.subtree:
                    if aiming.lemma_.lower() in self.aiming_verbs and aiming.dep_ in ("acl", "advcl"):
                        for dependent in aiming.children:
                            if dependent.dep_ in OBJECT_DEPS:
                                _extend(item.targets, resolver.entities(dependent))
                return
            if child.dep_ == "amod" and (country := resolver.demonym(child)) is not None:
                _extend(item.actors, [country])
                return
            if child.dep_ == "nmod" and case in OF_CASES:
                of_phrases.append(child)
                return
        if child.dep_ == "nmod" and case is not None:
            self._place_or_target(item, child, case, resolver, noun=True)

    def _place_or_target(
        self, item: _Draft, phrase: Token, case: str, resolver: ArgumentResolver, *, noun: bool
    ) -> None:
        kind = item.trigger.type
        if case in LOCATION_CASES:
            place = resolver.place_at(phrase)
            bare_a = case == "à" and not has_determiner(phrase)
            if place is not None and (case in STRICT_LOCATION_CASES or bare_a or kind in _PLACE_TYPES):
                item.location = item.location or place
                return
        if phrase.lemma_.lower() in self.locutions:
            _extend(item.targets, resolver.entities(phrase, 1))
            return
        wanted = target_cases(
            kind in _CONFLICT_TYPES, kind == PloverType.ASSAULT, noun and kind in _BENEFICIARY_TYPES
        )
        if case in wanted:
            _extend(item.targets, resolver.entities(phrase, 2))


def subject_event(item: _Draft, found: dict[int, Found]) -> Found | None:
    """The event noun of the same type that is the subject of a verb trigger ("une attaque a frappé",
    "les attaques ... ont blessé"), whose arguments the verb's event takes."""
    for child in item.token.children:
        if child.dep_ in ("nsubj", "nsubj:pass") and child.pos_ == "NOUN":
            noun = found.get(child.i)
            if noun is not None and noun.trigger.type == item.trigger.type:
                return noun
    return None


def _participants(token: Token, resolver: ArgumentResolver) -> list[str]:
    """For a meeting noun in an adverbial phrase ("à l'issue d'une réunion avec X, Y a dit"), the
    clause's subject: who speaks of the meeting around it took part in it."""
    current = token
    for _ in range(3):
        if current.dep_ not in ("nmod", "obl", "obl:mod", "obl:arg") or current.head.i == current.i:
            return []
        current = current.head
        if current.pos_ in ("VERB", "AUX"):
            return subject_entities(current, resolver)
    return []


def _extend(into: list[str], entities: Sequence[str]) -> None:
    for entity in entities:
        if entity not in into:
            into.append(entity)
