"""Comparison keys of names (pure string functions, no data).

* `fold`: accents removed, case folded, quotes, dashes and whitespace normalised;
* `slugify`: the ASCII slug ids are made of;
* `person_key`: a transliteration-tolerant key of a person's name, so that the French, English and
  other romanisations of the same Cyrillic, Arabic... name agree: "Volodymyr Zelensky", "Volodymyr
  Zelenski" and "Volodymyr Zelenskyy" -> "volodimir zelenski"; "Sergueï Lavrov" and "Sergei Lavrov" ->
  "sergei lavrov"; "Oleksii Serhiiiev" and "Oleksii Serhiiev" agree too. The rules (applied to the
  folded name): French "ou" is English "u", "y" is "i", "gue"/"gui" are "ge"/"gi", French "tch" is
  "ch" and French "ch" is "sh", "dj" is "j", and a run of one vowel counts once. They can only merge
  spellings, never split one, and apply to every name alike, so a key is the same in every article
  and process.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

_TRANSLATE: Final = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'", "\u2013": "-", "\u2014": "-", "\u2011": "-"}
)
_NON_SLUG: Final = re.compile(r"[^a-z0-9]+")
_VOWEL_RUN: Final = re.compile(r"([aeiou])\1+")
_TRANSLITERATION: Final = (
    ("tch", "\x01"),
    ("ch", "sh"),
    ("\x01", "ch"),
    ("dj", "j"),
    ("ou", "u"),
    ("y", "i"),
    ("gue", "ge"),
    ("gui", "gi"),
)


def fold(text: str) -> str:
    """Comparison key of a name: accents removed, case folded, quotes/dashes/whitespace normalised."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_TRANSLATE))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def slugify(name: str) -> str:
    """ASCII, lower case, words joined by "-": "Volodymyr Zelensky" -> "volodymyr-zelensky"."""
    ascii_text = fold(name).encode("ascii", "ignore").decode("ascii")
    return _NON_SLUG.sub("-", ascii_text).strip("-")


def person_word_key(word: str) -> str:
    """The transliteration key of one word of a person's name (see the module docstring)."""
    key = slugify(word).replace("-", " ")
    for old, new in _TRANSLITERATION:
        key = key.replace(old, new)
    return _VOWEL_RUN.sub(r"\1", key)


def person_key(name: str) -> str:
    """The transliteration key of a person's full name: words keyed and joined by one space."""
    return " ".join(person_word_key(w) for w in name.split())
