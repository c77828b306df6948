"""When a source is polled next: its interval, doubled per failure up to a ceiling, with jitter."""

import pytest

from services.ingest.poll.schedule import next_delay


def middle() -> float:
    return 0.5  # no jitter either way


def test_after_a_success_the_wait_is_the_interval() -> None:
    assert next_delay(300, 0, max_backoff_s=3600, jitter=0.1, random=middle) == 300


@pytest.mark.parametrize(("failures", "wait"), [(1, 600), (2, 1200), (3, 2400), (4, 3600), (40, 3600)])
def test_each_failure_doubles_the_wait_up_to_the_ceiling(failures: int, wait: float) -> None:
    assert next_delay(300, failures, max_backoff_s=3600, jitter=0.1, random=middle) == wait


def test_the_backoff_never_waits_less_than_the_interval() -> None:
    assert next_delay(7200, 3, max_backoff_s=3600, jitter=0, random=middle) == 7200


@pytest.mark.parametrize(("draw", "wait"), [(0.0, 270), (0.999999, 330)])
def test_jitter_spreads_the_wait_by_up_to_its_fraction(draw: float, wait: float) -> None:
    assert next_delay(300, 0, max_backoff_s=3600, jitter=0.1, random=lambda: draw) == pytest.approx(
        wait, abs=0.01
    )
