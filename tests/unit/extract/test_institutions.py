"""State institutions are entities of their own, with one id per country whatever the wording, and act
in events in their own name. Sentences are written for these tests."""

from collections.abc import Callable

from services.extract.nlp.results import Analysis
from tests.unit.extract.conftest import entity_named, only_event

Analyse = Callable[[str], Analysis]


def test_a_nationality_adjective_or_a_country_complement_names_the_same_institution(
    analyse: Analyse,
) -> None:
    adjective = analyse("Le gouvernement malien a levé le couvre-feu.")
    complement = analyse("Le gouvernement du Mali a levé le couvre-feu.")
    capital = analyse("Le gouvernement de Bamako a levé le couvre-feu.")
    ids = {entity_named(a, name).id for a, name in [
        (adjective, "gouvernement malien"),
        (complement, "gouvernement du Mali"),
        (capital, "gouvernement de Bamako"),
    ]}  # fmt: skip
    assert ids == {"org:government-of-mali"}
    assert entity_named(adjective, "gouvernement malien").type == "ORG"
    assert only_event(adjective, "CONCEDE").actor == "org:government-of-mali"


def test_the_institution_keeps_its_country_as_an_entity_of_its_own(analyse: Analyse) -> None:
    analysis = analyse("L'armée du Niger a repoussé une attaque.")
    assert entity_named(analysis, "armée du Niger").id == "org:armed-forces-of-niger"
    assert entity_named(analysis, "Niger").id == "loc:niger"


def test_a_bare_noun_later_is_the_one_institution_of_its_kind(analyse: Analyse) -> None:
    analysis = analyse("L'armée malienne a repris Kidal. Selon l'armée, dix rebelles ont été tués.")
    army = entity_named(analysis, "armée malienne")
    assert [m.text for m in army.mentions] == ["armée malienne", "armée"]


def test_an_institution_without_a_country_is_not_an_entity(analyse: Analyse) -> None:
    analysis = analyse("Le gouvernement de transition a condamné l'attaque.")
    assert [e for e in analysis.entities if e.id.startswith("org:government")] == []


def test_a_country_labelling_a_headline_is_not_its_actor(analyse: Analyse) -> None:
    analysis = analyse(
        "Niger : les rebelles accusés d'avoir tué dix civils\nLes rebelles ont tué dix civils."
    )
    assert "loc:niger" in {e.id for e in analysis.entities}
    assert analysis.events
    assert all(e.actor != "loc:niger" for e in analysis.events)


def test_a_named_war_massacre_or_resolution_is_one_misc_entity(analyse: Analyse) -> None:
    analysis = analyse(
        "Le Conseil a rappelé la résolution 2231 et le massacre de Srebrenica, pendant la guerre de Bosnie."
    )
    names = {e.name: e.type for e in analysis.entities}
    assert names["résolution 2231"] == names["massacre de Srebrenica"] == names["guerre de Bosnie"] == "MISC"
    assert entity_named(analysis, "massacre de Srebrenica").id == "misc:massacre-de-srebrenica"


def test_a_war_named_after_a_person_or_a_common_noun_is_no_entity(analyse: Analyse) -> None:
    analysis = analyse("Vladimir Poutine poursuit la guerre de Poutine et la guerre des prix.")
    assert all(e.type != "MISC" or "guerre" not in e.name for e in analysis.entities)


def test_time_words_nationalities_and_units_are_not_names(analyse: Analyse) -> None:
    analysis = analyse("Hier, le Sud-Coréen Ban Ki-moon est arrivé à 10 h UTC à Genève.")
    assert {"Hier", "Sud-Coréen", "UTC"} & {e.name for e in analysis.entities} == set()


def test_a_name_after_a_street_noun_is_the_street_not_the_town(analyse: Analyse) -> None:
    analysis = analyse("Des milliers de manifestants se sont rassemblés place Tahrir puis rue d'Aubagne.")
    assert {"place Tahrir", "rue d'Aubagne"} <= {e.name for e in analysis.entities}
    assert entity_named(analysis, "rue d'Aubagne").type == "LOC"
    assert "Aubagne" not in {e.name for e in analysis.entities}


def test_a_name_after_a_title_is_a_person_even_when_the_model_misses_or_mistypes_it(
    analyse: Analyse,
) -> None:
    analysis = analyse(
        "Le président Olusegun Obasanjo a décrété un deuil national. Sa rivale, Mirlande Manigat, a perdu."
    )
    assert entity_named(analysis, "Olusegun Obasanjo").type == "PER"
    assert entity_named(analysis, "Mirlande Manigat").type == "PER"


def test_a_name_after_an_organisation_noun_is_the_organisation_without_the_noun(analyse: Analyse) -> None:
    analysis = analyse("Selon l'agence de presse Lusa, le parti Guomindang a gagné les élections à Taipei.")
    assert entity_named(analysis, "Lusa").type == "ORG"
    assert entity_named(analysis, "Guomindang").type == "ORG"
    assert "parti Guomindang" not in {e.name for e in analysis.entities}


def test_the_armed_forces_are_one_institution_however_they_are_named(analyse: Analyse) -> None:
    analysis = analyse(
        "Les forces armées angolaises ont repoussé l'attaque. L'armée angolaise a tué dix rebelles."
    )
    army = entity_named(analysis, "forces armées angolaises")
    assert army.id == "org:armed-forces-of-angola"
    assert [m.text for m in army.mentions] == ["forces armées angolaises", "armée angolaise"]


def test_common_words_opening_a_headline_are_no_title(analyse: Analyse) -> None:
    analysis = analyse("Nouvelles manifestations\nDes manifestations ont eu lieu à Dakar.")
    assert {e.name for e in analysis.entities} == {"Dakar"}
