"""`newswire replay` without a server: the raw form rebuilt from a stored row, what is published page by
page, the command line and the settings. (Reading pages from Postgres and the whole replay through the
pipeline: tests/integration/test_replay*.py.)"""

import datetime as dt
from collections.abc import Sequence

import pytest

from services.contracts.models import RawArticle
from services.ingest.errors import BrokerUnavailable
from services.ingest.outgoing import MESSAGE_OVERHEAD_BYTES, OutgoingArticle, encode
from services.store.replay import Cursor, Progress, Selection, fitting, parse, raw_article, replay
from services.store.rows import article_row
from services.store.settings import ReplaySettings
from tests.unit.store.factories import INGESTED_AT, ukraine_appeals_to_nato

NOW = dt.datetime(2026, 12, 1, 9, 30, tzinfo=dt.UTC)
PARIS = dt.timezone(dt.timedelta(hours=1))


def stored_row() -> dict[str, object]:
    """An `articles` row as the store writes it (with its extractor version columns)."""
    return dict(article_row(ukraine_appeals_to_nato("a1").model_dump()))


def raw(article_id: str, text: str = "Un texte.", minutes: int = 0) -> RawArticle:
    at = INGESTED_AT + dt.timedelta(minutes=minutes)
    return RawArticle(article_id=article_id, source="test", text=text, ingested_at=at)


