"""How the benchmark polls Postgres for arrivals: rarely while the end is far, finely near it."""

from bench.observe import FAR_POLL_S, NEAR_END_POLL_S, _poll_delay


def test_the_first_poll_and_a_stalled_count_far_from_the_end_wait_long() -> None:
    assert _poll_delay(None, (0.0, 0), 600) == FAR_POLL_S
    assert _poll_delay((0.0, 100), (0.5, 100), 600) == FAR_POLL_S


def test_the_wait_is_half_the_time_the_rest_should_take_at_the_rate_seen() -> None:
    assert _poll_delay((0.0, 100), (1.0, 500), 600) == 0.125  # 100 left at 400/s


def test_over_the_last_tenth_the_polls_are_fine() -> None:
    assert _poll_delay((0.0, 0), (0.5, 540), 600) == NEAR_END_POLL_S
