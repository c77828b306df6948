"""One entity per real-world entity per article (grouping is pure; a few checks run the model)."""

from collections.abc import Callable

from services.extract.nlp.entities.grouping import group_mentions
from services.extract.nlp.entities.linking import Linker
from services.extract.nlp.entities.mentions import Candidate
from services.extract.nlp.results import Analysis
from tests.unit.extract.conftest import entity_named, names


def mention(text: str, start: int, label: str, acronym: tuple[str, int, int] | None = None) -> Candidate:
    return Candidate(text, start, start + len(text), label, tuple(text.split()), acronym)


def group(linker: Linker, *candidates: Candidate) -> list[tuple[str, str, str, list[str]]]:
    return [(e.id, e.name, e.type, [m.text for m in e.mentions]) for e in group_mentions(candidates, linker)]


def test_the_same_name_twice_is_one_entity(linker: Linker) -> None:
    assert group(linker, mention("Kenya", 0, "LOC"), mention("Kenya", 50, "LOC")) == [
        ("loc:kenya", "Kenya", "LOC", ["Kenya", "Kenya"])
    ]


def test_names_of_one_known_entity_are_one_entity_with_the_canonical_french_name(linker: Linker) -> None:
    assert group(
        linker,
        mention("NATO", 0, "ORG"),
        mention("OTAN", 30, "ORG"),
        mention("Alliance atlantique", 60, "MISC"),
    ) == [("org:nato", "OTAN", "ORG", ["NATO", "OTAN", "Alliance atlantique"])]


def test_a_surname_joins_the_full_name_mentioned_in_the_article(linker: Linker) -> None:
    grouped = group(
        linker, mention("Olaf Scholz", 0, "PER"), mention("Scholz", 40, "PER"), mention("Scholz", 90, "ORG")
    )
    assert grouped == [("per:olaf-scholz", "Olaf Scholz", "PER", ["Olaf Scholz", "Scholz", "Scholz"])]


def test_a_surname_joins_the_nearest_full_name_before_it(linker: Linker) -> None:
    grouped = group(linker,
        mention("Joe Kennedy", 0, "PER"), mention("Kennedy", 20, "PER"),
        mention("Ted Kennedy", 40, "PER"), mention("Kennedy", 60, "PER"),
    )  # fmt: skip
    assert [(g[0], g[3]) for g in grouped] == [
        # Person ids are transliteration keys (names.person_key): "y" is keyed as "i".
        ("per:joe-kennedi", ["Joe Kennedy", "Kennedy"]),
        ("per:ted-kennedi", ["Ted Kennedy", "Kennedy"]),
    ]


def test_an_acronym_in_parentheses_joins_the_long_name_and_gives_the_id(linker: Linker) -> None:
    long_name = mention("Organisation des pêcheurs riverains", 0, "ORG", acronym=("OPR", 37, 40))
    grouped = group(linker, long_name, mention("OPR", 80, "ORG"))
    assert grouped == [
        (
            "org:opr",
            "Organisation des pêcheurs riverains",
            "ORG",
            ["Organisation des pêcheurs riverains", "OPR", "OPR"],
        )
    ]


def test_an_organisation_named_without_its_complement_is_the_same_organisation(linker: Linker) -> None:
    grouped = group(
        linker, mention("Comité olympique de la France", 0, "ORG"), mention("Comité olympique", 50, "ORG")
    )
    assert [g[1] for g in grouped] == ["Comité olympique de la France"]


def test_type_is_the_majority_label_and_a_full_person_name_makes_a_person(linker: Linker) -> None:
    assert (
        group(linker, mention("Tesla", 0, "ORG"), mention("Tesla", 10, "ORG"), mention("Tesla", 20, "MISC"))[
            0
        ][2]
        == "ORG"
    )
    assert group(linker, mention("Ada Lovelace", 0, "PER"), mention("Lovelace", 20, "LOC"))[0][2] == "PER"


def test_entities_come_in_order_of_first_mention(linker: Linker) -> None:
    assert [g[1] for g in group(linker, mention("Chili", 30, "LOC"), mention("Pérou", 0, "LOC"))] == [
        "Pérou",
        "Chili",
    ]


def test_an_article_end_to_end(analyse: Callable[[str], Analysis]) -> None:
    text = (
        "Le Premier ministre britannique Keir Starmer a reçu lundi à Londres le secrétaire général de "
        "l'Organisation des Nations unies. Starmer a ensuite parlé avec l'ONU de la situation au Soudan. "
        "Selon M. Starmer, le Royaume-Uni et les Nations unies travailleront ensemble."
    )
    analysis = analyse(text)
    assert names(analysis) == {"Keir Starmer", "Londres", "ONU", "Soudan", "Royaume-Uni"}
    starmer = entity_named(analysis, "Keir Starmer")
    assert (starmer.id, starmer.type, len(starmer.mentions)) == ("per:keir-starmer", "PER", 3)
    un = entity_named(analysis, "ONU")
    assert un.id == "org:united-nations"
    assert {m.text for m in un.mentions} == {"Organisation des Nations unies", "ONU", "Nations unies"}
    for entity in analysis.entities:
        for m in entity.mentions:
            assert text[m.start : m.end] == m.text
