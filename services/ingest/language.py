"""Language detection with lingua, restricted to the languages newswire expects.

The detector is built once per process, lazily, on first use (building it and loading its models costs
time and memory that the CLI tools which never detect should not pay). Detection reads at most the
first `SAMPLE_CHARS` characters: the dominant language of a news article is settled well before that.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any, Final

SAMPLE_CHARS: Final = 2000
SUPPORTED: Final = ("fr", "en", "de", "es", "it", "pt", "nl", "ru", "uk", "ar")
_LANG_TAG: Final = re.compile(r"(?P<primary>[A-Za-z]{2})(?:[-_][A-Za-z0-9]{1,8})*")

_build_lock = threading.Lock()


@functools.cache
def _build_detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = [
        Language.FRENCH, Language.ENGLISH, Language.GERMAN, Language.SPANISH, Language.ITALIAN,
        Language.PORTUGUESE, Language.DUTCH, Language.RUSSIAN, Language.UKRAINIAN, Language.ARABIC,
    ]  # fmt: skip
    return LanguageDetectorBuilder.from_languages(*languages).build()


def _get_detector() -> Any:
    # functools.cache alone could build twice under concurrent first calls; the lock makes it once.
    with _build_lock:
        return _build_detector()


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code (lower case) of the dominant language of `text`, or None when lingua cannot
    tell. Thread-safe; the first call builds the detector (blocks for a moment)."""
    sample = text[:SAMPLE_CHARS]
    if not sample.strip():
        return None
    language = _get_detector().detect_language_of(sample)
    if language is None:
        return None
    return str(language.iso_code_639_1.name).lower()


def normalise_language_tag(tag: str) -> str | None:
    """The ISO 639-1 code of a caller-given tag (`fr`, `FR`, `fr-FR`, `fr_CA`), or None when the tag
    does not start with a two-letter code."""
    match = _LANG_TAG.fullmatch(tag.strip())
    return match["primary"].lower() if match else None
