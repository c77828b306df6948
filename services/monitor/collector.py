"""The lag exporter's Prometheus collector: at each scrape it reads the watched groups from the broker
(services.monitor.broker) and turns them into the series declared in services.monitor.metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from services.monitor import metrics
from services.monitor.broker import GroupState
from services.monitor.lag import partition_lag
from services.monitor.watched import WatchedGroup

log = logging.getLogger(__name__)


def lag_families(states: Sequence[GroupState], now_s: float) -> list[GaugeMetricFamily]:
    """The lag and member series of `states` (pure)."""
    lag_messages = GaugeMetricFamily(*metrics.LAG_MESSAGES, labels=["group", "topic", "partition", "hop"])
    lag_seconds = GaugeMetricFamily(*metrics.LAG_SECONDS, labels=["group", "topic", "partition", "hop"])
    members = GaugeMetricFamily(*metrics.MEMBERS, labels=["group", "hop"])
    for state in states:
        group, hop = state.watched.group, state.watched.hop
        members.add_metric([group, hop], state.members)
        for offsets in state.partitions:
            lag = partition_lag(offsets, now_s)
            labels = [group, lag.topic, str(lag.partition), hop]
            lag_messages.add_metric(labels, lag.messages)
            lag_seconds.add_metric(labels, lag.seconds)
    return [lag_messages, lag_seconds, members]


class LagCollector(Collector):
    """Reads the broker once per scrape (blocking the scrape, a few hundred ms) through `read`. When the
    broker does not answer, only `newswire_lag_exporter_read_ok 0` is exported: no stale lag."""

    def __init__(
        self,
        read: Callable[[Sequence[WatchedGroup]], list[GroupState]],
        watched: Sequence[WatchedGroup],
        clock: Callable[[], float] = time.time,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self._watched = tuple(watched)
        self._clock = clock
        self._timer = timer

    def collect(self) -> Iterator[Metric]:
        started = self._timer()
        families: list[GaugeMetricFamily] = []
        ok = 1.0
        try:
            families = lag_families(self._read(self._watched), self._clock())
        except Exception as exc:  # the broker is down or slow: say so, keep serving
            log.warning("lag not read from the broker: %r", exc)
            ok = 0.0
        yield from families
        yield GaugeMetricFamily(*metrics.READ_OK, value=ok)
        yield GaugeMetricFamily(*metrics.READ_SECONDS, value=self._timer() - started)
