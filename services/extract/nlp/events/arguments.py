"""Who did it to whom, where: event arguments read from the dependency parse (UD labels, as the
spaCy French models produce them).

A syntactic argument (a token) resolves to entities through `ArgumentResolver.entities`: the entity the
token belongs to, else the nearest entities inside its phrase (breadth-first over its dependents,
at most `MAX_DEPTH` levels, not entering clauses), else an adjective of nationality at that level
("attaque russe" -> Russia, when Russia is an entity of the article). Coordinated arguments
("la Chine, l'Inde et le Brésil") resolve to each conjunct.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

import numpy as np
from spacy.tokens import Doc, Token

from services.extract.nlp.morphology import feature
from services.extract.nlp.token_arrays import is_one_of, word_ids

MAX_DEPTH: Final = 3
# Dependents that open another clause or are not part of the phrase: never searched for arguments.
_CLAUSE_DEPS: Final = frozenset(
    {"acl", "acl:relcl", "advcl", "ccomp", "xcomp", "parataxis", "conj", "cc", "punct", "dep", "csubj"}
)
# Prepositions introducing a target, by kind of event (see `target_cases`).
_BASE_TARGET_CASES: Final = frozenset(
    {"à", "au", "aux", "envers", "vers", "auprès", "to", "toward", "towards"}
)
_CONFLICT_TARGET_CASES: Final = frozenset({"contre", "sur", "against", "on"})
_COMPANY_CASES: Final = frozenset({"avec", "with"})
_BENEFICIARY_CASES: Final = frozenset({"pour", "for"})
LOCATION_CASES: Final = frozenset({"en", "dans", "à", "au", "aux", "in", "at"})
STRICT_LOCATION_CASES: Final = frozenset({"en", "dans", "in", "at"})
# Phrases that name a place or a time, never a participant: not searched for actors or targets.
_SCENE_CASES: Final = frozenset({"en", "dans", "in", "at", "près", "depuis", "pendant", "lors", "durant"})
# "une coalition de 30 pays, dont le Japon": a subset named inside a group is not the group.
_EXCLUDED_CASES: Final = frozenset({"dont", "parmi"})
_SUBSET_IDS: Final = word_ids(("dont", "parmi", "including"))
_PLACE_A: Final = frozenset({"à", "au", "aux"})
_APPOSITION_DEPS: Final = frozenset({"appos", "flat:name", "flat"})
ACTOR_TYPES: Final = frozenset({"PER", "ORG", "LOC"})
AGENT_CASES: Final = frozenset({"par", "by"})
OF_CASES: Final = frozenset({"de", "du", "des", "d'", "d’", "of"})
OBJECT_DEPS: Final = frozenset({"obj", "iobj"})
OBLIQUE_DEPS: Final = frozenset({"obl", "obl:arg", "obl:mod", "nmod"})
_AFFILIATION_CASES: Final = frozenset({"à", "au", "aux", "de", "du", "des", "d'", "d’", "to", "with"})


def case_of(token: Token) -> str | None:
    """The preposition introducing `token` ("à" for "à l'Ukraine"), lower-cased, or None."""
    for child in token.children:
        dep = child.dep_
        if dep == "mark" or dep.startswith("case"):
            return child.lower_.replace("’", "'")
    return None


def has_determiner(token: Token) -> bool:
    """Whether the phrase has an article or a contracted preposition-article ("au", "aux")."""
    return any(c.dep_ == "det" for c in token.children) or case_of(token) in ("au", "aux")


def conjuncts(token: Token) -> list[Token]:
    """`token` and the tokens coordinated with it ("X, Y et Z")."""
    return [token, *(c for c in token.children if c.dep_ == "conj")]


def comma_apposition(token: Token) -> Token | None:
    """A proper name the parser coordinated with a common noun by a comma alone ("le secrétaire général
    de l'ONU, Antonio Guterres, a ..."): no conjunction, so it is an apposition naming the noun's
    referent, not a second participant."""
    if token.pos_ != "NOUN":
        return None
    for child in token.children:
        if child.dep_ == "conj" and child.pos_ == "PROPN" and not any(c.dep_ == "cc" for c in child.children):
            return child
    return None


def subset_words(doc: Doc) -> frozenset[int]:
    """The indices of the words of `doc` that name a subset of a group ("dont", "parmi"), read from
    the token array: most documents have few, and a phrase is searched for them for every argument."""
    return frozenset(np.flatnonzero(is_one_of(doc.to_array("LOWER"), _SUBSET_IDS)).tolist())


@dataclass(frozen=True)
class ArgumentResolver:
    """Maps tokens to the article's entity ids.

    `token_entity`: token index -> entity id for every token inside an entity mention;
    `entity_types`: entity id -> type; `demonyms`: lower-case adjective -> entity id;
    `subset_words`: the indices of the document's words that name a subset (`subset_words(doc)`).
    """

    token_entity: Mapping[int, str]
    entity_types: Mapping[str, str]
    demonyms: Mapping[str, str]
    subset_words: frozenset[int]
    metonyms: Mapping[str, str] = field(default_factory=dict)
    countries: frozenset[str] = frozenset()
    # "les insurgés liés à Al-Qaïda": an unnamed group stands for the organisation it is tied to.
    group_nouns: frozenset[str] = frozenset()
    affiliations: frozenset[str] = frozenset()

    def entity_at(self, token: Token) -> str | None:
        return self.token_entity.get(token.i)

    def actor_at(self, token: Token) -> str | None:
        """The entity at `token` when it can act (not MISC)."""
        entity = self.token_entity.get(token.i)
        return entity if entity is not None and self.entity_types.get(entity) in ACTOR_TYPES else None

    def place_at(self, token: Token) -> str | None:
        """The LOC entity at `token` (the head of a place phrase), if any."""
        entity = self.token_entity.get(token.i)
        return entity if entity is not None and self.entity_types.get(entity) == "LOC" else None

    def demonym(self, token: Token) -> str | None:
        """The country an adjective of nationality names ("attaque russe" -> Russia), if any."""
        return demonym_country(token, self.demonyms)

    def as_participant(self, entity: str) -> str:
        """The entity that acts when `entity` is named as an actor or target: a capital or a seat of
        power stands for its country when that country is in the article ("Moscou refuse" -> Russia)."""
        country = self.metonyms.get(entity)
        return country if country is not None and country in self.entity_types else entity

    def entities(self, token: Token, depth: int = MAX_DEPTH) -> list[str]:
        """The actor-like entities (PER, ORG, LOC: a MISC product or event is never an actor or a
        target) that `token`'s phrase names, one per conjunct, searching `depth` levels down."""
        found: list[str] = []
        if token.pos_ == "PRON":
            antecedent = subject_antecedent(token) if token.dep_ in ("nsubj", "nsubj:pass") else None
            return self.entities(antecedent, depth) if antecedent is not None else []
        apposed = comma_apposition(token)
        person = self.entity_at(apposed) if apposed is not None else None
        if person is not None and self.entity_types.get(person) == "PER":
            return [person]
        # The subset words after `token` in its phrase (its subtree: the words it is an ancestor of).
        subset = [i for i in self.subset_words if i > token.i and token.is_ancestor(token.doc[i])]
        for conjunct in conjuncts(token):
            if subset and conjunct.i > min(subset):
                continue
            entity = self._phrase_entity(conjunct, depth) or self._affiliated(conjunct)
            if entity is not None:
                entity = self.as_participant(entity)
                if entity not in found:
                    found.append(entity)
        return found

    def _affiliated(self, token: Token) -> str | None:
        """The organisation a group named by a common noun is tied to ("les insurgés liés à Al-Qaïda",
        "des miliciens proches du Hezbollah"), when the phrase names nothing else."""
        if token.lemma_.lower() not in self.group_nouns:
            return None
        # The parser may hang the participle on an adjective of the group ("insurgés sunnites liés à").
        near = [*token.children, *(c for a in token.children if a.dep_ == "amod" for c in a.children)]
        for clause in near:
            if clause.dep_ in ("acl", "amod") and clause.lemma_.lower() in self.affiliations:
                for phrase in clause.children:
                    if phrase.dep_ in OBLIQUE_DEPS and case_of(phrase) in _AFFILIATION_CASES:
                        named = self.actor_at(phrase)
                        if named is not None and self.entity_types.get(named) == "ORG":
                            return named
        return None

    def _phrase_entity(self, token: Token, depth: int) -> str | None:
        """The nearest name in the phrase, else its nearest adjective of nationality: a name deeper in
        the phrase says more than an adjective above it ("le groupe somalien des shebab": the shebab)."""
        levels = [[token]]
        for _ in range(depth):
            below = [
                c for t in levels[-1] for c in t.children if c.dep_ not in _CLAUSE_DEPS and self._searched(c)
            ]
            if not below:
                break
            levels.append(below)
        for level in levels:
            # An apposed name is the phrase's referent ("le secrétaire de l'ONU, António Guterres").
            ordered = sorted(level, key=lambda t: t.dep_ not in _APPOSITION_DEPS)
            named = [e for t in ordered if (e := self.actor_at(t)) is not None]
            if named:
                return named[0]
        for level in levels:
            adjectives = [e for t in level if (e := self.demonym(t)) is not None]
            if adjectives:
                return adjectives[0]
        return None

    def _searched(self, phrase: Token) -> bool:
        """Whether a dependent phrase may name the participant: not a place, time or subset phrase."""
        case = case_of(phrase)
        return (
            case not in _SCENE_CASES
            and case not in _EXCLUDED_CASES
            and not (case in _PLACE_A and self._sub_national(phrase))
        )

    def _sub_national(self, token: Token) -> bool:
        """A city or region ("des civils au Darfour": where, not who); a country after "à" can be a
        beneficiary ("une aide au Soudan")."""
        place = self.place_at(token)
        return place is not None and place not in self.countries

    def apposed_person(self, head: Token, verb: Token) -> str | None:
        """A PER entity right after the subject phrase and before its verb ("Le président brésilien
        Lula a appelé"): parsers often attach such a name to the verb, not to the noun."""
        after = head.right_edge.i + 1
        if after >= verb.i or after >= len(head.doc):
            return None
        entity = self.entity_at(head.doc[after])
        return entity if entity is not None and self.entity_types.get(entity) == "PER" else None


def mention_end(index: int, token_entity: Mapping[int, str], limit: int) -> int:
    """The index of the last token of the entity mention holding token `index` (`token_entity`: token
    index -> entity id), not past `limit` (exclusive); `index` itself when it holds no entity."""
    entity = token_entity.get(index)
    end = index
    while entity is not None and end + 1 < limit and token_entity.get(end + 1) == entity:
        end += 1
    return end


def demonym_country(token: Token, demonyms: Mapping[str, str]) -> str | None:
    """The country the lower-case adjective (or noun) of nationality `token` names, if it is one."""
    if token.pos_ not in ("ADJ", "NOUN", "PROPN") or token.text[:1].isupper():
        return None
    return demonyms.get(token.lower_) or demonyms.get(token.lemma_.lower())


def target_cases(conflict: bool, assault: bool, noun_beneficiary: bool) -> frozenset[str]:
    """Prepositions whose phrase is an event's target: "à" always (fournir à, demander à);
    "contre"/"sur" only for conflict ("aider contre X" does not aid X; "discuter sur" is a topic);
    "avec" except for ASSAULT (an instrument there); "pour" for aid and support nouns."""
    cases = set(_BASE_TARGET_CASES)
    if conflict:
        cases |= _CONFLICT_TARGET_CASES
    if not assault:
        cases |= _COMPANY_CASES
    if noun_beneficiary:
        cases |= _BENEFICIARY_CASES
    return frozenset(cases)


_SUBJECT_PRONOUNS: Final = frozenset({"il", "elle", "ils", "elles", "he", "she", "they"})
_AGREEMENT: Final = ("Gender", "Number")


def subject_antecedent(pronoun: Token) -> Token | None:
    """What a subject pronoun opening a clause ("Il a été arrêté en 2008", "Elle a promis ...") stands
    for: the subject of the previous sentence's main verb, when it is a noun phrase (not itself a
    pronoun) that agrees with the pronoun in gender and number where both are marked. News copy keeps
    its topic as the subject from one sentence to the next; anything less plain is left unresolved."""
    if pronoun.lower_ not in _SUBJECT_PRONOUNS or pronoun.sent.start == 0:
        return None
    previous = pronoun.doc[pronoun.sent.start - 1].sent
    subjects = [c for c in previous.root.children if c.dep_ in ("nsubj", "nsubj:pass")]
    if not subjects or subjects[0].pos_ == "PRON":
        return None
    antecedent = subjects[0]
    for name in _AGREEMENT:
        wanted, found = feature(pronoun, name), feature(antecedent, name)
        if wanted and found and wanted != found:
            return None
    return antecedent


def relative_antecedent(pronoun: Token) -> Token | None:
    """The noun a relative pronoun ("qui") stands for: the head of its relative clause, else the
    nearest noun or proper noun before it in the sentence."""
    clause = pronoun.head
    if clause.dep_ == "acl:relcl":
        return clause.head
    for index in range(pronoun.i - 1, pronoun.sent.start - 1, -1):
        token = pronoun.doc[index]
        if token.pos_ in ("NOUN", "PROPN"):
            return token
    return None