class RecordingPublisher:
    """Records each publish call; raises `failure` from call number `fail_on` (1-based)."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.calls: list[list[str]] = []
        self.header_times: list[dt.datetime] = []
        self.fail_on = fail_on

    def publish(self, articles: Sequence[OutgoingArticle]) -> None:
        if self.fail_on == len(self.calls) + 1:
            raise BrokerUnavailable("Kafka did not acknowledge the articles")
        self.calls.append([item.article.article_id for item in articles])
        self.header_times += [item.header_time for item in articles]


# --- the raw form of a stored article -------------------------------------------------------------


def test_the_raw_form_rebuilt_from_a_stored_row_is_the_article_the_extractor_saw() -> None:
    enriched = ukraine_appeals_to_nato(
        "a1",
        external_id="dispatch-17.txt",
        url="https://example.org/17",
        title="Kiev appelle l'OTAN",
        lang="fr",
        dateline="KIEV",
        published_at=dt.datetime(2026, 11, 19, 22, 15, tzinfo=dt.UTC),
    )
    row = article_row(enriched.model_dump())

    original = RawArticle.model_validate(enriched.model_dump(include=set(RawArticle.model_fields)))

    rebuilt = raw_article(row)

    assert rebuilt == original
    # Byte for byte what ingest sent (equal datetimes may still differ in their offset).
    assert encode([rebuilt])[0].value == encode([original])[0].value


def test_the_stored_article_id_is_kept_as_it_is_never_recomputed_from_the_fields() -> None:
    row = stored_row()
    row["article_id"] = "id-given-by-an-older-ingest"

    assert raw_article(row).article_id == "id-given-by-an-older-ingest"


def test_timestamps_read_in_another_time_zone_or_without_one_come_out_in_utc() -> None:
    row = stored_row()
    row["ingested_at"] = dt.datetime(2026, 11, 20, 13, 0, tzinfo=PARIS)
    row["published_at"] = dt.datetime(2026, 11, 20, 8, 0)

    article = raw_article(row)

    assert article.ingested_at == INGESTED_AT
    assert article.ingested_at.tzinfo == dt.UTC
    assert article.published_at == dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


# --- publishing page by page ----------------------------------------------------------------------


def test_each_page_is_published_once_in_order_and_the_progress_names_the_last_article() -> None:
    publisher = RecordingPublisher()
    pages = [[raw("a"), raw("b")], [raw("c", minutes=5)]]

    progress = list(replay(pages, publisher.publish, max_message_bytes=100_000, clock=lambda: NOW))

    assert publisher.calls == [["a", "b"], ["c"]]
    assert [p.articles for p in progress] == [2, 3]
    assert progress[-1].last == Cursor(INGESTED_AT + dt.timedelta(minutes=5), "c")


def test_a_replayed_message_enters_the_pipeline_now_and_keeps_its_ingestion_time_in_the_body() -> None:
    publisher = RecordingPublisher()

    list(replay([[raw("a")]], publisher.publish, max_message_bytes=100_000, clock=lambda: NOW))

    # The `ingested_at` header (end-to-end latency's start) is the replay's time, not the article's age.
    assert publisher.header_times == [NOW]
    assert INGESTED_AT != NOW


def test_a_dry_run_publishes_nothing_and_counts_what_it_would() -> None:
    [*_, final] = replay(
        [[raw("a"), raw("b")], [raw("c")]], None, max_message_bytes=100_000, clock=lambda: NOW
    )

    assert final.articles == 3
    assert final.last == Cursor(INGESTED_AT, "c")


def test_an_article_larger_than_the_raw_topic_accepts_is_left_out_and_named_and_the_others_go() -> None:
    limit = 2_000
    big = raw("big", text="x" * (limit - MESSAGE_OVERHEAD_BYTES))
    publisher = RecordingPublisher()

    [final] = replay(
        [[raw("a"), big, raw("b")]], publisher.publish, max_message_bytes=limit, clock=lambda: NOW
    )

    assert publisher.calls == [["a", "b"]]
    assert (final.articles, final.too_large) == (2, ("big",))


def test_fitting_keeps_the_order_of_the_articles_it_keeps() -> None:
    kept, refused = fitting(encode([raw("a"), raw("b", text="y" * 5_000), raw("c")]), 4_000)

    assert [item.article.article_id for item in kept] == ["a", "c"]
    assert refused == ("b",)


def test_when_kafka_refuses_a_page_the_progress_so_far_is_what_was_published() -> None:
    publisher = RecordingPublisher(fail_on=2)
    pages = [[raw("a")], [raw("b", minutes=1)], [raw("c", minutes=2)]]
    steps = replay(pages, publisher.publish, max_message_bytes=100_000, clock=lambda: NOW)

    done = next(steps)
    with pytest.raises(BrokerUnavailable):
        next(steps)

    assert (done.articles, done.last) == (1, Cursor(INGESTED_AT, "a"))
    assert publisher.calls == [["a"]]


def test_the_summary_says_what_was_selected_and_where_to_resume() -> None:
    selection = Selection(INGESTED_AT, NOW, ("afp",))
    progress = Progress(articles=3, too_large=("big",), last=Cursor(INGESTED_AT, "c"))

    assert progress.summary(selection, topic="newswire.articles.raw.v1", dry_run=False) == {
        "articles": 3,
        "too_large": ["big"],
        "dry_run": False,
        "topic": "newswire.articles.raw.v1",
        "since": "2026-11-20T12:00:00+00:00",
        "until": "2026-12-01T09:30:00+00:00",
        "sources": ["afp"],
        "last": {"ingested_at": "2026-11-20T12:00:00+00:00", "article_id": "c"},
    }


# --- the command line -----------------------------------------------------------------------------


def test_until_defaults_to_now_and_times_without_an_offset_are_utc() -> None:
    request = parse(["--since", "2026-11-20"], now=NOW)

    assert request.selection == Selection(dt.datetime(2026, 11, 20, tzinfo=dt.UTC), NOW, ())
    assert (request.batch, request.dry_run) == (None, False)


def test_times_with_an_offset_are_taken_to_utc() -> None:
    request = parse(["--since", "2026-11-20T13:00:00+01:00", "--until", "2026-11-21T00:00:00Z"], now=NOW)

    assert request.selection.since == INGESTED_AT
    assert request.selection.until == dt.datetime(2026, 11, 21, tzinfo=dt.UTC)


def test_sources_may_be_listed_after_one_flag_or_each_after_its_own() -> None:
    request = parse(["--since", "2026-11-20", "--source", "afp", "reuters", "--source", "ap"], now=NOW)

    assert request.selection.sources == ("afp", "reuters", "ap")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--since", "yesterday"],
        ["--since", "2026-11-20", "--until", "2026-11-20"],
        ["--since", "2026-12-02"],
        ["--since", "2026-11-20", "--batch", "0"],
    ],
    ids=["no-since", "not-iso-8601", "empty-window", "since-after-now", "batch-0"],
)
def test_a_request_that_selects_nothing_sensible_is_a_usage_error(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        parse(argv, now=NOW)

    assert exited.value.code == 2


def test_batch_and_dry_run_are_read() -> None:
    request = parse(["--since", "2026-11-20", "--batch", "50", "--dry-run"], now=NOW)

    assert (request.batch, request.dry_run) == (50, True)


# --- settings -------------------------------------------------------------------------------------


def test_settings_reuse_the_store_database_and_ingest_raw_topic_and_need_no_api_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/news")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k1:9092")
    monkeypatch.setenv("NEWSWIRE_INGEST_TOPIC_PREFIX", "staging.")
    monkeypatch.setenv("NEWSWIRE_INGEST_ENV", "prod")
    monkeypatch.delenv("NEWSWIRE_INGEST_API_KEYS", raising=False)
    monkeypatch.setenv("NEWSWIRE_REPLAY_BATCH_SIZE", "50")

    settings = ReplaySettings()

    assert settings.batch_size == 50
    assert settings.store.database_url == "postgresql+psycopg://u:p@db:5432/news"
    assert settings.publish.kafka_bootstrap_servers == "k1:9092"
    assert settings.publish.topics.raw == "staging.newswire.articles.raw.v1"
