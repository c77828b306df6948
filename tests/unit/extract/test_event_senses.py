"""Triggers whose sense depends on their complement, and arguments read from the event's frame:
arrests need a person, sentences need a penalty, lifting needs a restriction, the country visited is
the host, and a scene noun takes its clause's place. Sentences are written for these tests."""

from collections.abc import Callable

from services.extract.nlp.results import Analysis
from tests.unit.extract.conftest import entity_named, events_of, only_event

Analyse = Callable[[str], Analysis]


def test_arresting_a_person_is_coerce_and_stopping_fighting_is_not(analyse: Analyse) -> None:
    arrest = analyse("L'ancien ministre Jean Valmont a été arrêté à Lyon mardi.")
    assert only_event(arrest, "COERCE").target == entity_named(arrest, "Jean Valmont").id
    stop = analyse("Le Soudan et le Tchad ont promis d'arrêter les combats.")
    assert events_of(stop, "COERCE") == []


def test_condemning_to_a_penalty_is_coerce_and_condemning_an_act_is_accuse(analyse: Analyse) -> None:
    sentence = analyse("Un tribunal de Dakar a condamné Jean Valmont à dix ans de prison.")
    assert only_event(sentence, "COERCE").target == entity_named(sentence, "Jean Valmont").id
    assert events_of(sentence, "ACCUSE") == []
    blame = analyse("Le Kenya a condamné le coup d'État au Gabon.")
    assert events_of(blame, "COERCE") == []
    assert only_event(blame, "ACCUSE").actor == "loc:kenya"


def test_lifting_a_restriction_is_a_concession(analyse: Analyse) -> None:
    analysis = analyse("Le Niger a levé le couvre-feu imposé à Niamey.")
    assert only_event(analysis, "CONCEDE").actor == "loc:niger"
    assert events_of(analyse("Le Niger a levé des fonds auprès de la Banque mondiale."), "CONCEDE") == []


def test_the_country_visited_is_the_target_of_the_visit(analyse: Analyse) -> None:
    noun = analyse("La visite de Jean Valmont au Sénégal a duré deux jours.")
    assert (entity_named(noun, "Jean Valmont").id, "loc:senegal") in {
        (e.actor, e.target) for e in events_of(noun, "CONSULT")
    }
    verb = analyse("Jean Valmont s'est rendu en Côte d'Ivoire jeudi.")
    assert only_event(verb, "CONSULT").target == "loc:ivory-coast"


def test_a_scene_noun_subject_takes_the_place_of_its_clause(analyse: Analyse) -> None:
    analysis = analyse("De nouvelles manifestations ont eu lieu à Bamako samedi.")
    assert only_event(analysis, "PROTEST").location == "loc:bamako"


def test_a_city_an_attack_is_named_after_is_where_it_happened_not_who_did_it(analyse: Analyse) -> None:
    analysis = analyse("Les attaques de Mombasa ont fait dix morts, selon le Kenya.")
    attack = only_event(analysis, "ASSAULT")
    assert attack.actor is None
    assert attack.location == "loc:mombasa"


def test_a_name_deeper_in_the_phrase_beats_a_nationality_adjective(analyse: Analyse) -> None:
    analysis = analyse(
        "L'attaque, revendiquée par le groupe somalien des shebab, a fait dix morts à Kismayo."
    )
    shebab = entity_named(analysis, "Shebab")
    assert [m.text for m in shebab.mentions] == ["shebab"]
    assert only_event(analysis, "ASSAULT").actor == shebab.id


def test_a_subject_pronoun_stands_for_the_previous_sentence_subject_when_they_agree(
    analyse: Analyse,
) -> None:
    agreeing = analyse("Jean Valmont a quitté la présidence en 2019. Il a été arrêté à Lyon en 2021.")
    assert only_event(agreeing, "COERCE").target == entity_named(agreeing, "Jean Valmont").id
    disagreeing = analyse("La commission a quitté Lyon en 2019. Il a été arrêté à Lyon en 2021.")
    assert [e.target for e in events_of(disagreeing, "COERCE")] in ([], [None])


def test_coordinated_parties_to_an_agreement_are_each_others_targets(analyse: Analyse) -> None:
    analysis = analyse("Le Kenya et l'Ouganda ont conclu un accord sur le commerce.")
    assert {(e.actor, e.target) for e in events_of(analysis, "AGREE")} == {
        ("loc:kenya", "loc:uganda"),
        ("loc:uganda", "loc:kenya"),
    }


def test_who_ordered_an_act_is_its_actor(analyse: Analyse) -> None:
    analysis = analyse("Dix opposants ont été exécutés en 1990 sur ordre de Jean Valmont.")
    assert only_event(analysis, "ASSAULT").actor == entity_named(analysis, "Jean Valmont").id


def test_a_removal_from_office_proclaimed_after_a_time_word_is_the_proclaimers(analyse: Analyse) -> None:
    analysis = analyse("Le général Paul Ndayi a proclamé mercredi la destitution du président Jean Valmont.")
    event = only_event(analysis, "COERCE")
    assert (event.actor, event.target) == (
        entity_named(analysis, "Paul Ndayi").id,
        entity_named(analysis, "Jean Valmont").id,
    )


def test_a_protest_against_a_persons_bid_targets_the_person(analyse: Analyse) -> None:
    analysis = analyse("Des milliers de Kényans manifestent contre la candidature du président Jean Valmont.")
    assert only_event(analysis, "PROTEST").target == entity_named(analysis, "Jean Valmont").id


def test_a_group_named_by_a_common_noun_acts_without_an_actor_id(analyse: Analyse) -> None:
    demand = analyse("Les manifestants ont réclamé la libération des prisonniers.")
    assert [(e.actor, e.target) for e in events_of(demand, "REQUEST")] == [(None, None)]
    dispersal = analyse("Les contestataires ont été dispersés par les forces de l'ordre.")
    assert [e.actor for e in events_of(dispersal, "COERCE")] == [None]
    nobody = analyse("Il a été réclamé que la séance soit levée.")
    assert events_of(nobody, "REQUEST") == []


def test_people_who_lost_their_lives_are_counted_dead(analyse: Analyse) -> None:
    analysis = analyse("Au moins 37 personnes ont trouvé la mort dans un attentat à Kaboul.")
    assert dict(only_event(analysis, "ASSAULT").attributes) == {"killed": 37}


def test_an_unnamed_group_tied_to_an_organisation_stands_for_it(analyse: Analyse) -> None:
    analysis = analyse("Le Mali accuse des combattants armés liés à Al-Qaïda d'être derrière l'attaque.")
    assert ("loc:mali", "org:al-qaeda") in {(e.actor, e.target) for e in events_of(analysis, "ACCUSE")}
