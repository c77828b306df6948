"""Name keys: transliteration variants of one person share a key; nothing else is merged."""

import pytest

from services.extract.nlp.names import fold, person_key, slugify


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Volodymyr Zelensky", "Volodymyr Zelenski"),
        ("Volodymyr Zelensky", "Volodymyr Zelenskyy"),
        ("Sergueï Choïgou", "Sergei Shoigu"),
        ("Oleksandr Syrsky", "Oleksandr Syrskyi"),
        ("Mykhaïlo Podoliak", "Mykhailo Podolyak"),
        ("Oleksii Serhiiiev", "Oleksii Serhiiev"),
    ],
)
def test_spellings_of_one_romanised_name_share_a_key(first: str, second: str) -> None:
    assert person_key(first) == person_key(second)


@pytest.mark.parametrize(("first", "second"), [("Jean Dupont", "Jeanne Dupont"), ("Ali Bongo", "Ali Benali")])
def test_different_names_keep_different_keys(first: str, second: str) -> None:
    assert person_key(first) != person_key(second)


def test_fold_and_slug_ignore_case_accents_and_dashes() -> None:
    assert fold("Côte d’Ivoire") == fold("cote d'ivoire")
    assert slugify("Île-de-France") == "ile-de-france"
