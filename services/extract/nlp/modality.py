"""Is a trigger's event real? Negation and hypothesis, from the parse and the cue lists.

* negated: the trigger has a negation dependent ("ne ... pas", "jamais", "aucun", "sans"); for a noun,
  also the verb it is the object of ("n'a pas lancé d'attaque"); or it sits under a negating verb
  ("refuse de négocier", "a exclu l'envoi"). Under a negated negating verb ("n'a pas exclu de
  sanctions") the event is hypothetical instead.
* hypothetical (PLOVER context "hypothetical"/"future" intent): conditional mood (`Mood=Cnd`) on the
  trigger, its auxiliaries or a governor; a modal governor (pouvoir, devoir, prévoir de, vouloir, ...)
  or modal noun (la nécessité de, l'intention de); an AGREE governor (a promise to act is not the act);
  a condition ("si", "en cas de"); a purpose clause ("pour" / "afin de" + infinitive).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from spacy.tokens import Token

from services.contracts.models import PloverType
from services.extract.nlp.lexicon import Lexicon, Trigger
from services.extract.nlp.morphology import feature

_COMPLEMENT_DEPS: Final = frozenset({"xcomp", "obj", "acl", "nsubj:pass", "ccomp", "obl:arg"})
_NEGATION_DEPS: Final = frozenset({"advmod", "det", "case", "mark", "advmod:neg", "nsubj"})


@dataclass(frozen=True)
class Found:
    """A trigger being turned into events: each step (arguments, place, modality) returns a new value
    with what it read."""

    token: Token
    trigger: Trigger
    governors: tuple[Token, ...]
    actors: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    location: str | None = None
    negated: bool = False
    self_negated: bool = False
    hypothetical: bool = False
    # The actor is a group named by a common noun ("les manifestants", "les forces de l'ordre").
    generic_actor: bool = False


def governors(token: Token) -> list[Token]:
    """The heads taking `token` as complement, nearest first; coordinated tokens share their first
    conjunct's governors ("à renforcer ... et à continuer": both under the same head)."""
    chain: list[Token] = []
    current = token
    for _ in range(6):
        head = current.head
        if head.i == current.i:
            break
        if current.dep_ == "conj":
            current = head
            continue
        if current.dep_ not in _COMPLEMENT_DEPS and not (current.dep_ == "nmod" and head.pos_ == "NOUN"):
            break
        chain.append(head)
        current = head
    return chain


class Modality:
    """The negation and hypothesis rules for one pipeline language."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.negations = lexicon.cue("negation")
        self.negating_verbs = lexicon.cue("negating_verb")
        self.modal_verbs = lexicon.cue("modal")
        self.modal_nouns = lexicon.cue("modal_noun")
        self.conditions = lexicon.cue("condition")
        self.purposes = lexicon.cue("purpose")

    def negated_here(self, token: Token) -> bool:
        """Whether `token` itself carries a negation dependent."""
        for child in token.children:
            if child.dep_ not in _NEGATION_DEPS:
                continue
            lower = child.lower_.replace("’", "'")
            if lower in self.negations or (child.dep_ != "nsubj" and "Neg" in feature(child, "Polarity")):
                return True
        return False

    def assess(self, item: Found, matched: dict[int, Trigger]) -> Found:
        """`item` with its `negated`, `self_negated` and `hypothetical` read."""
        token = item.token
        self_negated = self.negated_here(token)
        negated = self_negated
        first = item.governors[0] if item.governors else None
        if token.pos_ == "NOUN" and first is not None and first.i not in matched and self.negated_here(first):
            negated = True
        hypothetical = False
        for governor in item.governors:
            lemma = governor.lemma_.lower()
            if lemma in self.negating_verbs:
                if self.negated_here(governor):
                    hypothetical = True
                else:
                    negated = True
            if lemma in self.modal_verbs or lemma in self.modal_nouns:
                hypothetical = True
            if governor.i in matched and matched[governor.i].type == PloverType.AGREE:
                hypothetical = True
        if any(self._hypothetical_here(t) for t in [token, *item.governors]):
            hypothetical = True
        return replace(item, negated=negated, self_negated=self_negated, hypothetical=hypothetical)

    def _hypothetical_here(self, token: Token) -> bool:
        """Conditional mood on `token` or one of its auxiliaries ("pourrait", "aurait frappé"), a
        condition or purpose marker on it ("si", "pour"), or for a noun a condition word governing it
        ("en cas de"). One pass over the dependents: spaCy rebuilds them on every walk."""
        if "Cnd" in feature(token, "Mood"):
            return True
        for child in token.children:
            dep = child.dep_
            if dep.startswith("aux") and "Cnd" in feature(child, "Mood"):
                return True
            if dep == "mark" and (child.lower_ in self.conditions or child.lower_ in self.purposes):
                return True
        head = token.head
        return token.pos_ == "NOUN" and head.i != token.i and head.lemma_.lower() in self.conditions
