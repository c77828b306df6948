"""The same event mentioned twice in an article is reported once; different events stay apart (pure)."""

from services.extract.nlp.events.same_event import deduplicate
from services.extract.nlp.results import EventResult, TextSpan


def attack(
    start: int, place: str | None, actor: str | None = None, target: str | None = None, **figures: int
) -> EventResult:
    return EventResult(
        type="ASSAULT",
        actor=actor,
        target=target,
        trigger=TextSpan("attaque", start, start + 7),
        sentence=(start, start + 50),
        location=place,
        attributes=tuple(sorted(figures.items())),
    )


def test_attacks_in_two_cities_are_two_events_with_their_own_figures() -> None:
    events = deduplicate([attack(0, "loc:baghdad", killed=37), attack(60, "loc:mosul", killed=12)])
    assert [(e.location, dict(e.attributes)) for e in events] == [
        ("loc:baghdad", {"killed": 37}),
        ("loc:mosul", {"killed": 12}),
    ]


def test_an_attack_without_a_place_is_the_only_located_one() -> None:
    events = deduplicate([attack(0, "loc:jakarta", killed=7), attack(60, None, injured=1)])
    assert [(e.location, dict(e.attributes)) for e in events] == [
        ("loc:jakarta", {"injured": 1, "killed": 7})
    ]


def test_an_attack_without_a_place_stays_apart_when_several_places_could_be_its() -> None:
    events = deduplicate(
        [
            attack(0, None, killed=49),
            attack(60, "loc:baghdad", killed=37),
            attack(120, "loc:mosul", killed=12),
        ]
    )
    assert [(e.location, dict(e.attributes)) for e in events] == [
        (None, {"killed": 49}),
        ("loc:baghdad", {"killed": 37}),
        ("loc:mosul", {"killed": 12}),
    ]


def test_an_event_without_its_actor_folds_into_the_same_one_that_names_it() -> None:
    events = deduplicate(
        [
            attack(0, "loc:mogadishu", "org:al-shabaab", "loc:villa-somalia"),
            attack(60, "loc:mogadishu", None, "loc:villa-somalia", killed=45),
        ]
    )
    assert [(e.actor, e.target, dict(e.attributes)) for e in events] == [
        ("org:al-shabaab", "loc:villa-somalia", {"killed": 45})
    ]
