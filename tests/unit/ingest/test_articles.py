"""articles.py: caller fields become a validated, normalised RawArticle, or an error naming the field."""

from datetime import UTC, datetime, timedelta

import pytest

from services.contracts.models import RawArticle
from services.ingest.articles import raw_article_from_fields, raw_article_from_text, raw_articles_from_records
from services.ingest.errors import ArticleValidationError

NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
TEXT = (
    "Les alliés promettent une aide à l'Ukraine\n\n"
    "BRUXELLES - Les ministres des Affaires étrangères de l'OTAN se sont réunis jeudi à Bruxelles "
    "pour discuter de l'aide militaire à l'Ukraine.\nToday"
)


def build(**fields: object) -> RawArticle:
    return raw_article_from_fields(fields, default_source="unknown", ingested_at=NOW)


def rejected(**fields: object) -> ArticleValidationError:
    with pytest.raises(ArticleValidationError) as caught:
        build(**fields)
    return caught.value


class TestAccepted:
    def test_text_only_gets_normalised_title_dateline_language_and_defaults(self) -> None:
        article = raw_article_from_fields({"text": TEXT}, default_source="wire", ingested_at=NOW)
        assert article.text == (
            "Les alliés promettent une aide à l'Ukraine\n\n"
            "Les ministres des Affaires étrangères de l'OTAN se sont réunis jeudi à Bruxelles "
            "pour discuter de l'aide militaire à l'Ukraine."
        )
        assert article.title == "Les alliés promettent une aide à l'Ukraine"
        assert article.dateline == "Bruxelles"
        assert article.lang == "fr"
        assert article.source == "wire"
        assert article.ingested_at == NOW
        assert article.external_id is None
        assert len(article.article_id) == 32

    def test_caller_fields_win_over_what_the_text_says(self) -> None:
        article = raw_article_from_fields(
            {
                "text": "date 2024-08 - " + TEXT,
                "title": "  Titre donné  ",
                "external_id": "dep-42",
                "source": "afp",
                "url": "https://example.org/a/42",
                "published_at": "2024-09-10T08:30:00+02:00",
                "lang": "EN",
            },
            default_source="unknown",
            ingested_at=NOW,
        )
        assert article.title == "Titre donné"
        assert article.external_id == "dep-42"
        assert article.source == "afp"
        assert article.url == "https://example.org/a/42"
        assert article.published_at == datetime(2024, 9, 10, 6, 30, tzinfo=UTC)
        assert article.lang == "en"
        assert not article.text.startswith("date")

    def test_the_date_header_gives_published_at_when_the_caller_gave_none(self) -> None:
        article = raw_article_from_fields(
            {"text": "date 2024-08 - " + TEXT}, default_source="x", ingested_at=NOW
        )
        assert article.published_at == datetime(2024, 8, 1, tzinfo=UTC)

    def test_a_naive_published_at_is_utc_and_a_date_is_midnight(self) -> None:
        assert build(text=TEXT, published_at="2024-03-04T05:06:07").published_at == datetime(
            2024, 3, 4, 5, 6, 7, tzinfo=UTC
        )
        assert build(text=TEXT, published_at="2024-03-04").published_at == datetime(2024, 3, 4, tzinfo=UTC)

    def test_id_is_an_alias_of_external_id_and_integers_are_accepted(self) -> None:
        assert build(text=TEXT, id=17).external_id == "17"
        assert build(text=TEXT, id="a", external_id="a").external_id == "a"

    def test_null_counts_as_absent(self) -> None:
        article = build(text=TEXT, title=None, url=None, lang=None, source=None)
        assert article.source == "unknown"

    def test_the_same_article_twice_gets_the_same_id(self) -> None:
        assert build(text=TEXT).article_id == build(text=TEXT + "\n\n").article_id
        assert build(text="A.", external_id="1").article_id == build(text="B.", external_id="1").article_id

    def test_from_text_uses_the_file_name_as_external_id(self) -> None:
        article = raw_article_from_text(TEXT, external_id="000_x.txt", source="files", ingested_at=NOW)
        assert article.external_id == "000_x.txt"
        assert article.source == "files"
        assert article.title == "Les alliés promettent une aide à l'Ukraine"


