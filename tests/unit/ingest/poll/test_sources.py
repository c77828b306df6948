"""The sources file: what it accepts, and how a mistake is named before any poll."""

from pathlib import Path

import pytest

from services.ingest.poll.sources import SourcesFileError, load_sources, parse_duration, parse_sources


def test_a_source_takes_its_url_name_language_interval_and_options() -> None:
    [source] = parse_sources(
        "sources:\n"
        "  - url: https://www.example.fr/rss/international.xml\n"
        "    source: example-international\n"
        "    lang: fr-FR\n"
        "    interval: 5m\n"
        "    fetch_full_text: true\n"
        "    timeout: 30s\n"
        "    max_bytes: 1000000\n"
    )

    assert source.url == "https://www.example.fr/rss/international.xml"
    assert (source.source, source.lang, source.interval_s) == ("example-international", "fr", 300.0)
    assert (source.fetch_full_text, source.timeout_s, source.max_bytes) == (True, 30.0, 1_000_000)


def test_options_left_out_take_their_defaults() -> None:
    [source] = parse_sources("sources:\n  - {url: 'http://127.0.0.1:8090/feed.xml', source: local}\n")

    assert (source.lang, source.interval_s, source.fetch_full_text, source.timeout_s) == (
        None,
        300.0,
        False,
        None,
    )


@pytest.mark.parametrize(
    ("value", "seconds"), [(90, 90.0), ("90", 90.0), ("90s", 90.0), ("5m", 300.0), ("1.5h", 5400.0)]
)
def test_a_duration_is_seconds_or_a_number_with_a_unit(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["5 minutes", "-5m", "m", True, None])
def test_anything_else_is_no_duration(value: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(value)


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        (
            "{url: 'ftp://example.fr/feed', source: a}",
            "sources[0].url: Value error, must be an absolute http(s) URL",
        ),
        ("{url: 'https://example.fr/feed', source: a, lang: klingon}", "sources[0].lang"),
        ("{url: 'https://example.fr/feed', source: a, interval: 0.5}", "sources[0].interval"),
        ("{url: 'https://example.fr/feed', source: a, intervall: 5m}", "sources[0].intervall: Extra inputs"),
        ("{url: 'https://example.fr/feed'}", "sources[0].source: Field required"),
    ],
)
def test_a_bad_entry_is_refused_naming_it(entry: str, says: str) -> None:
    with pytest.raises(SourcesFileError, match=r"^feeds\.yml: ") as refused:
        parse_sources(f"sources:\n  - {entry}\n", origin="feeds.yml")

    assert says in str(refused.value)


def test_two_sources_of_one_name_are_refused() -> None:
    text = (
        "sources:\n  - {url: 'https://a.fr/rss', source: same}\n  - {url: 'https://b.fr/rss', source: same}\n"
    )

    with pytest.raises(SourcesFileError, match="unique; repeated: same"):
        parse_sources(text)


@pytest.mark.parametrize("text", ["sources: {}", "- url: x", "sources: [", ""])
def test_a_file_without_a_sources_list_is_refused(text: str) -> None:
    with pytest.raises(SourcesFileError):
        parse_sources(text)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourcesFileError, match="cannot read the sources file"):
        load_sources(tmp_path / "absent.yml")


def test_the_local_stack_sources_file_is_valid() -> None:
    sources = load_sources(Path(__file__).parents[4] / "deploy" / "poll" / "sources.example.yml")

    assert sources
