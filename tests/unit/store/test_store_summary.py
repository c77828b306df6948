"""How `newswire summary` renders what the store holds."""

import datetime as dt
from dataclasses import replace

from services.store.summary import EntityCount, FeedState, Headline, Summary, format_summary

EMPTY = Summary(
    articles=0,
    entities=0,
    mentions=0,
    events=0,
    entities_by_type=(),
    events_by_type=(),
    top_entities=(),
    latest_articles=(),
)


def test_an_empty_store_says_so() -> None:
    assert format_summary(EMPTY) == "\n".join(
        [
            "articles: 0",
            "entities: 0 (none)",
            "mentions: 0",
            "events:   0 (none)",
            "",
            "top entities by number of articles:",
            "  (none)",
            "",
            "latest articles:",
            "  (none)",
        ]
    )


def test_counts_by_type_top_entities_and_latest_articles_are_listed() -> None:
    summary = Summary(
        articles=12,
        entities=5,
        mentions=40,
        events=7,
        entities_by_type=(("LOC", 3), ("ORG", 2)),
        events_by_type=(("ASSAULT", 4), ("REQUEST", 3)),
        top_entities=(
            EntityCount("loc:ukraine", "Ukraine", "LOC", 11),
            EntityCount("org:nato", "OTAN", "ORG", 3),
        ),
        latest_articles=(
            Headline("a2", dt.datetime(2026, 11, 20, 9, 5, tzinfo=dt.UTC), "Frappes sur Kiev"),
            Headline("a1", None, None),
        ),
    )

    lines = format_summary(summary).splitlines()

    assert lines[:4] == [
        "articles: 12",
        "entities: 5 (LOC 3, ORG 2)",
        "mentions: 40",
        "events:   7 (ASSAULT 4, REQUEST 3)",
    ]
    assert "  11  Ukraine [LOC] loc:ukraine" in lines
    assert "   3  OTAN [ORG] org:nato" in lines
    assert "  2026-11-20 09:05  Frappes sur Kiev" in lines
    assert "  (undated)         (untitled: a1)" in lines


def test_long_titles_are_shortened_with_an_ellipsis() -> None:
    long_title = "Un titre " * 20
    summary = replace(EMPTY, latest_articles=(Headline("a1", None, long_title),))

    (line,) = [line for line in format_summary(summary, title_width=30).splitlines() if "Un titre" in line]

    title = line.removeprefix("  (undated)").strip()
    assert title.endswith("…")
    assert len(title) == 30
    assert long_title.startswith(title[:-1])


def test_articles_are_counted_by_source_and_each_polled_feed_says_how_it_fares() -> None:
    summary = replace(
        EMPTY,
        articles=15,
        articles_by_source=(("samples", 5), ("samples-ninjs", 5), ("samples-rss", 5)),
        feeds=(
            FeedState(
                "samples-ninjs", "not_modified", dt.datetime(2026, 12, 7, 20, 5, 1, tzinfo=dt.UTC), 0, 5
            ),
            FeedState("wire", "http_5xx", None, 3, 0),
        ),
    )

    lines = format_summary(summary).splitlines()

    assert lines[0] == "articles: 15 (samples 5, samples-ninjs 5, samples-rss 5)"
    assert lines[-3:] == [
        "feeds polled (newswire poll):",
        "  samples-ninjs  last poll not_modified, last success 2026-12-07 20:05:01, 0 failures in a row, "
        "5 items published",
        "  wire           last poll http_5xx, last success never, 3 failures in a row, 0 items published",
    ]