class TestNormalised:
    def test_a_publication_time_is_kept_in_utc(self) -> None:
        article = build(text=TEXT, published_at="2024-08-01T10:00:00+15:30")
        assert article.published_at == datetime(2024, 7, 31, 18, 30, tzinfo=UTC)
        assert article.published_at is not None
        assert article.published_at.utcoffset() == timedelta(0)

    def test_an_offset_postgres_would_refuse_is_normalised_away(self) -> None:
        # PostgreSQL takes offsets up to 15:59; Python up to 23:59. In UTC the question does not arise.
        article = build(text=TEXT, published_at="2024-08-01T23:00:00+23:00")
        assert article.published_at == datetime(2024, 8, 1, 0, 0, tzinfo=UTC)

    @pytest.mark.parametrize(
        ("tag", "code"), [("fr-FR", "fr"), ("FRA", "fr"), ("ast", "ast"), ("pt_BR", "pt")]
    )
    def test_a_registered_language_tag_is_kept_as_its_language_code(self, tag: str, code: str) -> None:
        assert build(text=TEXT, lang=tag).lang == code


class TestRejected:
    @pytest.mark.parametrize("text", [None, "", "   \n ", 12, ["a"]])
    def test_text_must_be_a_non_empty_string(self, text: object) -> None:
        error = rejected(text=text)
        assert (error.field, error.reason) == ("text", "must be a non-empty string")

    def test_a_missing_text(self) -> None:
        assert rejected(title="Un titre").field == "text"

    def test_an_unknown_field_is_named(self) -> None:
        error = rejected(text=TEXT, txet="oops")
        assert error.field == "txet"
        assert "unknown field" in error.reason

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("title", 3),
            ("source", ["afp"]),
            ("external_id", True),
            ("external_id", " "),
            ("url", "ftp://example.org/x"),
            ("url", "example.org/x"),
            ("url", 5),
            ("published_at", "hier"),
            ("published_at", 1700000000),
            ("lang", "français"),
            ("lang", 1),
            # Refused by later hops or readers before these checks (found by a user).
            ("url", "http://[::1"),
            ("url", "http://\uff03@x.org"),
            ("url", "http://example.org:99999999/"),
            ("url", "http:///path-only"),
            ("published_at", "9999-12-31T23:00:00-05:00"),
            ("published_at", "0001-01-01T00:30:00+01:00"),
            ("lang", "xx"),
            ("lang", "zz-ZZ"),
            ("lang", "und"),
            ("title", "un\x00titre"),
            ("source", "afp\x00"),
            ("external_id", "id\x00"),
            ("url", "http://example.org/\x00"),
            # A lone surrogate (JSON "\ud800") cannot be encoded (the id hash raised on it: hypothesis).
            ("title", "un titre \ud800"),
            ("source", "\udfff"),
            ("external_id", "id-\ud83d"),
        ],
    )
    def test_a_bad_value_names_its_field(self, field: str, value: object) -> None:
        error = rejected(text=TEXT, **{field: value})
        assert error.field == field
        assert error.reason

    @pytest.mark.parametrize(
        "text",
        ["Un texte\x00 avec un NUL.", "Un texte \ud800 coupé.", "\u200b\u200b", "\u200b\ufeff\n\u2060"],
    )
    def test_a_text_postgres_cannot_store_or_with_nothing_visible(self, text: str) -> None:
        assert rejected(text=text).field == "text"

    def test_conflicting_ids(self) -> None:
        assert rejected(text=TEXT, id="a", external_id="b").field == "id"

    def test_in_a_batch_the_error_is_located(self) -> None:
        with pytest.raises(ArticleValidationError) as caught:
            raw_articles_from_records(
                [{"text": TEXT}, {"text": TEXT}, {"text": TEXT}, {"text": ""}],
                batch=True,
                default_source="x",
                ingested_at=NOW,
            )
        assert caught.value.field == "articles[3].text"
        assert str(caught.value) == "articles[3].text: must be a non-empty string"
