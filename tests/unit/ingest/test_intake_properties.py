"""Properties of the intake functions over generated input: whatever a client sends, ingest either
refuses it naming a field, or accepts an article every later hop accepts too (nothing is "202, then
dead-lettered", and nothing is a 500)."""

import unicodedata
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.contracts.models import RawArticle
from services.ingest.articles import raw_article_from_fields
from services.ingest.errors import ArticleValidationError
from services.ingest.outgoing import encode

NOW = datetime(2026, 12, 7, tzinfo=UTC)
HOSTILE_CHARS = st.sampled_from(
    ["\x00", "\u200b", "\ufeff", "\n", "\r", " ", "é", "#", "＃", "[", ":", "@", "\U0001f600"]
)
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(HOSTILE_CHARS, st.characters()), max_size=60).map("".join),
    st.just("Les ministres se sont réunis jeudi à Bruxelles."),
)
OFFSETS = st.timedeltas(
    min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
)
DATES = st.one_of(
    st.builds(
        lambda when, offset: when.replace(tzinfo=timezone(offset)).isoformat(),
        st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59)),
        OFFSETS,
    ),
    st.datetimes().map(datetime.isoformat),
    TEXTS,
)
URLS = st.one_of(
    st.builds(
        lambda host, port, path: f"http://{host}{port}/{path}",
        st.one_of(st.sampled_from(["example.org", "[::1", "[::1]", "＃@x.org", "", "a@b@c"]), TEXTS),
        st.one_of(st.just(""), st.integers(min_value=-5, max_value=10**9).map(lambda p: f":{p}")),
        TEXTS,
    ),
    TEXTS,
)
LANGS = st.one_of(
    st.sampled_from(["fr", "FR", "fr-FR", "en", "xx", "zz-ZZ", "und", "i-klingon", "ast"]), TEXTS
)
FIELDS = st.fixed_dictionaries(
    {"text": TEXTS},
    optional={
        "title": TEXTS,
        "external_id": st.one_of(TEXTS, st.integers()),
        "source": TEXTS,
        "url": URLS,
        "published_at": DATES,
        "lang": LANGS,
    },
)


def intake(fields: dict[str, object]) -> RawArticle | ArticleValidationError:
    try:
        return raw_article_from_fields(fields, default_source="prop", ingested_at=NOW, detect=False)
    except ArticleValidationError as error:
        return error


def strings_of(article: RawArticle) -> list[str]:
    return [value for value in article.model_dump().values() if isinstance(value, str)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FIELDS)
def test_intake_refuses_with_a_field_or_accepts_what_every_hop_accepts(fields: dict[str, object]) -> None:
    article = intake(fields)
    if isinstance(article, ArticleValidationError):
        assert article.field
        assert article.reason
        return

    [outgoing] = encode([article])
    assert RawArticle.model_validate_json(outgoing.value) == article  # extract decodes it
    assert all("\x00" not in value for value in strings_of(article))  # Postgres stores it
    assert article.published_at is None or article.published_at.utcoffset() == timedelta(0)
    assert any(unicodedata.category(char)[0] in "LMNPS" for char in article.text)
