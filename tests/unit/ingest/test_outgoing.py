"""An article leaves ingest serialised once: the bytes checked against the size limit are the bytes sent."""

from __future__ import annotations

import pytest

from services.contracts.models import RawArticle
from services.ingest.errors import PayloadTooLarge
from services.ingest.outgoing import MESSAGE_OVERHEAD_BYTES, check_sizes, encode
from tests.unit.ingest.conftest import INGESTED_AT


def article(text: str) -> RawArticle:
    return RawArticle(
        article_id="a" * 32, source="wire", text=text, lang="fr", title="Titre é", ingested_at=INGESTED_AT
    )


def test_the_value_is_the_contract_json_of_the_article() -> None:
    item = article("Le ministre s’est rendu à Paris.")
    (outgoing,) = encode([item])
    assert outgoing.article is item
    assert outgoing.value == item.model_dump_json().encode()
    assert RawArticle.model_validate_json(outgoing.value) == item


def test_an_article_whose_message_fits_passes() -> None:
    outgoing = encode([article("court")])
    check_sizes(outgoing, len(outgoing[0].value) + MESSAGE_OVERHEAD_BYTES)


def test_the_first_article_over_the_limit_is_named_with_its_size() -> None:
    outgoing = encode([article("court"), article("long " * 500), article("long " * 600)])
    limit = len(outgoing[1].value) - 1
    with pytest.raises(PayloadTooLarge) as caught:
        check_sizes(outgoing, limit + MESSAGE_OVERHEAD_BYTES)
    assert caught.value.reason == (
        f"article 1 is {len(outgoing[1].value)} bytes once serialised; the limit is {limit}"
    )
