"""PLOVER events from the parse: triggers, arguments, modality, casualties, one event per
(type, actor, target). Sentences are written for these tests; the model is fr_core_news_md."""

from collections.abc import Callable

import pytest

from services.extract.nlp.results import Analysis
from tests.unit.extract.conftest import entity_named, events_of, only_event

Analyse = Callable[[str], Analysis]


def ids(analysis: Analysis, *names: str) -> tuple[str, ...]:
    return tuple(entity_named(analysis, name).id for name in names)


@pytest.mark.parametrize(
    ("text", "kind", "actor", "target"),
    [
        ("Le Japon a attaqué la Chine.", "ASSAULT", "Japon", "Chine"),
        ("L'Argentine a rencontré l'Uruguay.", "CONSULT", "Argentine", "Uruguay"),
        ("La Pologne a accusé la Biélorussie d'espionnage.", "ACCUSE", "Pologne", "Biélorussie"),
        ("Le Maroc a livré des vaccins au Sénégal.", "AID", "Maroc", "Sénégal"),
        ("Le Japon a annoncé des sanctions contre la Corée du Nord.", "SANCTION", "Japon", "Corée du Nord"),
        ("Le président argentin Javier Milei a menacé le Brésil.", "THREATEN", "Javier Milei", "Brésil"),
        ("L'Inde refuse de négocier avec le Pakistan.", "REJECT", "Inde", "Pakistan"),
        ("Angela Merkel s'est entretenue avec Joe Biden.", "CONSULT", "Angela Merkel", "Joe Biden"),
    ],
)  # fmt: skip
def test_trigger_subject_and_object_make_a_typed_event(
    analyse: Analyse, text: str, kind: str, actor: str, target: str
) -> None:
    analysis = analyse(text)
    event = only_event(analysis, kind)
    assert (event.actor, event.target) == ids(analysis, actor, target)
    assert text[event.trigger.start : event.trigger.end] == event.trigger.text
    assert event.sentence == (0, len(text))
    assert not event.negated
    assert not event.hypothetical


def test_passive_agent_is_the_actor_and_passive_subject_the_target(analyse: Analyse) -> None:
    analysis = analyse("La Suède a été attaquée par la Norvège.")
    event = only_event(analysis, "ASSAULT")
    assert (event.actor, event.target) == ids(analysis, "Norvège", "Suède")


def test_an_event_noun_takes_its_agent_and_its_contre_complement(analyse: Analyse) -> None:
    analysis = analyse("Le Brésil a condamné mardi l'attaque menée par le Venezuela contre la Colombie.")
    assault = only_event(analysis, "ASSAULT")
    assert (assault.actor, assault.target) == ids(analysis, "Venezuela", "Colombie")
    # Condemning an attack accuses its author.
    accuse = only_event(analysis, "ACCUSE")
    assert (accuse.actor, accuse.target) == ids(analysis, "Brésil", "Venezuela")


def test_a_nationality_adjective_names_the_actor_when_the_country_is_in_the_article(analyse: Analyse) -> None:
    analysis = analyse("La Russie dément. Une frappe russe a touché le port d'Odessa, en Ukraine.")
    event = only_event(analysis, "ASSAULT")
    assert event.actor == entity_named(analysis, "Russie").id


def test_an_event_noun_as_object_takes_the_subject_of_its_verb(analyse: Analyse) -> None:
    analysis = analyse("Le Canada a réaffirmé son soutien à l'Ukraine.")
    event = only_event(analysis, "SUPPORT")
    assert (event.actor, event.target) == ids(analysis, "Canada", "Ukraine")


def test_request_object_control_and_embedded_action(analyse: Analyse) -> None:
    analysis = analyse("Le président brésilien Lula a appelé le Portugal à livrer des vaccins au Mozambique.")
    request = only_event(analysis, "REQUEST")
    assert (request.actor, request.target) == ids(analysis, "Lula", "Portugal")
    assert events_of(analysis, "AID") == [], "a requested delivery has not happened: the REQUEST says it"


def test_coordinated_subjects_each_get_an_event(analyse: Analyse) -> None:
    analysis = analyse("La Chine et l'Inde soutiennent le Brésil.")
    supports = events_of(analysis, "SUPPORT")
    assert {(e.actor, e.target) for e in supports} == {
        ids(analysis, "Chine", "Brésil"),
        ids(analysis, "Inde", "Brésil"),
    }


def test_a_relative_pronoun_subject_is_its_antecedent(analyse: Analyse) -> None:
    analysis = analyse("L'Argentine, qui a condamné le Chili, a rencontré l'Uruguay.")
    accuse = only_event(analysis, "ACCUSE")
    assert (accuse.actor, accuse.target) == ids(analysis, "Argentine", "Chili")


