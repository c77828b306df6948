"""Language detection with lingua, restricted to the languages newswire expects.

The detector is built once per process, lazily, on first use (building it and loading its models costs
time and memory that the CLI tools which never detect should not pay). Detection reads at most the
first `SAMPLE_CHARS` characters: the dominant language of a news article is settled well before that
(lingua's cost grows linearly with the sample; 300 characters, about 45 words, cost 0.3 ms where
2000 cost 1.7 ms, and ingest detects the language of every article that does not state it).

Most articles plainly are in one language: their grammar words settle it without lingua
(`services.common.grammar_words.plain_language`, conservative; at 2000 articles/s lingua alone filled a
core). Only the others are detected by lingua.

lingua holds the GIL while it detects, so in the server, where other requests share the process,
`detect_languages(..., offload=True)` runs it in one helper process instead (started on first use,
shared by the whole process, stopped at exit): the server's threads keep parsing and publishing while
lingua works on another core. The server stops it at shutdown (`stop_helper`); should the server die
without shutting down (SIGKILL, OOM), the helper notices its owner is gone and exits too.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Final

import langcodes

from services.common.grammar_words import plain_language
from services.common.owner import follow_owner

SAMPLE_CHARS: Final = 300
SUPPORTED: Final = ("fr", "en", "de", "es", "it", "pt", "nl", "ru", "uk", "ar")

_build_lock = threading.Lock()
_helper_lock = threading.Lock()
_helper: ProcessPoolExecutor | None = None


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
    return plain_language(sample) or _code(_get_detector().detect_language_of(sample))


def detect_languages(texts: Sequence[str], *, offload: bool = False) -> list[str | None]:
    """`detect_language` of each text, in order, with one lingua call for all the texts their grammar words
    do not settle (lingua spreads it over the cores). With `offload`, in the helper process (see the
    module docstring); if that process died, a new one is started for the next call and this one
    detects in the calling thread. Blocks; thread-safe."""
    samples = [text[:SAMPLE_CHARS] for text in texts]
    codes: list[str | None] = [plain_language(sample) for sample in samples]
    todo = [index for index, sample in enumerate(samples) if codes[index] is None and sample.strip()]
    if todo:
        wanted = [samples[i] for i in todo]
        found = _offloaded(wanted) if offload else _detect_samples(wanted)
        for index, code in zip(todo, found, strict=True):
            codes[index] = code
    return codes


def _detect_samples(samples: list[str]) -> list[str | None]:
    return [_code(language) for language in _get_detector().detect_languages_in_parallel_of(samples)]


def _offloaded(samples: list[str]) -> list[str | None]:
    global _helper
    with _helper_lock:
        if _helper is None:
            # forkserver: the server is multi-threaded, and fork from such a process can deadlock.
            _helper = ProcessPoolExecutor(
                1,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=follow_owner,
                initargs=(os.getpid(),),
            )
        helper = _helper
    try:
        return helper.submit(_detect_samples, samples).result()
    except BrokenProcessPool:  # killed (OOM?): replace it, and answer this request here
        with _helper_lock:
            if _helper is helper:
                _helper = None
        helper.shutdown(wait=False)
        return _detect_samples(samples)


def stop_helper() -> None:
    """Stop lingua's helper process, if one was started. The next offloaded call starts another."""
    global _helper
    with _helper_lock:
        helper, _helper = _helper, None
    if helper is not None:
        helper.shutdown(wait=True, cancel_futures=True)


def _code(language: Any) -> str | None:
    return None if language is None else str(language.iso_code_639_1.name).lower()


def normalise_language_tag(tag: str) -> str | None:
    """The language code of a caller-given BCP 47 tag (`fr`, `FR`, `fr-FR`, `fr_CA`, `fra`, `ast`):
    its ISO 639-1 code where the language has one, else its ISO 639-3 code; None when the tag is not
    valid against the IANA subtag registry (`xx`, `zz-ZZ`, `français`) or names no language (`und`)."""
    cleaned = tag.strip().replace("_", "-")
    try:
        if not langcodes.tag_is_valid(cleaned):
            return None
        language = langcodes.Language.get(cleaned).language
    except (LookupError, ValueError):  # langcodes.LanguageTagError is a ValueError
        return None
    return None if language in (None, "und") else str(language)
