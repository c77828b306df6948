"""Stable ids: `<type>:<slug>`, the same in every article; known names take the alias table's id."""

import re

import pytest

from services.contracts.models import EntityType
from services.extract.nlp.entities.linking import Linker, entity_id, fold, slugify
from services.extract.nlp.lexicon import alias_rows


def test_fold_ignores_case_accents_quotes_and_dashes() -> None:
    assert fold("L’Union  Européenne") == fold("l'union europeenne")
    assert fold("Royaume\u2013Uni") == fold("royaume-uni")


def test_slug_is_ascii_lower_case_joined_by_dashes() -> None:
    assert slugify("Volodymyr Zelensky") == "volodymyr-zelensky"
    assert slugify("Organisation mondiale de la Santé (OMS)") == "organisation-mondiale-de-la-sante-oms"
    assert slugify("Île-de-France") == "ile-de-france"


def test_unknown_name_id_is_type_and_slug(linker: Linker) -> None:
    assert entity_id(EntityType.PER, "Angela Merkel") == "per:angela-merkel"
    assert linker.link("Angela Merkel", EntityType.PER).id == "per:angela-merkel"


@pytest.mark.parametrize("alias", ["États-Unis", "Etats-Unis", "USA", "United States", "etats-unis"])
def test_french_and_english_forms_of_a_country_share_one_id(alias: str, linker: Linker) -> None:
    canonical = linker.link(alias, EntityType.LOC)
    assert (canonical.id, canonical.name) == ("loc:united-states", "États-Unis")


def test_alias_table_decides_the_type(linker: Linker) -> None:
    assert linker.link("OTAN", EntityType.LOC).type == EntityType.ORG
    assert (
        linker.link("NATO", EntityType.MISC).id
        == linker.link("Organisation du traité de l'Atlantique nord", EntityType.ORG).id
    )


def test_every_alias_row_states_a_source_and_a_well_formed_id() -> None:
    for row in alias_rows():
        kind, _, slug = row.id.partition(":")
        assert kind == row.type.value.lower()
        assert slug == slugify(slug), row


def test_find_in_matches_exact_aliases_only(linker: Linker) -> None:
    found = linker.aliases.find_in(
        "Allies beyond NATO met the US envoy; the nato word and us do not count.", 100
    )
    assert [(start, end, c.id) for start, end, c in found] == [
        (114, 118, "org:nato"),
        (127, 129, "loc:united-states"),
    ]


def test_find_in_matches_what_one_plain_alternation_of_the_aliases_matches(linker: Linker) -> None:
    # find_in groups the aliases by first letter for speed: same matches, longest alias first.
    aliases = sorted(dict.fromkeys(row.alias for row in alias_rows()), key=len, reverse=True)
    plain = re.compile(r"(?<![\w.-])(" + "|".join(re.escape(a) for a in aliases) + r")(?![\w-])")
    text = " ".join(f"{a}, l'{a}-{a} ({a}.{a}) {a}s" for a in aliases)
    expected = [(m.start(), m.end()) for m in plain.finditer(text)]
    assert len(expected) > 2 * len(aliases)
    assert [(start, end) for start, end, _ in linker.aliases.find_in(text)] == expected
