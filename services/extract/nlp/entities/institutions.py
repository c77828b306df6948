"""State institutions as entities of their own: "le gouvernement irakien", "l'armée du Mali".

A noun of `data/institutions.tsv` (lower case, not inside a name) completed by an adjective of
nationality ("le gouvernement irakien") or by "de" + a country or a seat of power ("l'armée du Mali",
"le gouvernement de Bagdad") names that country's institution: an ORG entity with the id
`org:<kind>-of-<country>` ("org:government-of-iraq"), the same in every article whatever the wording,
its country readable from the id. Its mention spans the noun and its complement.

A bare noun later in the article ("le gouvernement a annoncé") is a further mention of the one
institution of that kind the article names, when it names exactly one.

Pure: reads the parse and the entities found so far, returns new entities.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from services.extract.nlp.entities.linking import Linker
from services.extract.nlp.events.arguments import OF_CASES, case_of, mention_end
from services.extract.nlp.results import EntityResult, TextSpan

_DEFINITE = frozenset({"le", "la", "l'", "l’", "the"})


@dataclass(frozen=True)
class Institutions:
    """The institution rules of one pipeline language: `kinds` (noun -> kind, `Lexicon.institutions`)
    and `demonyms` (adjective -> country id)."""

    kinds: Mapping[str, str]
    demonyms: Mapping[str, str]

    def find(
        self, doc: Doc, entities: Sequence[EntityResult], token_entity: Mapping[int, str], linker: Linker
    ) -> list[EntityResult]:
        """The institutions `doc` names (module docstring), in order of first mention. `token_entity`:
        token index -> id of the entity of `entities` whose mention holds it."""
        countries = {e.id for e in entities if (e.kb_id or "").startswith("iso3166:")}
        text = doc.text
        named: dict[str, list[TextSpan]] = {}
        bare: list[tuple[str, Token]] = []
        for token in doc:
            kind = self._kind(token, token_entity)
            if kind is None:
                continue
            found = self._country(token, token_entity, countries, linker)
            if found is None:
                if any(c.dep_ == "det" and c.lower_ in _DEFINITE for c in token.children):
                    bare.append((kind, token))
                continue
            country, last = found
            span = TextSpan(text[token.idx : last.idx + len(last)], token.idx, last.idx + len(last))
            named.setdefault(f"org:{kind}-of-{country.split(':', 1)[1]}", []).append(span)
        for kind, token in bare:
            ids = [i for i in named if i.startswith(f"org:{kind}-of-")]
            if len(ids) == 1 and token.idx > named[ids[0]][0].start:
                named[ids[0]].append(TextSpan(token.text, token.idx, token.idx + len(token)))
        return [
            EntityResult(entity, spans[0].text, "ORG", tuple(sorted(spans, key=lambda s: s.start)))
            for entity, spans in named.items()
        ]

    def _kind(self, token: Token, token_entity: Mapping[int, str]) -> str | None:
        if token.pos_ != "NOUN" or not token.text[:1].islower() or token.i in token_entity:
            return None
        if token.i + 1 < len(token.doc):  # a two-word noun ("forces armées")
            pair = self.kinds.get(f"{token.lower_} {token.doc[token.i + 1].lower_}")
            if pair is not None:
                return pair
        return self.kinds.get(token.lower_) or self.kinds.get(token.lemma_.lower())

    def _country(
        self, noun: Token, token_entity: Mapping[int, str], countries: set[str], linker: Linker
    ) -> tuple[str, Token] | None:
        """The country completing `noun` and the last token of the phrase, if any."""
        for child in noun.rights:
            if child.dep_ == "amod" and not child.text[:1].isupper():
                country = self.demonyms.get(child.lower_) or self.demonyms.get(child.lemma_.lower())
                if country is not None:
                    return country, child
            elif child.dep_ == "nmod" and case_of(child) in OF_CASES:
                entity = token_entity.get(child.i)
                if entity is None:
                    continue
                country = entity if entity in countries else linker.stands_for(entity)
                if country is not None:
                    return country, noun.doc[mention_end(child.i, token_entity, len(noun.doc))]
        return None
