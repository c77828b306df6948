"""When to poll a source next (pure): its interval after a success, doubled per consecutive failure up
to a ceiling, each wait spread by a random jitter so sources started together drift apart."""

from __future__ import annotations

from collections.abc import Callable


def next_delay(
    interval_s: float, failures: int, *, max_backoff_s: float, jitter: float, random: Callable[[], float]
) -> float:
    """Seconds until the next poll. `failures` counts the consecutive failed polls (0 after a success);
    `random()` returns a float in [0, 1). The backoff never waits less than the interval itself."""
    base = interval_s
    if failures > 0:
        base = min(interval_s * 2.0 ** min(failures, 32), max(max_backoff_s, interval_s))
    return base * (1.0 + jitter * (2.0 * random() - 1.0))
