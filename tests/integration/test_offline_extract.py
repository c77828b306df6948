"""`newswire extract` end to end over files (no server needed): ingest's reader and validation, the
NLP, and the enriched-article contract on every output line."""

import io
import json
import sys
from pathlib import Path

import pytest

from bench import quality
from services.contracts.models import EnrichedArticle
from services.contracts.versions import EXTRACTOR_VERSION
from services.tools.offline_extract import main

ARTICLE_TXT = """Le Kenya et la Somalie renforcent leur coopération

NAIROBI - Le président kényan William Ruto a rencontré mardi à Nairobi son homologue somalien. \
Ruto a promis une aide militaire à la Somalie contre les groupes armés.
"""
ARTICLES_JSONL = [
    {"id": "dep-1", "source": "agence", "title": "Frappes", "lang": "fr",
     "text": "Le Tchad a bombardé un village du Niger, faisant 14 morts et 20 blessés. "
             "Le Niger a condamné l'attaque."},
    {"id": "dep-2", "source": "agence",
     "text": "L'Union européenne a annoncé de nouvelles sanctions contre la Biélorussie."},
]  # fmt: skip


def write_inputs(folder: Path) -> None:
    (folder / "kenya.txt").write_text(ARTICLE_TXT, encoding="utf-8")
    (folder / "wire.jsonl").write_text(
        "\n".join(json.dumps(a) for a in ARTICLES_JSONL) + "\n", encoding="utf-8"
    )


def read_output(path: Path) -> list[EnrichedArticle]:
    return [
        EnrichedArticle.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines()
    ]


def test_a_folder_of_articles_gives_one_valid_enriched_article_per_line(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_inputs(folder)
    out = tmp_path / "out.jsonl"
    assert main([str(folder), "--output", str(out)]) == 0
    articles = read_output(out)
    assert [a.external_id for a in articles] == ["kenya.txt", "dep-1", "dep-2"]
    for article in articles:
        assert article.extractor_version == EXTRACTOR_VERSION
        for entity in article.entities:
            for mention in entity.mentions:
                assert article.text[mention.start : mention.end] == mention.text
        for event in article.events:
            assert article.text[event.trigger.start : event.trigger.end] == event.trigger.text
    kenya, chad, eu = articles
    assert {"per:william-ruto", "loc:nairobi", "loc:somalia"} <= {e.id for e in kenya.entities}
    assert ("ASSAULT", "loc:chad", "loc:niger", {"killed": 14, "injured": 20}) in [
        (e.type.value, e.actor, e.target, e.attributes) for e in chad.events
    ]
    assert ("SANCTION", "org:european-union", "loc:belarus") in [
        (e.type.value, e.actor, e.target) for e in eu.events
    ]


def test_bad_records_are_reported_and_the_others_still_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.txt"
    good.write_text("La Pologne a accusé la Biélorussie d'espionnage.", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "   "}\n{"txet": "typo"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main([str(bad), str(good), str(tmp_path / "missing.txt"), "--output", str(out)]) == 1
    assert [a.external_id for a in read_output(out)] == ["good.txt"]
    errors = capsys.readouterr().err
    assert f"{bad}:1: text" in errors
    assert f"{bad}:2: txet" in errors
    assert "missing.txt" in errors


def test_stdin_to_stdout(monkeypatch: pytest.MonkeyPatch, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    lines = "\n".join(json.dumps(a) for a in ARTICLES_JSONL) + "\nnot json\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines.encode("utf-8"))))
    assert main([]) == 1
    captured = capsysbinary.readouterr()
    outputs = [EnrichedArticle.model_validate_json(line) for line in captured.out.splitlines()]
    assert [a.external_id for a in outputs] == ["dep-1", "dep-2"]
    assert b"<stdin>:3: invalid JSON" in captured.err


# The held-out set: short French wire texts on other topics than the sample articles (Sahel, Gaza,
# Sudan, Lebanon, French strikes and protests, EU sanctions, an election), with hand-written gold in
# the shared scorer's format. The floors sit a little below today's figures: a rule change that
# overfits the sample articles and breaks general French news fails here.
HELDOUT = Path(__file__).parents[1] / "fixtures" / "heldout"
HELDOUT_GOLD = Path(__file__).parents[1] / "fixtures" / "heldout.gold.jsonl"
SCORER = Path(__file__).parents[3] / "shared" / "eval" / "score.py"
ENTITY_F1_FLOOR = 0.90
EVENT_F1_FLOOR = 0.80


def _scorer() -> object:
    import importlib.util

    assert SCORER.is_file(), f"the shared scorer is missing at {SCORER}"
    spec = importlib.util.spec_from_file_location("newswire_eval_score", SCORER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_held_out_articles_stay_above_the_quality_floor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "heldout.jsonl"
    assert main([str(HELDOUT), "--output", str(out), "--processes", "0"]) == 0
    capsys.readouterr()
    score = _scorer()
    score.main(["score.py", str(HELDOUT_GOLD), str(out), "--json"])  # type: ignore[attr-defined]
    result = json.loads(capsys.readouterr().out)
    assert result["missing_articles"] == []
    assert result["entity_f1"] >= ENTITY_F1_FLOOR, result
    assert result["event_f1"] >= EVENT_F1_FLOOR, result
    assert result["cross_document_identity"] == 1.0, result


# The real-news holdout (tests/fixtures/realnews/README.md): French Wikinews articles, scored and never
# studied. The floors sit a little below the figures of the last measurement (the extractor is deterministic),
# so any change that makes real news worse fails here. Raise them as the extractor improves; never lower them
# to let a change through. (They were set anew once, when the second batch of articles joined the holdout.)
REALNEWS = Path(__file__).parents[1] / "fixtures" / "realnews"
HOLDOUT_FLOORS = {"entity_f1": 0.89, "event_f1": 0.32, "cross_document_identity": 1.0}
HOLDOUT_ACTOR_F1_FLOOR = 0.16


def test_the_real_news_holdout_stays_above_its_floors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts, gold = REALNEWS / "holdout", REALNEWS / "holdout.gold.jsonl"
    out = tmp_path / "holdout.jsonl"
    assert main([str(texts), "--output", str(out), "--processes", "0"]) == 0
    capsys.readouterr()
    scorer = quality.load_scorer(SCORER)
    report = quality.evaluate(quality.load_jsonl(gold), quality.load_jsonl(out), texts, scorer)
    result = quality.scores(scorer, gold, out, report)

    assert result["missing_articles"] == []
    for figure, floor in HOLDOUT_FLOORS.items():
        assert result[figure] >= floor, (figure, result)
    assert result["arguments"]["actor"]["f1"] >= HOLDOUT_ACTOR_F1_FLOOR, result["arguments"]
