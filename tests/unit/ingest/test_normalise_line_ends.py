"""normalise.py strips trailing whitespace per line exactly as the regex `[^\\S\\n]+$` (multiline) would."""

import re

import pytest

from services.ingest.normalise import normalise_text

_REFERENCE = re.compile(r"[^\S\n]+$", re.MULTILINE)


@pytest.mark.parametrize(
    "raw",
    [
        "Titre  \nPremier paragraphe.\t \nSecond\u00a0\u2009\n",
        "Un texte sans espace final.\nEt une ligne.",
        "Ligne\x0b\x0c \nfin\u3000",
        "a \n\n\n\nb  ",
    ],
)
def test_trailing_whitespace_goes_as_the_reference_regex_removes_it(raw: str) -> None:
    via_regex = normalise_text(_REFERENCE.sub("", raw))

    assert normalise_text(raw) == via_regex
    assert all(line == line.rstrip() for line in normalise_text(raw).text.split("\n"))
