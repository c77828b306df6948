"""Which extractor version of an article wins."""

import pytest

from services.store.errors import InvalidVersionError
from services.store.versions import newest_per_article, replaces, version_key

from .factories import article


@pytest.mark.parametrize(
    ("version", "key"),
    [
        ("1.2.0", (1, 2, 0)),
        ("1.2.0+fr_core_news_md-3.8.0", (1, 2, 0)),
        ("v2", (2, 0, 0)),
        ("1.2", (1, 2, 0)),
        ("1.2.0.0", (1, 2, 0)),
        ("1.2.0.1", (1, 2, 0, 1)),
        ("1.2.0rc1", (1, 2, 0)),
        ("2026.11", (2026, 11, 0)),
    ],
)
def test_the_key_is_the_leading_dotted_number(version: str, key: tuple[int, ...]) -> None:
    assert version_key(version) == key


def test_keys_order_versions_numerically_not_as_text() -> None:
    in_order = ["0.9", "1.2", "1.2.0.1", "1.9.9", "1.10.0", "2.0.0+other-model", "10"]
    assert sorted(in_order, key=version_key) == in_order
    assert sorted(reversed(in_order), key=version_key) == in_order


def test_the_local_part_does_not_order_versions() -> None:
    assert version_key("1.2.0+fr_core_news_md-3.8.0") == version_key("1.2.0+fr_core_news_lg-3.9.0")


@pytest.mark.parametrize("version", ["dev", "", "+1.2", "unknown-1.2", "1.99999999999"])
def test_a_version_without_a_usable_leading_number_is_refused(version: str) -> None:
    with pytest.raises(ValueError, match="extractor_version"):
        version_key(version)


def test_a_newer_or_equal_version_replaces_and_an_older_one_does_not() -> None:
    assert replaces((1, 3, 0), (1, 2, 0))
    assert replaces((1, 2, 0), (1, 2, 0))
    assert not replaces((1, 1, 9), (1, 2, 0))
    assert replaces((0, 0, 1), None)


def test_a_batch_keeps_the_newest_copy_of_each_article_in_first_seen_order() -> None:
    batch = [article("a", "1.0"), article("b", "1.0"), article("a", "2.0"), article("a", "1.5")]

    newest = newest_per_article([a.model_dump() for a in batch])

    assert [(a["article_id"], a["extractor_version"]) for a in newest.articles] == [
        ("a", "2.0"),
        ("b", "1.0"),
    ]
    assert newest.superseded == 2


def test_on_equal_versions_the_last_copy_in_the_batch_wins() -> None:
    first = article("a", "1.0.0", title="first")
    last = article("a", "1.0.0+rebuilt", title="last")

    assert newest_per_article([first.model_dump(), last.model_dump()]).articles == (last.model_dump(),)


def test_an_unorderable_version_names_its_article() -> None:
    with pytest.raises(InvalidVersionError) as raised:
        newest_per_article([article("good", "1.0").model_dump(), article("bad", "nightly").model_dump()])
    assert raised.value.article_id == "bad"
