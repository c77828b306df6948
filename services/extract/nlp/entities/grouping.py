"""One entity per real-world entity per article: grouping clean mentions (pure, plain values).

Mentions are joined (union-find) when:
* they link to the same known entity (alias table: "OTAN", "NATO" and "Alliance atlantique");
* their names are equal once case, accents and quotes are folded;
* one is the acronym in parentheses right after the other ("Organisation mondiale du commerce (OMC)");
  a later bare "OMC" then joins too;
* a shorter mention repeats the last words of a person's full name ("Stoltenberg", "Cavo Dragone" after
  "Giuseppe Cavo Dragone"): it joins the nearest full name before it, else the first one after it;
* an ORG name is the head of a longer one that adds a complement ("Comité militaire" and
  "Comité militaire de l'OTAN").

Names are compared by their fold (case, accents) and by their linking key (linking.Linker.name_key:
transliteration key for people, "X-Y" compounds of known entities in a fixed order), so "Serhiiev"
joins "Oleksii Serhiiiev" and "Conseil OTAN-Ukraine" joins "Conseil Ukraine-OTAN". A bare surname
that the known-people data links ("Trump") still joins a different full name of the article ending
with it ("Lara Trump"): the article's own full name wins.

Each group becomes one `EntityResult`: the linked id, name, type and place data when a member is
known (linking.py); otherwise type by majority of the NER labels (a group holding a person's full
name is PER), name = the longest mention, and id = the linking key of that name (for an organisation
known by an acronym, the acronym's, which is stabler across articles than a translated long name).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from services.contracts.models import EntityType
from services.extract.nlp.entities.linking import Canonical, Linker, fold
from services.extract.nlp.entities.mentions import Candidate
from services.extract.nlp.names import person_word_key
from services.extract.nlp.results import EntityResult, TextSpan

_COMPLEMENT_WORDS = frozenset({"de", "du", "des", "d'", "of"})


@dataclass(frozen=True, slots=True)
class _Member:
    candidate: Candidate
    key: str
    canonical: Canonical | None


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _is_acronym_text(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and " " not in text


def _acronym_members(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Extra mentions for "(ACRONYM)" asides the NER did not tag itself."""
    tagged = {(c.start, c.end) for c in candidates}
    extra = []
    for c in candidates:
        if c.acronym is not None:
            text, start, end = c.acronym
            if (start, end) not in tagged:
                extra.append(Candidate(text, start, end, c.label, (text,)))
                tagged.add((start, end))
    return extra


def group_mentions(candidates: Sequence[Candidate], linker: Linker) -> list[EntityResult]:
    """The entities of one article, in order of first mention (see the module docstring)."""
    members = [
        _Member(c, fold(c.text), linker.lookup(c.text, c.label))
        for c in sorted([*candidates, *_acronym_members(candidates)], key=lambda c: (c.start, c.end))
    ]
    groups = _UnionFind(len(members))
    surnames = _surname_owners(members)
    for i, owner in surnames.items():
        if members[i].canonical is not None and members[i].canonical != members[owner].canonical:
            members[i] = _Member(members[i].candidate, members[i].key, members[owner].canonical)
    first_by: dict[str, int] = {}
    for i, member in enumerate(members):
        if i in surnames:  # joins its own full name only: two Kennedys stay two people
            groups.union(i, surnames[i])
            continue
        label = EntityType(member.candidate.label)
        link_key = linker.name_key(member.candidate.text, label).split(":", 1)[1]
        for key in (member.key, "\x1f" + link_key, member.canonical.id if member.canonical else None):
            if key is not None:
                groups.union(first_by.setdefault(key, i), i)
    _join_acronyms(members, groups)
    _join_org_heads(members, groups)
    clusters: dict[int, list[_Member]] = {}
    for i, member in enumerate(members):
        clusters.setdefault(groups.find(i), []).append(member)
    return [_entity(cluster, linker) for _, cluster in sorted(clusters.items())]


def _join_acronyms(members: list[_Member], groups: _UnionFind) -> None:
    by_key: dict[str, list[int]] = {}
    for i, member in enumerate(members):
        by_key.setdefault(member.key, []).append(i)
    for i, member in enumerate(members):
        if member.candidate.acronym is not None:
            for j in by_key.get(fold(member.candidate.acronym[0]), []):
                groups.union(i, j)


def _surname_owners(members: list[_Member]) -> dict[int, int]:
    """Mention index -> the full person name it shortens (nearest before it, else first after it)."""
    words = [tuple(person_word_key(w) for w in m.candidate.words) for m in members]
    full_names = [i for i, m in enumerate(members) if m.candidate.label == "PER" and len(words[i]) >= 2]
    owners: dict[int, int] = {}
    for i, member in enumerate(members):
        linked_person = member.canonical is not None and member.canonical.type == EntityType.PER
        if (member.canonical is not None and not linked_person) or (
            member.candidate.label != "PER" and len(words[i]) > 1
        ):
            continue
        size = len(words[i])
        matches = [j for j in full_names if len(words[j]) > size and words[j][-size:] == words[i]]
        if matches:
            before = [j for j in matches if members[j].candidate.start < member.candidate.start]
            owners[i] = before[-1] if before else matches[0]
    return owners


def _join_org_heads(members: list[_Member], groups: _UnionFind) -> None:
    words = [tuple(fold(w) for w in m.candidate.words) for m in members]
    orgs = [i for i, m in enumerate(members) if m.candidate.label == "ORG" and m.canonical is None]
    for i in orgs:
        if len(words[i]) < 2:
            continue
        size = len(words[i])
        for j in orgs:
            longer = words[j]
            if len(longer) > size + 1 and longer[:size] == words[i] and longer[size] in _COMPLEMENT_WORDS:
                groups.union(i, j)
                break


def _entity(cluster: list[_Member], linker: Linker) -> EntityResult:
    mentions = tuple(
        sorted({TextSpan(m.candidate.text, m.candidate.start, m.candidate.end) for m in cluster},
               key=lambda s: (s.start, s.end))
    )  # fmt: skip
    canonicals = [m.canonical for m in cluster if m.canonical is not None]
    if canonicals:
        # The most frequent, the first on ties (what Counter.most_common(1) gives, without a Counter).
        canonical = max(dict.fromkeys(canonicals), key=canonicals.count)
        return EntityResult(
            canonical.id, canonical.name, canonical.type.value, mentions,
            canonical.kb_id, canonical.lat, canonical.lon,
        )  # fmt: skip
    kind = _majority_type(cluster)
    longest = max(cluster, key=lambda m: (len(m.candidate.words), len(m.candidate.text), -m.candidate.start))
    name = " ".join(longest.candidate.text.split())
    id_name = name
    if kind == EntityType.ORG:
        acronyms = [m.candidate.text for m in cluster if _is_acronym_text(m.candidate.text)]
        if acronyms:
            id_name = Counter(acronyms).most_common(1)[0][0]
    return EntityResult(linker.name_key(id_name, kind), name, kind.value, mentions)


def _majority_type(cluster: list[_Member]) -> EntityType:
    if any(m.candidate.label == "PER" and len(m.candidate.words) >= 2 for m in cluster):
        return EntityType.PER
    counts = Counter(m.candidate.label for m in cluster)
    best = max(counts.values())
    first = next(m.candidate.label for m in cluster if counts[m.candidate.label] == best)
    return EntityType(first)
