"""Named events as MISC entities: "la guerre de Yougoslavie", "le massacre de Srebrenica", "la
résolution 1718".

A noun of the cue list `named_event` (lower case, not inside a name) completed by "de" + a proper
name ("guerre du Golfe") or by a number ("résolution 1718") names one event, law or treaty: a MISC
entity over the noun and its complement, with the id of that wording (`misc:massacre-de-srebrenica`),
so it is the same entity wherever it is named so. The proper name inside keeps its own entity.

Pure: reads the parse and the entities found so far, returns new entities.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from services.extract.nlp.events.arguments import OF_CASES, case_of, mention_end
from services.extract.nlp.names import slugify
from services.extract.nlp.results import EntityResult, TextSpan


@dataclass(frozen=True)
class NamedEvents:
    """The named-event rule of one pipeline language: `nouns` (cue list `named_event`)."""

    nouns: frozenset[str]

    def find(self, doc: Doc, token_entity: Mapping[int, str]) -> list[EntityResult]:
        """The named events of `doc`, one entity per wording, in order of first mention."""
        text = doc.text
        found: dict[str, list[TextSpan]] = {}
        for token in doc:
            if token.pos_ != "NOUN" or not token.text[:1].islower() or token.i in token_entity:
                continue
            if token.lower_ not in self.nouns:
                continue  # the form, not the lemma: "les résolutions du Conseil" are no one resolution
            last = _complement_end(token, token_entity)
            if last is None:
                continue
            span = TextSpan(text[token.idx : last.idx + len(last)], token.idx, last.idx + len(last))
            found.setdefault(f"misc:{slugify(span.text)}", []).append(span)
        return [EntityResult(key, spans[0].text, "MISC", tuple(spans)) for key, spans in found.items()]


def _complement_end(noun: Token, token_entity: Mapping[int, str]) -> Token | None:
    """The last token of the name or number completing `noun` right after it, if any."""
    after = noun.i + 1
    if after >= len(noun.doc):
        return None
    first = noun.doc[after]
    if first.like_num and first.head.i == noun.i:
        return first  # "résolution 1718"
    for child in noun.rights:
        if child.dep_ != "nmod" or case_of(child) not in OF_CASES or not child.text[:1].isupper():
            continue
        entity = token_entity.get(child.i)
        if (child.pos_ != "PROPN" and entity is None) or (entity or "").startswith("per:"):
            continue  # "la guerre de Poutine" names no event
        if any(t.i != child.i and t.i < child.i and t.pos_ not in ("ADP", "DET") for t in child.lefts):
            continue
        if not all(noun.doc[i].pos_ in ("ADP", "DET") for i in range(after, child.left_edge.i)):
            continue
        return noun.doc[mention_end(child.i, token_entity, len(noun.doc))]
    return None
