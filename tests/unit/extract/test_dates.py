"""Event dates: the time expression of the clause, resolved against the publication date."""

import datetime as dt
from collections.abc import Callable

import pytest

from services.contracts.models import RawArticle
from services.extract.enrich import enrich
from services.extract.nlp.dates import resolve_date
from services.extract.nlp.results import Analysis

PUBLISHED = dt.datetime(2025, 3, 13, 9, 30, tzinfo=dt.UTC)  # a Thursday


@pytest.mark.parametrize(
    ("expression", "tense", "expected"),
    [
        ("mardi prochain", "", dt.date(2025, 3, 18)),
        ("la semaine dernière", "past", dt.date(2025, 3, 6)),
        ("le 2 mars dernier", "past", dt.date(2025, 3, 2)),
        ("lundi", "past", dt.date(2025, 3, 10)),
        ("samedi", "future", dt.date(2025, 3, 15)),
        ("hier soir", "past", dt.date(2025, 3, 12)),
        ("dans la nuit de lundi à mardi", "past", dt.date(2025, 3, 10)),
        ("jeudi", "past", dt.date(2025, 3, 13)),  # the weekday of publication is that day
        ("Thursday", "future", dt.date(2025, 3, 13)),
    ],
)
def test_relative_expressions_resolve_against_the_publication_date(
    expression: str, tense: str, expected: dt.date
) -> None:
    assert resolve_date(expression, PUBLISHED, tense) == expected


def test_without_a_publication_date_only_a_full_date_resolves() -> None:
    assert resolve_date("mercredi", None, "past") is None
    assert resolve_date("le 4 juin 2024", None, "past") == dt.date(2024, 6, 4)


def test_an_event_gets_the_date_of_its_clause(analyse: Callable[[str], Analysis]) -> None:
    text = "Le Tchad a bombardé le Niger mardi dernier."
    raw = RawArticle(
        article_id="a" * 32, external_id="t", source="test", text=text, lang="fr",
        published_at=PUBLISHED, ingested_at=PUBLISHED,
    )  # fmt: skip
    article = enrich(raw, analyse(text))
    assert [(e.type.value, e.date) for e in article.events] == [("ASSAULT", dt.date(2025, 3, 11))]
