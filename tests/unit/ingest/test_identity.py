"""identity.py: the same article always gets the same id; different articles get different ids."""

import hashlib
import re

from services.ingest.identity import article_id


def test_the_id_is_32_lower_case_hex_characters() -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", article_id(source="afp", external_id=None, text="Un texte."))


def test_the_same_inputs_give_the_same_id() -> None:
    first = article_id(source="afp", external_id="dep-1", text="Un texte.")
    assert first == article_id(source="afp", external_id="dep-1", text="Un texte.")


def test_the_id_follows_the_documented_key() -> None:
    key = b"newswire.article/1\x1fext\x1fafp\x1fdep-1"
    assert article_id(source="afp", external_id="dep-1", text="x") == hashlib.sha256(key).hexdigest()[:32]


def test_the_id_is_stable_across_releases() -> None:
    # Pinned: changing the key silently would duplicate every article already stored.
    assert article_id(source="afp", external_id="dep-1", text="x") == "3d53a704a18ea9bb8958587c403b5774"
    assert article_id(source="afp", external_id=None, text="Un texte.") == "9aa9b3c147ec88d34cc058d53e2147d9"


def test_with_an_external_id_the_text_does_not_matter() -> None:
    assert article_id(source="afp", external_id="dep-1", text="Version 1.") == article_id(
        source="afp", external_id="dep-1", text="Version 2, corrigée."
    )


def test_the_source_is_part_of_the_key() -> None:
    assert article_id(source="afp", external_id="1", text="t") != article_id(
        source="reuters", external_id="1", text="t"
    )


def test_without_an_external_id_the_text_is_the_key() -> None:
    assert article_id(source="afp", external_id=None, text="Un.") != article_id(
        source="afp", external_id=None, text="Deux."
    )


def test_an_external_id_equal_to_the_text_does_not_collide_with_the_text_key() -> None:
    assert article_id(source="afp", external_id="Un.", text="x") != article_id(
        source="afp", external_id=None, text="Un."
    )


def test_the_separator_keeps_source_and_id_apart() -> None:
    assert article_id(source="ab", external_id="c", text="") != article_id(
        source="a", external_id="bc", text=""
    )
