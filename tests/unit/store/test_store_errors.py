"""Which database failures are retried (transient) and which isolate a poison article."""

import pytest

from services.store.errors import (
    PoisonBatchError,
    TransientStoreError,
    classify_sqlstate,
    write_error,
)


@pytest.mark.parametrize(
    ("sqlstate", "reason"),
    [
        ("40001", "serialization"),
        ("40P01", "deadlock"),
        ("55P03", "lock_timeout"),
        ("57014", "timeout"),
        ("57P01", "connection"),
        ("08006", "connection"),
        ("53300", "resources"),
        ("22021", "data"),
        ("22P02", "data"),
        ("23505", "integrity"),
        ("23503", "integrity"),
    ],
)
def test_sqlstates_map_to_a_failure_reason(sqlstate: str, reason: str) -> None:
    assert classify_sqlstate(sqlstate) == reason


@pytest.mark.parametrize("sqlstate", [None, "", "42P01", "42703", "XX000", "0A000"])
def test_schema_errors_and_bugs_are_neither_transient_nor_poison(sqlstate: str | None) -> None:
    assert classify_sqlstate(sqlstate) is None


def test_transient_reasons_make_a_transient_error_carrying_the_batch() -> None:
    error = write_error("deadlock", "deadlock detected", ["a1", "a2"])

    assert isinstance(error, TransientStoreError)
    assert (error.reason, error.article_ids) == ("deadlock", ("a1", "a2"))


@pytest.mark.parametrize("reason", ["data", "integrity", "invalid_article"])
def test_data_reasons_make_a_poison_error(reason: str) -> None:
    assert isinstance(write_error(reason, "refused", ["a1"]), PoisonBatchError)  # type: ignore[arg-type]
