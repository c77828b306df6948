"""Metric hygiene every service shares: counters of a closed label set expose every value from the start
(a first dead letter must be visible to `increase`), and each service reports which release runs."""

from __future__ import annotations

from typing import get_args

import pytest
from prometheus_client import CollectorRegistry, Counter

from services.common.build import declare_build_info
from services.contracts.models import EntityType, PloverType
from services.contracts.versions import EXTRACTOR_VERSION
from services.extract.consumer import metrics as extract_metrics
from services.ingest import errors
from services.ingest import metrics as ingest_metrics
from services.store import metrics as store_metrics
from services.store.schema import TABLES


def label_values(counter: Counter, label: str) -> set[str]:
    return {
        sample.labels[label]
        for family in counter.collect()
        for sample in family.samples
        if sample.name.endswith("_total")
    }


def error_codes(cls: type[errors.IngestError] = errors.IngestError) -> set[str]:
    codes = {sub.code for sub in cls.__subclasses__()}
    return codes.union(*(error_codes(sub) for sub in cls.__subclasses__()))


def test_ingest_exposes_every_rejection_reason_of_its_exception_tree() -> None:
    # A failed feed poll is no rejection of an article: the poller counts it in its own metric.
    poll_codes = error_codes(errors.PollError) | {errors.PollError.code}
    assert set(ingest_metrics.REJECTION_REASONS) == error_codes() - {"internal"} - poll_codes
    assert label_values(ingest_metrics.ARTICLES_REJECTED, "reason") >= set(ingest_metrics.REJECTION_REASONS)


def test_ingest_exposes_every_publish_outcome_from_the_start() -> None:
    buckets = {
        sample.labels["outcome"]
        for family in ingest_metrics.PUBLISH_SECONDS.collect()
        for sample in family.samples
        if sample.name.endswith("_bucket")
    }
    assert buckets >= set(ingest_metrics.PUBLISH_OUTCOMES)


@pytest.mark.parametrize("counter", [extract_metrics.ARTICLES_FAILED, extract_metrics.DEAD_LETTERS])
def test_extract_exposes_every_failure_reason(counter: Counter) -> None:
    assert label_values(counter, "reason") >= set(get_args(extract_metrics.FailureReason))


def test_extract_exposes_every_entity_and_event_type() -> None:
    assert label_values(extract_metrics.ENTITIES, "type") >= {t.value for t in EntityType}
    assert label_values(extract_metrics.EVENTS, "type") >= {t.value for t in PloverType}


def test_store_exposes_every_dead_letter_and_write_failure_reason_and_table() -> None:
    assert label_values(store_metrics.DEAD_LETTERS, "reason") >= set(get_args(store_metrics.DeadLetterReason))
    assert label_values(store_metrics.WRITE_FAILURES, "reason") == set(
        get_args(store_metrics.WriteFailureReason)
    )
    assert label_values(store_metrics.ROWS_WRITTEN, "table") >= {table.name for table in TABLES}


def test_the_end_to_end_latency_buckets_reach_a_quarter_of_an_hour() -> None:
    assert max(store_metrics.LATENCY_BUCKETS) == 900.0


def test_build_info_names_the_service_versions_and_commit() -> None:
    registry = CollectorRegistry()
    declare_build_info(registry, service="store", commit="abc123")
    (sample,) = [s for family in registry.collect() for s in family.samples]

    assert sample.name == "newswire_build_info"
    assert sample.value == 1
    assert sample.labels["service"] == "store"
    assert sample.labels["commit"] == "abc123"
    assert sample.labels["extractor_version"] == EXTRACTOR_VERSION
    assert sample.labels["version"]