def test_a_pronoun_in_reported_speech_is_the_reporting_subject(analyse: Analyse) -> None:
    analysis = analyse("Le Canada a déclaré qu'il fournirait une aide humanitaire au Soudan.")
    event = only_event(analysis, "AID")
    assert (event.actor, event.target) == ids(analysis, "Canada", "Soudan")


def test_negation_marks_the_event(analyse: Analyse) -> None:
    analysis = analyse("La Turquie ne rencontrera pas les représentants de l'Égypte.")
    event = only_event(analysis, "CONSULT")
    assert event.negated
    assert event.actor == entity_named(analysis, "Turquie").id


def test_a_refused_cooperation_is_a_rejection(analyse: Analyse) -> None:
    analysis = analyse("La Grèce ne soutient pas la Turquie.")
    assert events_of(analysis, "SUPPORT") == []
    event = only_event(analysis, "REJECT")
    assert (event.actor, event.target, event.negated) == (*ids(analysis, "Grèce", "Turquie"), False)


@pytest.mark.parametrize(
    "text",
    [
        "Le Mexique pourrait sanctionner le Guatemala.",  # conditional mood and modal verb
        "Le Mexique prévoit de sanctionner le Guatemala.",  # intention
        "Si le Mexique impose des sanctions au Guatemala, le Belize protestera.",  # condition
    ],
)
def test_modality_makes_the_event_hypothetical(analyse: Analyse, text: str) -> None:
    analysis = analyse(text)
    event = only_event(analysis, "SANCTION")
    assert event.hypothetical
    assert (event.actor, event.target) == ids(analysis, "Mexique", "Guatemala")


def test_casualties_become_killed_and_injured(analyse: Analyse) -> None:
    analysis = analyse("Le Tchad a bombardé un village du Niger, faisant 14 morts et 20 blessés.")
    event = only_event(analysis, "ASSAULT")
    assert dict(event.attributes) == {"killed": 14, "injured": 20}
    assert (event.actor, event.target) == ids(analysis, "Tchad", "Niger")


def test_casualties_read_from_a_toll_verb(analyse: Analyse) -> None:
    analysis = analyse("Une attaque a tué 7 soldats près de Gao au Mali.")
    assert {dict(e.attributes).get("killed") for e in events_of(analysis, "ASSAULT")} == {7}


def test_a_protest_with_a_place_but_no_named_actor_is_kept(analyse: Analyse) -> None:
    analysis = analyse("Des milliers de personnes ont manifesté samedi à Madrid contre le gouvernement.")
    event = only_event(analysis, "PROTEST")
    assert (event.actor, event.target, event.location) == (None, None, entity_named(analysis, "Madrid").id)


def test_an_event_without_any_actor_or_target_is_not_reported(analyse: Analyse) -> None:
    assert analyse("Les négociations ont repris mardi.").events == ()


def test_aid_needs_a_recipient(analyse: Analyse) -> None:
    assert events_of(analyse("Le Japon a fourni des informations détaillées."), "AID") == []


def test_one_event_per_type_actor_and_target_in_an_article(analyse: Analyse) -> None:
    analysis = analyse(
        "Le Japon a attaqué la Chine lundi. Mardi, le Japon a encore attaqué la Chine. "
        "Le Japon a aussi attaqué la Corée du Sud."
    )
    pairs = [(e.actor, e.target) for e in events_of(analysis, "ASSAULT")]
    assert pairs == [ids(analysis, "Japon", "Chine"), ids(analysis, "Japon", "Corée du Sud")]


def test_a_paragraph_break_ends_a_sentence(analyse: Analyse) -> None:
    analysis = analyse("Les détails d'une force européenne\nLe Japon a rencontré la Chine.")
    event = only_event(analysis, "CONSULT")
    assert event.actor == entity_named(analysis, "Japon").id


def test_sentences_in_another_language_give_no_events(analyse: Analyse) -> None:
    analysis = analyse(
        "The United States attacked Iraq in 2003 after months of tension with the Iraqi regime."
    )
    assert analysis.events == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Le Tchad a attaqué le Niger, faisant trois morts.", {"killed": 3}),
        ("Le Tchad a bombardé le Niger : 1 200 personnes ont été blessées.", {"injured": 1200}),
        ("Le Tchad a attaqué le Niger, privant 350 000 habitants d'électricité.", {}),
        ("Le Tchad a attaqué le Niger ; des dizaines de civils ont été tués.", {}),
    ],
)
def test_casualty_figures_are_counts_of_victims_only(
    analyse: Analyse, text: str, expected: dict[str, int]
) -> None:
    assert dict(only_event(analyse(text), "ASSAULT").attributes) == expected
