import asyncio

import pytest

from services.common.retry import RetryPolicy, retry_transient


class Outage(Exception):
    pass


def test_backoff_grows_geometrically_and_is_capped() -> None:
    delays = RetryPolicy(initial_s=0.5, maximum_s=3.0, multiplier=2.0).delays()

    assert [next(delays) for _ in range(6)] == [0.5, 1.0, 2.0, 3.0, 3.0, 3.0]


def test_a_transient_failure_is_retried_until_the_operation_succeeds() -> None:
    attempts: list[int] = []
    slept: list[float] = []

    async def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 4:
            raise Outage("broker down")
        return "done"

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    result = asyncio.run(
        retry_transient(
            flaky,
            is_transient=lambda e: isinstance(e, Outage),
            policy=RetryPolicy(initial_s=1.0, maximum_s=2.0),
            sleep=fake_sleep,
        )
    )

    assert result == "done"
    assert len(attempts) == 4
    assert slept == [1.0, 2.0, 2.0]


def test_a_non_transient_failure_propagates_at_once() -> None:
    attempts: list[int] = []

    async def broken() -> None:
        attempts.append(1)
        raise ValueError("bug")

    with pytest.raises(ValueError, match="bug"):
        asyncio.run(
            retry_transient(broken, is_transient=lambda e: isinstance(e, Outage), policy=RetryPolicy())
        )
    assert len(attempts) == 1
