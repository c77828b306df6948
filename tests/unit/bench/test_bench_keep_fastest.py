"""A figure measured several times keeps its fastest run, with that run's own details, and lists them all."""

from typing import Any

from bench.run import keep_fastest


def test_the_first_run_is_kept_and_listed() -> None:
    result: dict[str, Any] = {}
    keep_fastest(result, "pipeline_articles_per_s", 18.236, cpu_cores_pipeline={"nlp": 1.7})
    assert result == {
        "pipeline_articles_per_s": 18.24,
        "pipeline_runs": [18.24],
        "cpu_cores_pipeline": {"nlp": 1.7},
    }


def test_a_faster_run_replaces_the_figure_and_its_details() -> None:
    result: dict[str, Any] = {}
    keep_fastest(result, "pipeline_articles_per_s", 17.5, cpu_cores_pipeline={"nlp": 1.6})
    keep_fastest(result, "pipeline_articles_per_s", 18.0, cpu_cores_pipeline={"nlp": 1.8})
    assert result["pipeline_articles_per_s"] == 18.0
    assert result["cpu_cores_pipeline"] == {"nlp": 1.8}
    assert result["pipeline_runs"] == [17.5, 18.0]


def test_a_slower_run_is_listed_but_changes_nothing_else() -> None:
    result: dict[str, Any] = {}
    keep_fastest(result, "bare_spacy_articles_per_s", 20.2)
    keep_fastest(result, "bare_spacy_articles_per_s", 18.3)
    assert result == {"bare_spacy_articles_per_s": 20.2, "bare_spacy_runs": [20.2, 18.3]}


def test_runs_are_listed_under_the_figure_name_without_its_unit() -> None:
    result: dict[str, Any] = {}
    keep_fastest(result, "store_rows_per_s", 31291.04, store_articles=7864)
    keep_fastest(result, "copy_rows_per_s", 42409.4)
    assert result["store_runs"] == [31291.04]
    assert result["copy_runs"] == [42409.4]
    assert result["store_articles"] == 7864
