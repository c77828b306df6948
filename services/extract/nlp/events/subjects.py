"""The subject of a verb as entities, with the few resolutions a first pass can afford:

* a verb without a subject of its own takes its head's when it is an infinitive complement, a
  participle clause or a coordinated verb ("X prévoit de revoir", "..., tuant", "X a rencontré Y et
  a demandé Z");
* a relative pronoun ("qui") stands for its antecedent;
* a personal pronoun subject of a reported clause stands for the reporting verb's subject ("La Russie a
  déclaré qu'elle n'accepterait pas": elle = la Russie), the commonest pronoun in news copy;
* a personal pronoun opening a main clause stands for the previous sentence's subject when they agree
  ("Il a été arrêté en 2008" after a sentence about Chen Shui-bian);
* a person named right after a title subject is the subject ("Le président brésilien Lula a appelé").
"""

from __future__ import annotations

from typing import Final

from spacy.tokens import Token

from services.extract.nlp.events.arguments import ArgumentResolver, case_of, relative_antecedent
from services.extract.nlp.morphology import feature

_SUBJECT_DEPS: Final = frozenset({"nsubj", "expl:subj"})
_CLIMB_DEPS: Final = frozenset({"xcomp", "conj", "advcl"})
_PERSONAL: Final = frozenset({"il", "elle", "ils", "elles", "he", "she", "they", "it"})
_MAX_STEPS: Final = 5
_DASHES: Final = frozenset({"-", "\u2013", "\u2014"})


def subject_entities(verb: Token, resolver: ArgumentResolver) -> list[str]:
    """Entities of `verb`'s subject (resolved as described in the module docstring); [] if none."""
    current = verb
    for _ in range(_MAX_STEPS):
        subjects = [c for c in current.children if c.dep_ in _SUBJECT_DEPS]
        if subjects:  # parsers sometimes attach each conjunct as a subject of its own
            found: list[str] = []
            for subject in subjects:
                found.extend(e for e in _subject(subject, current, resolver) if e not in found)
            return found
        if current.dep_ in _CLIMB_DEPS and current.head.i != current.i:
            current = current.head
            # A verb coordinated with a word the parser misread ("a dénoncé une grève « irresponsable »
            # et appelé"): its subject is the nearest verb's above it.
            while current.pos_ not in ("VERB", "AUX") and current.head.i != current.i:
                current = current.head
            continue
        head = current.head
        if current.dep_ == "acl" and "Inf" in feature(current, "VerbForm") and head.dep_ == "obj":
            current = head.head  # "[X revoit] les mesures pour intensifier": X intensifies
            continue
        return _misparsed_subject(current, resolver)
    return []


def _misparsed_subject(verb: Token, resolver: ArgumentResolver) -> list[str]:
    """When the parser lost the subject ("Washington a de son côté appelé": "Washington" left as a
    root of its own), the actor-like entity opening the sentence before the verb, not introduced by a
    preposition, with no other verb in between."""
    if any(c.dep_ in ("nsubj:pass", "csubj") for c in verb.children):
        return []
    sentence = verb.sent
    first = sentence[0]
    if first.is_lower and first.i > 0 and first.doc[first.i - 1].text == ",":
        # The parser cut the sentence at a comma ("Le Qatar et l'Égypte, qui ..., | ont appelé"):
        # the subject is the root of the piece before.
        root = first.doc[first.i - 1].sent.root
        if root.pos_ != "PROPN":
            return []
        return [resolver.as_participant(e) for e in resolver.entities(root, 0)]
    for token in sentence:
        if token.i >= verb.i or token.pos_ == "VERB":
            return []
        if token.is_punct or token.pos_ == "DET":
            continue
        entity = resolver.actor_at(token)
        if entity is None or token.dep_ not in ("ROOT", "dep", "nsubj", "appos") or case_of(token):
            return []
        if any(t.pos_ == "VERB" for t in token.doc[token.i + 1 : verb.i]):
            return []  # that name is another verb's subject
        after = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
        if after is not None and after.text in _DASHES:  # a dateline ("BAMAKO - ..."), not a subject
            return []
        return [resolver.as_participant(entity)]
    return []


def _subject(subject: Token, verb: Token, resolver: ArgumentResolver) -> list[str]:
    if "Rel" in feature(subject, "PronType"):
        antecedent = relative_antecedent(subject)
        return resolver.entities(antecedent) if antecedent is not None else []
    if subject.pos_ == "PRON":
        if subject.lower_ in _PERSONAL and verb.dep_ == "ccomp" and verb.head.i != verb.i:
            reporter = [c for c in verb.head.children if c.dep_ in _SUBJECT_DEPS]
            if reporter and reporter[0].pos_ != "PRON":
                return _subject(reporter[0], verb.head, resolver)
        return resolver.entities(subject)  # the previous sentence's subject (`subject_antecedent`)
    if resolver.actor_at(subject) is None:
        apposed = resolver.apposed_person(subject, verb)
        if apposed is not None:
            return [apposed]
    return resolver.entities(subject)
