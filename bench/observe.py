"""Reading results back from Postgres: when articles became committed, and their end-to-end latency.

`stored_at` is the `now()` of the store transaction that first wrote the article (the start of that
transaction); `ingested_at` is set by ingest when the request arrived. Their difference is the
latency from ingest to the committing transaction, short of the commit itself (the store's write
duration, reported next to it).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import psycopg

from bench.stack import plain_dsn

TABLES = ("articles", "entities", "article_entities", "mentions", "events")
FAR_POLL_S = 0.5
NEAR_END_POLL_S = 0.05
NEAR_END = 0.9  # fraction of the expected articles from which polling is fine


class WaitTimeout(RuntimeError):
    """Articles did not arrive in Postgres in time (a service is stuck or lost them)."""


@dataclass(frozen=True)
class Arrival:
    count: int
    first_stored: float  # epoch seconds
    last_stored: float
    seen_complete: float  # when the harness saw the last one (time.time())


def wait_for_articles(database_url: str, external_prefix: str, expected: int, timeout_s: float) -> Arrival:
    """Poll until `expected` articles whose external_id starts with `external_prefix` are committed."""
    deadline = time.monotonic() + timeout_s
    query = (
        "SELECT count(*), extract(epoch FROM min(stored_at)), extract(epoch FROM max(stored_at)) "
        "FROM articles WHERE external_id LIKE %s"
    )
    with psycopg.connect(plain_dsn(database_url), autocommit=True) as conn:
        previous: tuple[float, int] | None = None
        while True:
            row = conn.execute(query, (external_prefix + "%",)).fetchone()
            assert row is not None
            count, now = int(row[0]), time.monotonic()
            if count >= expected:
                return Arrival(count, float(row[1]), float(row[2]), time.time())
            if now > deadline:
                raise WaitTimeout(f"{count}/{expected} articles {external_prefix}* after {timeout_s:g} s")
            time.sleep(_poll_delay(previous, (now, count), expected))
            previous = (now, count)


def _poll_delay(previous: tuple[float, int] | None, current: tuple[float, int], expected: int) -> float:
    """How long to wait before the next count: finely over the last tenth, else half the time the rest
    should take at the rate seen since the last poll, within [0.05, 0.5] s.

    The count query scans the table and the harness shares the CPUs with what it measures, so it
    polls slowly while the end is far, and finely near it (the rates depend on when the end is seen;
    the store commits in bursts, so a rate cannot tell when the last one lands).
    """
    if current[1] >= NEAR_END * expected:
        return NEAR_END_POLL_S
    if previous is None or current[1] <= previous[1]:
        return FAR_POLL_S
    rate = (current[1] - previous[1]) / max(current[0] - previous[0], 1e-6)
    return min(FAR_POLL_S, max(NEAR_END_POLL_S, 0.5 * (expected - current[1]) / rate))


def latencies(database_url: str, external_prefix: str) -> list[float]:
    """stored_at - ingested_at in seconds, for each article of the prefix, sorted."""
    query = (
        "SELECT extract(epoch FROM stored_at - ingested_at) FROM articles "
        "WHERE external_id LIKE %s ORDER BY 1"
    )
    with psycopg.connect(plain_dsn(database_url), autocommit=True) as conn:
        return [float(r[0]) for r in conn.execute(query, (external_prefix + "%",)).fetchall()]


def table_counts(database_url: str) -> dict[str, int]:
    with psycopg.connect(plain_dsn(database_url), autocommit=True) as conn:
        counts = {}
        for table in TABLES:
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608 (fixed names)
            counts[table] = int(row[0]) if row else 0
        return counts


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (0 for an empty list)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), math.ceil(fraction * len(sorted_values))))
    return sorted_values[rank - 1]
