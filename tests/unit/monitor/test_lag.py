"""Lag from broker offsets: messages behind the group's position, and the age of the oldest of them."""

from __future__ import annotations

from services.monitor.broker import GroupState
from services.monitor.collector import LagCollector, lag_families
from services.monitor.lag import PartitionOffsets, partition_lag, position
from services.monitor.watched import STORE, WatchedGroup

NOW_S = 1_000_000.0


def offsets(
    committed: int | None, log_start: int = 0, end: int = 10, stamp_ms: int | None = None
) -> PartitionOffsets:
    return PartitionOffsets("t", 0, committed, log_start, end, stamp_ms)


def test_lag_is_the_messages_after_the_committed_offset_and_the_age_of_the_first() -> None:
    lag = partition_lag(offsets(committed=4, stamp_ms=int((NOW_S - 42) * 1000)), NOW_S)
    assert (lag.messages, lag.seconds) == (6, 42.0)


def test_a_group_that_never_committed_is_behind_by_the_whole_log() -> None:
    assert position(offsets(committed=None, log_start=3)) == 3
    assert partition_lag(offsets(committed=None, log_start=3), NOW_S).messages == 7


def test_messages_deleted_by_retention_no_longer_count() -> None:
    assert partition_lag(offsets(committed=2, log_start=5), NOW_S).messages == 5


def test_a_caught_up_group_has_no_lag_and_no_age() -> None:
    lag = partition_lag(offsets(committed=10, stamp_ms=0), NOW_S)
    assert (lag.messages, lag.seconds) == (0, 0.0)


def test_a_message_stamped_in_the_future_is_not_a_negative_age() -> None:
    assert partition_lag(offsets(committed=0, stamp_ms=int((NOW_S + 5) * 1000)), NOW_S).seconds == 0.0


def test_an_unknown_age_is_reported_as_zero_rather_than_guessed() -> None:
    assert partition_lag(offsets(committed=0, stamp_ms=None), NOW_S).seconds == 0.0


WATCHED = WatchedGroup("newswire-store", "enriched", STORE)
DEAD_GROUP = GroupState(
    WATCHED, members=0, partitions=(offsets(committed=1, stamp_ms=int((NOW_S - 90) * 1000)),)
)


def test_the_series_of_a_dead_group_carry_its_lag_and_zero_members() -> None:
    families = {f.name: f for f in lag_families([DEAD_GROUP], NOW_S)}
    (lag,) = families["newswire_consumer_group_lag_messages"].samples
    assert lag.labels == {"group": "newswire-store", "topic": "t", "partition": "0", "hop": "store"}
    assert lag.value == 9
    assert families["newswire_consumer_group_lag_seconds"].samples[0].value == 90.0
    assert families["newswire_consumer_group_members"].samples[0].value == 0


def test_a_failed_read_exports_read_ok_zero_and_no_stale_lag() -> None:
    def unreachable(watched: object) -> list[GroupState]:
        raise OSError("connection refused")

    names = {m.name: m for m in LagCollector(unreachable, [WATCHED]).collect()}
    assert set(names) == {"newswire_lag_exporter_read_ok", "newswire_lag_exporter_read_duration_seconds"}
    assert names["newswire_lag_exporter_read_ok"].samples[0].value == 0.0


def test_a_successful_read_exports_read_ok_one_with_the_lag() -> None:
    collector = LagCollector(lambda watched: [DEAD_GROUP], [WATCHED], clock=lambda: NOW_S)
    names = {m.name: m for m in collector.collect()}
    assert names["newswire_lag_exporter_read_ok"].samples[0].value == 1.0
    assert names["newswire_consumer_group_lag_messages"].samples[0].value == 9
