"""parsing.py: each body shape, and each way a body is refused with its HTTP status."""

import pytest

from services.ingest.errors import (
    ArticleValidationError,
    IngestError,
    MalformedBody,
    PayloadTooLarge,
    PollError,
    UnsupportedMediaType,
)
from services.ingest.parsing import (
    ParsedBody,
    check_content_length,
    media_type_of,
    parse_body,
    plain_text_fields,
)


def parse(body: bytes, media_type: str = "application/json", max_articles: int = 10) -> ParsedBody:
    return parse_body(body, media_type, max_articles=max_articles)


class TestMediaType:
    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            ("application/json", "application/json"),
            ("Application/JSON; charset=UTF-8", "application/json"),
            ("application/x-ndjson", "application/x-ndjson"),
            ("application/jsonl", "application/jsonl"),
            ('text/plain; charset="utf-8"', "text/plain"),
        ],
    )
    def test_accepted(self, header: str, expected: str) -> None:
        assert media_type_of(header) == expected

    @pytest.mark.parametrize(
        "header", [None, "", "text/html", "application/xml", "text/plain; charset=latin-1"]
    )
    def test_refused_with_415(self, header: str | None) -> None:
        with pytest.raises(UnsupportedMediaType) as caught:
            media_type_of(header)
        assert caught.value.http_status == 415


class TestJson:
    def test_one_object_is_a_single_article_with_bare_field_names(self) -> None:
        assert parse(b'{"text": "Un."}') == ParsedBody([{"text": "Un."}], batch=False)

    def test_an_array_is_a_batch(self) -> None:
        assert parse(b'[{"text": "Un."}, {"text": "Deux."}]') == ParsedBody(
            [{"text": "Un."}, {"text": "Deux."}], batch=True
        )

    def test_an_articles_wrapper_is_a_batch(self) -> None:
        assert parse(b'{"articles": [{"text": "Un."}]}') == ParsedBody([{"text": "Un."}], batch=True)

    def test_an_array_item_that_is_not_an_object_is_named(self) -> None:
        with pytest.raises(ArticleValidationError) as caught:
            parse(b'[{"text": "Un."}, "Deux."]')
        assert (caught.value.field, caught.value.http_status) == ("articles[1]", 422)

    @pytest.mark.parametrize(("body", "field"), [(b'"texte"', "body"), (b"[]", "articles")])
    def test_well_formed_json_of_the_wrong_shape_is_422(self, body: bytes, field: str) -> None:
        with pytest.raises(ArticleValidationError) as caught:
            parse(body)
        assert caught.value.field == field

    @pytest.mark.parametrize("body", [b"{", b"{'text': 1}", b'{"text": "caf\xe9"}', b"[" * 5000])
    def test_malformed_json_or_utf8_is_400(self, body: bytes) -> None:
        with pytest.raises(MalformedBody) as caught:
            parse(body)
        assert caught.value.http_status == 400


class TestNdjson:
    def test_one_object_per_line_blank_lines_skipped(self) -> None:
        body = b'{"text": "Un."}\n\n{"text": "Deux."}\n'
        assert parse(body, "application/x-ndjson") == ParsedBody(
            [{"text": "Un."}, {"text": "Deux."}], batch=True
        )

    def test_a_bad_line_is_400_naming_the_line(self) -> None:
        with pytest.raises(MalformedBody, match="line 2"):
            parse(b'{"text": "Un."}\n{"text"\n', "application/x-ndjson")

    def test_a_line_that_is_not_an_object_is_422(self) -> None:
        with pytest.raises(ArticleValidationError) as caught:
            parse(b'{"text": "Un."}\n[1]\n', "application/x-ndjson")
        assert caught.value.field == "articles[1]"

    def test_only_blank_lines_is_400(self) -> None:
        with pytest.raises(MalformedBody):
            parse(b"\n \n", "application/x-ndjson")


class TestPlainText:
    def test_the_body_is_the_text_and_metadata_comes_from_outside(self) -> None:
        parsed = parse_body(
            b"Titre\n\nTexte.", "text/plain", max_articles=1, text_fields={"external_id": "a.txt"}
        )
        assert parsed == ParsedBody([{"external_id": "a.txt", "text": "Titre\n\nTexte."}], batch=False)

    def test_invalid_utf8_is_400(self) -> None:
        with pytest.raises(MalformedBody):
            parse(b"caf\xe9", "text/plain")

    def test_headers_win_over_query_and_utf8_header_bytes_are_decoded(self) -> None:
        headers = {"x-external-id": "from-header", "x-title": "Désaccord".encode().decode("latin-1")}
        query = {"external_id": "from-query", "source": "afp", "unrelated": "x"}
        assert plain_text_fields(headers, query) == {
            "external_id": "from-header",
            "source": "afp",
            "title": "Désaccord",
        }


class TestLimits:
    def test_an_empty_body_is_400(self) -> None:
        for media_type in ("application/json", "application/x-ndjson", "text/plain"):
            with pytest.raises(MalformedBody):
                parse(b"", media_type)

    def test_too_many_articles_is_413(self) -> None:
        cases = [
            (b'[{"text":"a"},{"text":"b"},{"text":"c"}]', "application/json"),
            (b'{"text":"a"}\n{"text":"b"}\n{"text":"c"}', "application/x-ndjson"),
        ]
        for body, media_type in cases:
            with pytest.raises(PayloadTooLarge) as caught:
                parse(body, media_type, max_articles=2)
            assert caught.value.http_status == 413

    def test_declared_length_over_the_limit_is_413_before_reading(self) -> None:
        with pytest.raises(PayloadTooLarge):
            check_content_length("1001", 1000)
        check_content_length("1000", 1000)
        check_content_length(None, 1000)

    @pytest.mark.parametrize("value", ["abc", "-1"])
    def test_an_unreadable_content_length_is_400(self, value: str) -> None:
        with pytest.raises(MalformedBody):
            check_content_length(value, 1000)


def test_every_error_of_the_api_has_its_status_in_one_place() -> None:
    statuses = {
        cls.__name__: cls.http_status
        for cls in IngestError.__subclasses__()
        if not issubclass(cls, PollError)
    }
    assert statuses == {
        "MalformedBody": 400,
        "Unauthorized": 401,
        "PayloadTooLarge": 413,
        "UnsupportedMediaType": 415,
        "ArticleValidationError": 422,
        "ClientClosedRequest": 499,
        "BrokerUnavailable": 503,
    }
