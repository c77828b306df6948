"""language.py: lingua on the expected languages; caller tags reduced to ISO 639-1."""

import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from services.ingest import language
from services.ingest.language import detect_language, detect_languages, normalise_language_tag

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Les ministres des Affaires étrangères se sont réunis jeudi à Bruxelles.", "fr"),
        ("The foreign ministers met in Brussels on Thursday to discuss military aid.", "en"),
        ("Die Außenminister trafen sich am Donnerstag in Brüssel, um über Militärhilfe zu beraten.", "de"),
        ("Los ministros de Asuntos Exteriores se reunieron el jueves en Bruselas.", "es"),
        ("Министры иностранных дел встретились в четверг в Брюсселе.", "ru"),
    ],
)
def test_detects_the_language(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_blank_text_has_no_language() -> None:
    assert detect_language("   ") is None


def test_only_texts_their_grammar_words_do_not_settle_go_to_lingua(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    real = language._detect_samples

    def recording(samples: list[str]) -> list[str | None]:
        asked.extend(samples)
        return real(samples)

    monkeypatch.setattr(language, "_detect_samples", recording)
    french = (
        "Les ministres des Affaires étrangères se sont réunis jeudi à Bruxelles dans une ambiance tendue."
    )
    russian = "Министры иностранных дел встретились в четверг в Брюсселе."

    assert detect_languages([french, russian]) == ["fr", "ru"]
    assert asked == [russian]


def test_bulk_detection_answers_like_one_by_one_in_order() -> None:
    texts = [
        "Les ministres des Affaires étrangères se sont réunis jeudi à Bruxelles.",
        "   ",
        "The foreign ministers met in Brussels on Thursday to discuss military aid.",
        "Los ministros de Asuntos Exteriores se reunieron el jueves en Bruselas.",
    ]

    assert detect_languages(texts) == [detect_language(t) for t in texts] == ["fr", None, "en", "es"]


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("fr", "fr"),
        ("FR", "fr"),
        ("fr-FR", "fr"),
        ("pt_BR", "pt"),
        ("fra", "fr"),
        ("ast", "ast"),
        ("français", None),
        ("f", None),
        ("xx", None),
        ("zz-ZZ", None),
        ("und", None),
    ],
)
def test_caller_tags(tag: str, code: str | None) -> None:
    assert normalise_language_tag(tag) == code


# Not settled by grammar words, so it goes to lingua in the helper process.
UNSETTLED = "Zorg xyz qqq. Blah zorg."
OWNER_SCRIPT = f"""
import sys, time
from services.ingest.language import detect_languages
detect_languages([{UNSETTLED!r}], offload=True)
print("helper started", flush=True)
if sys.argv[1] == "stop":
    from services.ingest.language import stop_helper
    stop_helper()
    print("helper stopped", flush=True)
time.sleep(600)
"""


def start_owner(mode: str) -> tuple[subprocess.Popen[str], list[psutil.Process]]:
    """A process that offloads one detection (starting lingua's helper) and then sleeps; with its
    descendants (the forkserver, the helper, the resource tracker) as they were once it printed."""
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER_SCRIPT, mode], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert owner.stdout is not None
    assert owner.stdout.readline() == "helper started\n"
    return owner, psutil.Process(owner.pid).children(recursive=True)


def wait_gone(processes: list[psutil.Process], timeout_s: float = 15.0) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(processes, timeout=timeout_s)
    return alive


def test_stop_helper_ends_the_helper_process() -> None:
    owner, descendants = start_owner("stop")
    try:
        helper = [p for p in descendants if p.ppid() != owner.pid]  # forked by the forkserver
        assert len(helper) == 1
        assert owner.stdout is not None
        assert owner.stdout.readline() == "helper stopped\n"
        assert wait_gone(helper) == []
    finally:
        owner.kill()
        owner.wait()


def test_the_helper_and_its_forkserver_exit_when_their_owner_is_killed() -> None:
    owner, descendants = start_owner("keep")
    assert len(descendants) >= 2
    owner.kill()
    owner.wait()
    assert wait_gone(descendants) == []
