"""Event-argument scoring of `make eval`: a gold event is aligned with the system event of an accepted type
whose sentence holds the gold evidence, and each argument counts as found, wrong, missing or spurious."""

from __future__ import annotations

from typing import Any

from bench.quality import Report, Tally, align, evidence_start, score_arguments

TEXT = "Des combats ont eu lieu à Goma. Le M23 a attaqué l'armée congolaise à Goma, faisant 12 morts."
GOLD: dict[str, Any] = {
    "doc": "goma.txt",
    "events": [
        {
            "type": ["ASSAULT"],
            "actor": "m23",
            "target": "fardc",
            "location": "goma",
            "attributes": {"killed": 12},
            "required": True,
            "evidence": "Le M23 a attaqué l'armée congolaise ... faisant 12 morts",
        }
    ],
}
SECOND_SENTENCE = {"start": TEXT.index("Le M23"), "end": len(TEXT)}
MAPPING = {"org:m23": "m23", "org:fardc": "fardc", "loc:goma": "goma"}


def system_event(**fields: object) -> dict[str, object]:
    return {"type": "ASSAULT", "actor": None, "target": None, "location": None, "attributes": {},
            "sentence": SECOND_SENTENCE, **fields}  # fmt: skip


def test_the_evidence_is_found_by_its_first_fragment() -> None:
    assert evidence_start(TEXT, "Le M23 a attaqué l'armée congolaise ... faisant 12 morts") == TEXT.index(
        "Le M23"
    )
    assert evidence_start(TEXT, "nulle part dans le texte") is None


def test_an_event_in_another_sentence_or_of_another_type_is_not_aligned() -> None:
    elsewhere = system_event(sentence={"start": 0, "end": TEXT.index("Le M23")})
    other_type = system_event(type="PROTEST")

    assert align(GOLD["events"], [elsewhere, other_type, system_event()], TEXT) == {0: 2}


def test_every_argument_found_counts_as_true_positives() -> None:
    report = Report()
    found = system_event(actor="org:m23", target="org:fardc", location="loc:goma", attributes={"killed": 12})
    score_arguments(GOLD, {"events": [found]}, TEXT, MAPPING, report)

    assert {slot: (t.tp, t.fp, t.fn) for slot, t in report.arguments.items()} == {
        "actor": (1, 0, 0),
        "target": (1, 0, 0),
        "location": (1, 0, 0),
        "casualties": (1, 0, 0),
    }
    assert not report.errors


def test_a_place_taken_as_actor_is_wrong_and_a_missing_toll_is_missed() -> None:
    report = Report()
    score_arguments(GOLD, {"events": [system_event(actor="loc:goma")]}, TEXT, MAPPING, report)

    assert (report.arguments["actor"].fp, report.arguments["actor"].fn) == (1, 1)
    assert report.arguments["casualties"].fn == 1
    assert report.errors["actor: wrong"] == 1
    assert report.errors["casualties (killed): missing"] == 1


def test_a_missed_event_loses_all_its_arguments() -> None:
    report = Report()
    score_arguments(GOLD, {"events": []}, TEXT, MAPPING, report)

    assert all(t.fn == 1 and t.tp == 0 for t in report.arguments.values())
    assert report.errors["missed ASSAULT event"] == 1


def test_tally_precision_recall_f1() -> None:
    assert Tally(tp=3, fp=1, fn=2).prf() == (0.75, 0.6, 2 * 0.75 * 0.6 / 1.35)
